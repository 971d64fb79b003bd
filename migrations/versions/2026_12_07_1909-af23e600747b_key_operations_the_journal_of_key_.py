"""key operations: the journal of key custody

Revision ID: af23e600747b
Revises: 8e3f1c6a2b47
Create Date: 2026-12-07 18:35:18.684848+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'af23e600747b'
down_revision = '8e3f1c6a2b47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('key_operations',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=True),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_operations'))
    )
    with op.batch_alter_table('key_operations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_operations_finished_at'), ['finished_at'], unique=False)



def downgrade():
    with op.batch_alter_table('key_operations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_operations_finished_at'))

    op.drop_table('key_operations')
