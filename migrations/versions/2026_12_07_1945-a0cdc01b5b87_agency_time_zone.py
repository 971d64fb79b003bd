"""agency time zone: every date and time is shown to an agency's staff in it; existing agencies
get their country's main zone

Revision ID: a0cdc01b5b87
Revises: db646505ed90
Create Date: 2026-12-07 18:52:04.414367+00:00

"""
from alembic import op
import pytz
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a0cdc01b5b87'
down_revision = 'db646505ed90'
branch_labels = None
depends_on = None


def _zone(country):
    zones = pytz.country_timezones.get((country or "").upper()) if country else None
    return zones[0] if zones else "UTC"


def upgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
    agencies = sa.table(
        'agencies', sa.column('id', sa.Uuid()), sa.column('country', sa.String(2)),
        sa.column('time_zone', sa.String(64)),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(agencies.c.id, agencies.c.country)).all()
    for agency_id, country in rows:
        connection.execute(
            agencies.update().where(agencies.c.id == agency_id).values(time_zone=_zone(country))
        )
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.alter_column('time_zone', existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
