"""counselling sessions: a summary the counsellor chooses to share with the referring agency

Revision ID: 2a8f6d0e9b17
Revises: 7e3b9c1d4a52
Create Date: 2026-12-07 19:01:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2a8f6d0e9b17'
down_revision = '7e3b9c1d4a52'
branch_labels = None
depends_on = None


def upgrade():
    # Encrypted under the case's key like the notes; empty for existing sessions (nothing was
    # chosen for sharing).
    with op.batch_alter_table('counselling_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_summary_ct', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('counselling_sessions', schema=None) as batch_op:
        batch_op.drop_column('shared_summary_ct')
