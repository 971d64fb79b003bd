"""form drafts: what a person typed into a long form, kept encrypted until it is sent

Revision ID: 5d1f0a7c2b10
Revises: 3e181221eb9b
Create Date: 2026-12-07 22:00:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1f0a7c2b10'
down_revision = '3e181221eb9b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_drafts',
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('endpoint', sa.String(length=80), nullable=False),
    sa.Column('form_key', sa.String(length=300), nullable=False),
    sa.Column('page', sa.String(length=300), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=True),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('values_ct', sa.LargeBinary(), nullable=True),
    sa.Column('data_key_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_form_drafts_agency_id_agencies')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_form_drafts_author_id_users')),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_keys.id'], name=op.f('fk_form_drafts_data_key_id_data_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_drafts')),
    sa.UniqueConstraint('author_id', 'form_key', name='uq_form_drafts_author_form')
    )
    with op.batch_alter_table('form_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_drafts_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_drafts_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_drafts_saved_at'), ['saved_at'], unique=False)


def downgrade():
    with op.batch_alter_table('form_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_drafts_saved_at'))
        batch_op.drop_index(batch_op.f('ix_form_drafts_author_id'))
        batch_op.drop_index(batch_op.f('ix_form_drafts_agency_id'))

    op.drop_table('form_drafts')
