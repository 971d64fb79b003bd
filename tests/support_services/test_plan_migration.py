"""The data migration of existing support plans (revision 46c273f01fae): each plan gets the
HTCDS 2.0 plan types its services needed map to, on SQLite and PostgreSQL, and going down
drops the new columns again."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from casework.core.extensions import db
from tests.conftest import build_app
from tests.test_migrations import MIGRATIONS, database_url, postgres_scratch_url  # noqa: F401

REVISION = "46c273f01fae"


def test_existing_plans_get_their_htcds_types(database_url: str, tmp_path: Path) -> None:  # noqa: F811
    before = ScriptDirectory(MIGRATIONS).get_revision(REVISION).down_revision
    assert isinstance(before, str)
    app = build_app(str(tmp_path), SQLALCHEMY_DATABASE_URI=database_url)
    plans = {
        uuid.uuid4(): (["shelter", "health_care", "psychosocial_counselling"], ["Health"]),
        uuid.uuid4(): (
            ["reintegration", "vocational_training", "legal_aid", "education"],
            ["Education", "Legal", "Livelihood", "SocialCare"],
        ),
        uuid.uuid4(): (["interpretation", "return_repatriation"], []),
        uuid.uuid4(): ([], []),
    }
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS, revision=before)
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # a plan alone, without its case
                conn.execute(sa.text("SET session_replication_role = replica"))
            for plan_id, (services, _types) in plans.items():
                conn.execute(
                    sa.text(
                        "INSERT INTO support_plans (id, case_id, service_types, created_at,"
                        " updated_at) VALUES (:id, :case, :services, :now, :now)"
                    ),
                    {
                        "id": plan_id if conn.dialect.name == "postgresql" else plan_id.hex,
                        "case": uuid.uuid4()
                        if conn.dialect.name == "postgresql"
                        else uuid.uuid4().hex,
                        "services": json.dumps(services),
                        "now": "2026-12-01 10:00:00+00:00",
                    },
                )
        flask_migrate.upgrade(directory=MIGRATIONS, revision=REVISION)
        table = sa.table(
            "support_plans", sa.column("id", sa.Uuid()), sa.column("plan_types", sa.JSON())
        )
        with db.engine.connect() as conn:
            found = dict(conn.execute(sa.select(table.c.id, table.c.plan_types)).all())
        assert found == {plan_id: types for plan_id, (_services, types) in plans.items()}
        flask_migrate.downgrade(directory=MIGRATIONS, revision=before)
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("support_plans")}
        assert "plan_types" not in columns
        assert "assessment_ct" not in columns
        db.engine.dispose()
