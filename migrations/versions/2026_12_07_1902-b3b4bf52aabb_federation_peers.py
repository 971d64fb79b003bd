"""federation peers: the installations this one trusts, their public keys and what each may send

Revision ID: b3b4bf52aabb
Revises: 2a8f6d0e9b17
Create Date: 2026-12-07 18:19:58.451266+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3b4bf52aabb'
down_revision = '2a8f6d0e9b17'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('peers',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    sa.Column('public_keys', sa.JSON(), nullable=False),
    sa.Column('capabilities', sa.JSON(), nullable=False),
    sa.Column('added_by_id', sa.Uuid(), nullable=True),
    sa.Column('keys_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_peers_added_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peers'))
    )
    with op.batch_alter_table('peers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peers_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_peers_fingerprint'), ['fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_peers_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('peers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peers_status'))
        batch_op.drop_index(batch_op.f('ix_peers_fingerprint'))
        batch_op.drop_index(batch_op.f('ix_peers_address'))

    op.drop_table('peers')
