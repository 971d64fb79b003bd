"""plan steps, plan approvals and step reminders: a support plan's action plan, the
supervisor's approvals of its assessment and case plan, the reminders sent for steps due (new
tables, no data to carry)

Revision ID: 7b2e9c4d1a55
Revises: 46c273f01fae
Create Date: 2026-12-08 00:53:30.000000+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b2e9c4d1a55'
down_revision = '46c273f01fae'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_approvals',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Uuid(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason_ct', sa.LargeBinary(), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_plan_approvals_case_id_cases')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_plan_approvals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['support_plans.id'], name=op.f('fk_plan_approvals_plan_id_support_plans')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_plan_approvals_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_approvals'))
    )
    with op.batch_alter_table('plan_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_approvals_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_approvals_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_approvals_status'), ['status'], unique=False)

    op.create_table('plan_steps',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('owner_agency_id', sa.Uuid(), nullable=False),
    sa.Column('owner_user_id', sa.Uuid(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('description_ct', sa.LargeBinary(), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_plan_steps_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_steps_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_agency_id'], ['agencies.id'], name=op.f('fk_plan_steps_owner_agency_id_agencies')),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_plan_steps_owner_user_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['support_plans.id'], name=op.f('fk_plan_steps_plan_id_support_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_steps'))
    )
    with op.batch_alter_table('plan_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_steps_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_steps_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_steps_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_steps_owner_user_id'), ['owner_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_steps_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_steps_status'), ['status'], unique=False)

    op.create_table('plan_step_reminders',
    sa.Column('step_id', sa.Uuid(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['step_id'], ['plan_steps.id'], name=op.f('fk_plan_step_reminders_step_id_plan_steps')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_step_reminders')),
    sa.UniqueConstraint('step_id', 'due_on', name='uq_plan_step_reminders_step_due')
    )


def downgrade():
    op.drop_table('plan_step_reminders')
    with op.batch_alter_table('plan_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_steps_status'))
        batch_op.drop_index(batch_op.f('ix_plan_steps_plan_id'))
        batch_op.drop_index(batch_op.f('ix_plan_steps_owner_user_id'))
        batch_op.drop_index(batch_op.f('ix_plan_steps_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_plan_steps_due_on'))
        batch_op.drop_index(batch_op.f('ix_plan_steps_case_id'))

    op.drop_table('plan_steps')
    with op.batch_alter_table('plan_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_approvals_status'))
        batch_op.drop_index(batch_op.f('ix_plan_approvals_plan_id'))
        batch_op.drop_index(batch_op.f('ix_plan_approvals_case_id'))

    op.drop_table('plan_approvals')
