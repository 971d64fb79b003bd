"""case notes: a category, which decides who else may read a note

Revision ID: 7e3b9c1d4a52
Revises: 961d442e2d97
Create Date: 2026-12-07 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e3b9c1d4a52'
down_revision = '961d442e2d97'
branch_labels = None
depends_on = None


def upgrade():
    # Existing notes were written when sharing "health and risk notes" shared every note, police
    # notes included: nobody chose what they are about, so they become case management notes,
    # which no referral shares (decision 0064). The owning agency re-files any it wants shared.
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=30), nullable=True))
    op.execute("UPDATE case_notes SET category = 'case_management'")
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.alter_column('category', existing_type=sa.String(length=30), nullable=False)


def downgrade():
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_column('category')
