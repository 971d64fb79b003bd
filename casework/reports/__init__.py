"""Anonymised aggregate reports: disclosure control, the release ledger, signed releases."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.record_once
def _check_settings(state: BlueprintSetupState) -> None:
    """Refuse to start with report settings that weaken disclosure control."""
    from casework.reports.settings import check_report_settings

    check_report_settings(state.app.config)


from casework.reports import routes  # noqa: E402,F401
