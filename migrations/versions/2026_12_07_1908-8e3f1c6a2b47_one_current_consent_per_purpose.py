"""consents: one current consent per purpose and agency (two partial unique indexes)

Existing duplicates (two people recorded the same consent at once) are resolved first: the
oldest current consent stays, each later copy is marked withdrawn at the moment it was
recorded, by nobody (the system), so the indexes can be built and nothing any consent allowed
changes: the one that stays allows the same.

Revision ID: 8e3f1c6a2b47
Revises: 303cd6ed48db
Create Date: 2026-12-07 18:20:00.000000+00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "8e3f1c6a2b47"
down_revision = "303cd6ed48db"
branch_labels = None
depends_on = None

CURRENT = "withdrawn_at IS NULL AND shared_with_agency_id IS NULL"
CURRENT_FOR_AGENCY = "withdrawn_at IS NULL AND shared_with_agency_id IS NOT NULL"


def _withdraw_later_copies():
    consents = sa.table(
        "consents",
        sa.column("id", sa.Uuid()),
        sa.column("case_id", sa.Uuid()),
        sa.column("purpose", sa.String()),
        sa.column("shared_with_agency_id", sa.Uuid()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("withdrawn_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            consents.c.id,
            consents.c.case_id,
            consents.c.purpose,
            consents.c.shared_with_agency_id,
            consents.c.created_at,
        )
        .where(consents.c.withdrawn_at.is_(None))
        .order_by(consents.c.created_at, consents.c.id)
    ).all()
    seen = set()
    for row in rows:
        key = (row.case_id, row.purpose, row.shared_with_agency_id)
        if key in seen:
            bind.execute(
                consents.update().where(consents.c.id == row.id).values(withdrawn_at=row.created_at)
            )
        seen.add(key)


def upgrade():
    _withdraw_later_copies()
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(
            "uq_consents_current",
            ["case_id", "purpose"],
            unique=True,
            postgresql_where=sa.text(CURRENT),
            sqlite_where=sa.text(CURRENT),
        )
        batch_op.create_index(
            "uq_consents_current_for_agency",
            ["case_id", "purpose", "shared_with_agency_id"],
            unique=True,
            postgresql_where=sa.text(CURRENT_FOR_AGENCY),
            sqlite_where=sa.text(CURRENT_FOR_AGENCY),
        )


def downgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index("uq_consents_current_for_agency")
        batch_op.drop_index("uq_consents_current")
