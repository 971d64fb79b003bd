"""event places below the country (HTCDS hte_State, hte_City, hte_Latitude/hte_Longitude): the
province in clear, the city and the coordinates encrypted; the events of before have none (no
data to carry)

Revision ID: 5b92219ba7bd
Revises: 952bb7909da5
Create Date: 2026-12-08 02:15:00.000000+00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b92219ba7bd'
down_revision = '952bb7909da5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('trafficking_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('province', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('city_ct', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('coordinates_ct', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('trafficking_events', schema=None) as batch_op:
        batch_op.drop_column('coordinates_ct')
        batch_op.drop_column('city_ct')
        batch_op.drop_column('province')
