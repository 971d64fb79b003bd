"""task marks: snooze and done on a person's home-page tasks (a new table, no data to carry;
the unique (user_id, task_key) serves the lookups by user)

Revision ID: c93f75fa0396
Revises: 5d1f0a7c2b10
Create Date: 2026-12-07 21:49:09.062496+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c93f75fa0396'
down_revision = '5d1f0a7c2b10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('task_marks',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('task_key', sa.String(length=160), nullable=False),
    sa.Column('snoozed_until', sa.Date(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_task_marks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_marks')),
    sa.UniqueConstraint('user_id', 'task_key', name='uq_task_marks_user_key')
    )


def downgrade():
    op.drop_table('task_marks')
