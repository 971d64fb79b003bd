"""peers: the sequence numbers of the message streams to and from each peer

Revision ID: afa4a6b258c2
Revises: b3b4bf52aabb
Create Date: 2026-12-07 18:41:20.909285+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'afa4a6b258c2'
down_revision = 'b3b4bf52aabb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('peers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_outbound_seq', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('last_inbound_seq', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('peers', schema=None) as batch_op:
        batch_op.drop_column('last_inbound_seq')
        batch_op.drop_column('next_outbound_seq')
