"""support plans: the HTCDS 2.0 plan types (spl_Type, the standard's codes) and the assessment
of needs (encrypted). Existing plans get the types their services needed map to.

Revision ID: 46c273f01fae
Revises: 0b40073e6d5f
Create Date: 2026-12-08 00:52:54.908094+00:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '46c273f01fae'
down_revision = '0b40073e6d5f'
branch_labels = None
depends_on = None

# The services vocabulary's codes -> the HTCDS 2.0 plan type covering them, as at this
# revision (casework/vocab/plans.py: PLAN_TYPE_OF_SERVICE); services without a plan type of
# their own (shelter, interpretation, family tracing, return) give none.
PLAN_TYPE_OF_SERVICE = {
    "education": "Education",
    "vocational_training": "Livelihood",
    "livelihood": "Livelihood",
    "financial_support": "Financial",
    "health_care": "Health",
    "psychosocial_counselling": "Health",
    "legal_aid": "Legal",
    "rights_based_training": "RightsBasedTraining",
    "social_care": "SocialCare",
    "reintegration": "SocialCare",
}
HTCDS_ORDER = [
    "Education", "Financial", "Health", "LabourExploitationRehabilitation", "Legal",
    "Livelihood", "RightsBasedTraining", "SexualExploitationRehabilitation", "SocialCare",
]


def _types(service_types):
    if isinstance(service_types, str):
        service_types = json.loads(service_types or "[]")
    found = {PLAN_TYPE_OF_SERVICE[c] for c in service_types or [] if c in PLAN_TYPE_OF_SERVICE}
    return [code for code in HTCDS_ORDER if code in found]


def upgrade():
    with op.batch_alter_table('support_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_types', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('assessment_ct', sa.LargeBinary(), nullable=True))
    plans = sa.table(
        'support_plans',
        sa.column('id', sa.Uuid()),
        sa.column('service_types', sa.JSON()),
        sa.column('plan_types', sa.JSON()),
    )
    conn = op.get_bind()
    for plan_id, service_types in conn.execute(sa.select(plans.c.id, plans.c.service_types)).all():
        conn.execute(
            plans.update().where(plans.c.id == plan_id).values(plan_types=_types(service_types))
        )
    with op.batch_alter_table('support_plans', schema=None) as batch_op:
        batch_op.alter_column('plan_types', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('support_plans', schema=None) as batch_op:
        batch_op.drop_column('assessment_ct')
        batch_op.drop_column('plan_types')
