"""case transfers: the case_transfers table; cases.sealed_for_agency_id (the agency every
record of the case is sealed for, filled with the owning agency: nothing is re-encrypted) and
cases.owner_field_groups (NULL: the owner sees every group). Decision 0091.

A downgrade is refused once a case has changed hands: its records are sealed for an agency
that no longer owns it, which the code before this revision cannot read.

Revision ID: a6087e4947a7
Revises: 7c1e5a9d2f40
Create Date: 2026-12-08 00:55:04.903206+00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a6087e4947a7"
down_revision = "7c1e5a9d2f40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_transfers",
        sa.Column("from_agency_id", sa.Uuid(), nullable=False),
        sa.Column("receiving_agency_id", sa.Uuid(), nullable=False),
        sa.Column("from_country", sa.String(length=2), nullable=False),
        sa.Column("to_country", sa.String(length=2), nullable=False),
        sa.Column("proposed_by_id", sa.Uuid(), nullable=True),
        sa.Column("from_assignee_id", sa.Uuid(), nullable=True),
        sa.Column("shared_groups", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason_ct", sa.LargeBinary(), nullable=True),
        sa.Column("decline_reason_ct", sa.LargeBinary(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_transfers_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_case_transfers_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["from_agency_id"],
            ["agencies.id"],
            name=op.f("fk_case_transfers_from_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["from_assignee_id"],
            ["users.id"],
            name=op.f("fk_case_transfers_from_assignee_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_case_transfers_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["receiving_agency_id"],
            ["agencies.id"],
            name=op.f("fk_case_transfers_receiving_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_transfers")),
    )
    with op.batch_alter_table("case_transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_transfers_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_transfers_from_agency_id"), ["from_agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_transfers_receiving_agency_id"),
            ["receiving_agency_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_case_transfers_status"), ["status"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_for_agency_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("owner_field_groups", sa.JSON(), nullable=True))
    # Every existing record was sealed for the case's agency: carried across as it is.
    op.execute("UPDATE cases SET sealed_for_agency_id = agency_id")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("sealed_for_agency_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_sealed_for_agency_id_agencies"),
            "agencies",
            ["sealed_for_agency_id"],
            ["id"],
        )


def downgrade():
    moved = (
        op.get_bind()
        .execute(sa.text("SELECT COUNT(*) FROM cases WHERE sealed_for_agency_id <> agency_id"))
        .scalar()
    )
    if moved:
        raise RuntimeError(
            f"{moved} cases changed agency by a transfer: the code before this revision could "
            "not read their records. Not downgraded."
        )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_cases_sealed_for_agency_id_agencies"), type_="foreignkey"
        )
        batch_op.drop_column("owner_field_groups")
        batch_op.drop_column("sealed_for_agency_id")

    with op.batch_alter_table("case_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_transfers_status"))
        batch_op.drop_index(batch_op.f("ix_case_transfers_receiving_agency_id"))
        batch_op.drop_index(batch_op.f("ix_case_transfers_from_agency_id"))
        batch_op.drop_index(batch_op.f("ix_case_transfers_case_id"))

    op.drop_table("case_transfers")
