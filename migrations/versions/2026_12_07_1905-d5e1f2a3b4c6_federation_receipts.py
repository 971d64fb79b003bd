"""federation receipts: the messages received from each peer (ids, never bodies)

Revision ID: d5e1f2a3b4c6
Revises: c4d0e1f2a3b5
Create Date: 2026-12-07 18:43:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e1f2a3b4c6'
down_revision = 'c4d0e1f2a3b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('federation_receipts',
    sa.Column('peer_id', sa.Uuid(), nullable=False),
    sa.Column('message_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['peer_id'], ['peers.id'], name=op.f('fk_federation_receipts_peer_id_peers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_federation_receipts')),
    sa.UniqueConstraint('message_id', name=op.f('uq_federation_receipts_message_id')),
    sa.UniqueConstraint('peer_id', 'seq', name=op.f('uq_federation_receipts_peer_id'))
    )
    with op.batch_alter_table('federation_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_federation_receipts_peer_id'), ['peer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('federation_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_federation_receipts_peer_id'))

    op.drop_table('federation_receipts')
