"""case links: a typed link between two cases with an encrypted note (decision 0114)

Revision ID: 7c1e5a9d2f40
Revises: 7b2e9c4d1a55
Create Date: 2026-12-08 02:00:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1e5a9d2f40'
down_revision = '7b2e9c4d1a55'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_links',
    sa.Column('other_case_id', sa.Uuid(), nullable=False),
    sa.Column('pair', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('note_ct', sa.LargeBinary(), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_links_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_links_created_by_id_users')),
    sa.ForeignKeyConstraint(['other_case_id'], ['cases.id'], name=op.f('fk_case_links_other_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_links')),
    sa.UniqueConstraint('pair', name='uq_case_links_pair')
    )
    with op.batch_alter_table('case_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_links_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_links_other_case_id'), ['other_case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_links_other_case_id'))
        batch_op.drop_index(batch_op.f('ix_case_links_case_id'))

    op.drop_table('case_links')
