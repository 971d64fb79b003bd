"""Report pages: a supervisor's agency reports, a coordinator's regional reports.

The same views serve both, under two sets of endpoints that declare different policy
actions; the scope always comes from the signed-in user, never from the request. Viewing a
table releases it through the ledger (a repeat gets the stored release), so every figure
anyone has seen is on record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField

from casework import audit
from casework.access import permission
from casework.encryption import keys
from casework.policy import Action
from casework.reports import bp
from casework.reports.charts import bar_chart
from casework.reports.disclosure import DIFFERENTIAL_PRIVACY, STANDARD
from casework.reports.exports import to_csv, to_json, to_xlsx
from casework.reports.ledger import budget_status
from casework.reports.package import build_package, public_key_fingerprint, public_key_pem
from casework.reports.request import MONTH, QUARTER, YEAR, Period, recent_periods
from casework.reports.service import build_report, document, labelled, scope_label, scope_of
from casework.reports.templates import DASHBOARD_TEMPLATES, QUARTERLY_REPORT

EXPORTS: dict[str, tuple[Callable[..., bytes], str]] = {
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": (to_json, "application/json"),
}


def _today() -> Any:
    return datetime.now(UTC).date()


def period_choices() -> list[tuple[str, str]]:
    today = _today()
    periods = (
        recent_periods(QUARTER, today, 8)
        + recent_periods(MONTH, today, 12)
        + recent_periods(YEAR, today, 3)
    )
    return [(p.key, p.key) for p in periods]


class ReportForm(FlaskForm):
    """The report builder (GET: it chooses what to see, it changes nothing else)."""

    class Meta:
        csrf = False

    period = SelectField(_l("Period"))
    mode = SelectField(
        _l("Method"),
        choices=[
            (STANDARD, _l("Suppression and rounding")),
            (DIFFERENTIAL_PRIVACY, _l("Differential privacy (uses privacy budget)")),
        ],
        default=STANDARD,
    )


def _form(regional: bool) -> ReportForm:
    form = ReportForm(request.args)
    form.period.choices = period_choices()
    if not form.period.data:
        form.period.data = form.period.choices[0][0]
    if not regional:
        form.mode.choices = form.mode.choices[:1]
    if not form.mode.data:
        form.mode.data = STANDARD
    if not form.validate():
        abort(404)
    return form


def _results(regional: bool, templates: tuple[str, ...]) -> tuple[ReportForm, Period, list[Any]]:
    form = _form(regional)
    period = Period(form.period.data)
    results = build_report(current_user, period, templates, form.mode.data, _today())
    return form, period, results


def _dashboard(regional: bool) -> str:
    period = recent_periods(QUARTER, _today(), 1)[0]
    results = build_report(current_user, period, DASHBOARD_TEMPLATES, STANDARD, _today())
    panels = []
    for result in results:
        table = labelled(result)
        chart = (
            bar_chart(result.published, table.row_labels) if table and result.published else None
        )
        panels.append({"result": result, "table": table, "chart": chart})
    return render_template(
        "reports/dashboard.html",
        regional=regional,
        period=period,
        panels=panels,
        scope=scope_label(scope_of(current_user), current_user),
    )


def _report(regional: bool) -> str:
    form, period, results = _results(regional, QUARTERLY_REPORT)
    tables = [{"result": r, "table": labelled(r)} for r in results]
    budget = None
    if regional:
        cfg = current_app.config
        budget = budget_status(period.year, cfg["REPORT_DP_BUDGET"])
    return render_template(
        "reports/report.html",
        regional=regional,
        form=form,
        period=period,
        tables=tables,
        budget=budget,
        scope=scope_label(scope_of(current_user), current_user),
    )


def _download(regional: bool, fmt: str) -> Response:
    if fmt not in EXPORTS:
        abort(404)
    form, period, results = _results(regional, QUARTERLY_REPORT)
    writer, mimetype = EXPORTS[fmt]
    data = writer(document(results, user=current_user, period=period, mode=form.mode.data))
    audit.record(
        "report.exported", actor=current_user, detail=f"{fmt} {period.key} {form.mode.data}"
    )
    name = f"casework-report-{period.key}-{form.mode.data}.{fmt}"
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.route("/agency")
@permission(Action.VIEW_AGENCY_REPORTS)
def agency_dashboard() -> str:
    return _dashboard(regional=False)


@bp.route("/agency/report")
@permission(Action.VIEW_AGENCY_REPORTS)
def agency_report() -> str:
    return _report(regional=False)


@bp.route("/agency/report.<fmt>")
@permission(Action.VIEW_AGENCY_REPORTS)
def agency_download(fmt: str) -> Response:
    return _download(False, fmt)


@bp.route("/regional")
@permission(Action.VIEW_REGIONAL_REPORTS)
def regional_dashboard() -> str:
    return _dashboard(regional=True)


@bp.route("/regional/report")
@permission(Action.VIEW_REGIONAL_REPORTS)
def regional_report() -> str:
    return _report(regional=True)


@bp.route("/regional/report.<fmt>")
@permission(Action.VIEW_REGIONAL_REPORTS)
def regional_download(fmt: str) -> Response:
    return _download(True, fmt)


@bp.route("/regional/release.zip")
@permission(Action.PUBLISH_RELEASE)
def release_package() -> Response:
    """The signed package of the report: CSV, XLSX, JSON and a signed manifest."""
    form, period, results = _results(True, QUARTERLY_REPORT)
    doc = document(results, user=current_user, period=period, mode=form.mode.data)
    files = {"report.csv": to_csv(doc), "report.xlsx": to_xlsx(doc), "report.json": to_json(doc)}
    metadata = dict(doc.metadata)
    metadata["generated_at"] = doc.generated_at.isoformat()
    metadata["release_ids"] = [t.release_id for t in doc.tables]
    data = build_package(files, metadata, keys.keyring().signing_private_key())
    audit.record(
        "report.release_signed", actor=current_user, detail=f"{period.key} {form.mode.data}"
    )
    name = f"casework-release-{period.key}-{form.mode.data}.zip"
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/regional/key")
@permission(Action.VIEW_REGIONAL_REPORTS)
def public_key() -> str:
    key = keys.keyring().signing_private_key().public_key()
    return render_template(
        "reports/public_key.html", pem=public_key_pem(key), fingerprint=public_key_fingerprint(key)
    )
