"""htcds person and context fields: marital status and number of children (coded, on the
case), salutation, title and the details of vulnerabilities and of the perpetrators' roles
(encrypted, on the person); the new multi-valued lists (vulnerabilities, websites and apps of
recruitment and of exploitation, perpetrators' roles) are CaseCode rows (no schema change).
No data to carry: every new field starts empty.

Revision ID: fec81ffcf1cb
Revises: a93b90be3153
Create Date: 2026-12-08 01:45:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fec81ffcf1cb'
down_revision = 'a93b90be3153'
branch_labels = None
depends_on = None

PERSON_TEXTS = ('salutation', 'title', 'vulnerability_details', 'perpetrator_details')


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('marital_status', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('number_of_children', sa.Integer(), nullable=True))
    with op.batch_alter_table('people', schema=None) as batch_op:
        for name in PERSON_TEXTS:
            batch_op.add_column(sa.Column(f'{name}_ct', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        for name in PERSON_TEXTS:
            batch_op.drop_column(f'{name}_ct')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('number_of_children')
        batch_op.drop_column('marital_status')
    op.execute(
        sa.text(
            "DELETE FROM case_codes WHERE vocabulary IN ('vulnerability', "
            "'recruitment_platform', 'exploitation_platform', 'perpetrator_role')"
        )
    )
