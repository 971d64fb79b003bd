"""session copies: a Redis outage signs nobody out

Revision ID: 0b40073e6d5f
Revises: c93f75fa0396
Create Date: 2026-12-08 00:52:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0b40073e6d5f'
down_revision = 'c93f75fa0396'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('session_copies',
    sa.Column('sid_hash', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sid_hash', name=op.f('pk_session_copies'))
    )
    with op.batch_alter_table('session_copies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_copies_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('session_copies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_copies_expires_at'))

    op.drop_table('session_copies')
