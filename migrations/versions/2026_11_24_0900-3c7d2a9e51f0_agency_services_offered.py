"""agencies: services offered

Revision ID: 3c7d2a9e51f0
Revises: a6171a8764ac
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c7d2a9e51f0'
down_revision = 'a6171a8764ac'
branch_labels = None
depends_on = None


def upgrade():
    # Existing agencies offer nothing until an administrator says what they provide.
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('services_offered', sa.JSON(), nullable=True))
    op.execute("UPDATE agencies SET services_offered = '[]'")
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.alter_column('services_offered', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('services_offered')
