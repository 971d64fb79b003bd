"""federation outbox: sealed messages to peers, delivered by the job queue

Revision ID: c4d0e1f2a3b5
Revises: afa4a6b258c2
Create Date: 2026-12-07 18:42:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d0e1f2a3b5'
down_revision = 'afa4a6b258c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('federation_outbox',
    sa.Column('peer_id', sa.Uuid(), nullable=False),
    sa.Column('message_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('envelope', sa.LargeBinary(), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=True),
    sa.Column('subject_id', sa.String(length=36), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('settled', sa.Boolean(), nullable=False),
    sa.Column('answer', sa.String(length=40), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('run_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_federation_outbox_created_by_id_users')),
    sa.ForeignKeyConstraint(['peer_id'], ['peers.id'], name=op.f('fk_federation_outbox_peer_id_peers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_federation_outbox')),
    sa.UniqueConstraint('message_id', name=op.f('uq_federation_outbox_message_id')),
    sa.UniqueConstraint('peer_id', 'seq', name=op.f('uq_federation_outbox_peer_id'))
    )
    with op.batch_alter_table('federation_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_federation_outbox_peer_id'), ['peer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_federation_outbox_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_federation_outbox_subject_id'), ['subject_id'], unique=False)


def downgrade():
    with op.batch_alter_table('federation_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_federation_outbox_subject_id'))
        batch_op.drop_index(batch_op.f('ix_federation_outbox_status'))
        batch_op.drop_index(batch_op.f('ix_federation_outbox_peer_id'))

    op.drop_table('federation_outbox')
