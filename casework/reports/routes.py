"""Report pages: a supervisor's agency reports, a coordinator's regional reports.

The same views serve both, under two sets of endpoints that declare different policy
actions; the scope always comes from the signed-in user, never from the request. Pages and
downloads only read releases already in the ledger; building a report (POST) releases its
tables, so every figure anyone has seen is on record, and a repeat gets the stored release.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from casework import audit
from casework.encryption import keys
from casework.policy import Action
from casework.reports import bp
from casework.reports.charts import bar_chart
from casework.reports.disclosure import DIFFERENTIAL_PRIVACY, STANDARD
from casework.reports.exports import to_csv, to_json, to_xlsx
from casework.reports.ledger import Refused, budget_scope, budget_status, released_with_dp
from casework.reports.models import ReportPublication
from casework.reports.notes import nothing_published
from casework.reports.package import public_key_fingerprint, public_key_pem
from casework.reports.publications import REPORT, SYNTHETIC, stored_publication
from casework.reports.publishing import charts_for, publish_report, publish_synthetic
from casework.reports.request import (
    MONTH,
    QUARTER,
    YEAR,
    Period,
    ReportRequest,
    recent_periods,
)
from casework.reports.service import (
    TableResult,
    build_report,
    document,
    download_name,
    labelled,
    report_templates,
    scope_label,
    scope_of,
    stored_report,
)
from casework.reports.templates import DASHBOARD_TEMPLATES, TEMPLATES
from casework.web.access import permission

EXPORTS: dict[str, tuple[Callable[..., bytes], str]] = {
    "csv": (to_csv, "text/csv"),  # Flask adds "; charset=utf-8" to text types
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": (to_json, "application/json"),
}
MODE_LABELS = {
    DIFFERENTIAL_PRIVACY: _l("Differential privacy (the regional release; spends privacy budget)"),
    STANDARD: _l("Suppression and rounding"),
}


def mode_choices(regional: bool = True, standard: bool = True) -> list[SelectChoice]:
    """The methods offered: differential privacy (first, the default) only for regional
    reports; suppression unless `standard` is False (people already released with DP)."""
    modes = (DIFFERENTIAL_PRIVACY, STANDARD) if regional else (STANDARD,)
    if not standard:
        modes = (DIFFERENTIAL_PRIVACY,)
    return [SelectChoice(value=mode, label=str(MODE_LABELS[mode])) for mode in modes]


def _standard_offered(regional: bool, period: Period) -> bool:
    """Suppressed tables are no longer offered for people released with DP."""
    if not regional:
        return True
    probe = ReportRequest("victims_by_gender", "cases", scope_of(current_user), period, STANDARD)
    return not released_with_dp(probe)


def _today() -> date:
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
    """Which report to see (GET: it only chooses)."""

    class Meta:
        csrf = False

    period = SelectField(_l("Period"))
    mode = SelectField(_l("Method"), choices=mode_choices)


class BuildForm(FlaskForm):
    """Build (release) a report: a POST with CSRF, since it writes to the ledger."""

    period = HiddenField(validators=[DataRequired()])
    mode = HiddenField(validators=[DataRequired()])


def _default_mode(regional: bool, period: Period) -> str:
    """No method asked: the one the period's report was released with, else differential
    privacy for regional reports (the default), suppression for an agency's."""
    if not regional:
        return STANDARD
    for mode in (DIFFERENTIAL_PRIVACY, STANDARD):
        if any(
            r.release
            for r in stored_report(current_user, period, (report_templates(mode)[0],), mode)
        ):
            return mode
    return DIFFERENTIAL_PRIVACY


def _choose(form: ReportForm | BuildForm, regional: bool) -> tuple[Period, str]:
    """The period and mode asked for, from the allowed choices only (404 otherwise)."""
    periods = dict(period_choices())
    period = form.period.data or next(iter(periods))
    if period not in periods:
        abort(404)
    mode = form.mode.data or _default_mode(regional, Period(period))
    allowed_modes = {STANDARD, DIFFERENTIAL_PRIVACY} if regional else {STANDARD}
    if mode not in allowed_modes:
        abort(404)
    return Period(period), mode


def _view(regional: bool) -> str:
    return "reports.regional_report" if regional else "reports.agency_report"


def _dashboard(regional: bool) -> str:
    period = recent_periods(QUARTER, _today(), 1)[0]
    results = stored_report(current_user, period, DASHBOARD_TEMPLATES, STANDARD)
    tables = [r.published for r in results if r.published is not None]
    panels = []
    for result in results:
        table = labelled(result)
        published = result.published
        order = "code" if TEMPLATES[result.template].ordinal else "count"
        chart = bar_chart(published, table.row_labels, order=order) if table and published else None
        panels.append({"result": result, "table": table, "chart": chart})
    build = BuildForm(data={"period": period.key, "mode": STANDARD})
    return render_template(
        "reports/dashboard.html",
        regional=regional,
        period=period,
        panels=panels,
        pending=any(r.release is None for r in results),
        nothing_shown=bool(tables) and all(nothing_published(t) for t in tables),
        build=build,
        scope=scope_label(scope_of(current_user), current_user),
    )


def _report(regional: bool) -> str:
    form = ReportForm(request.args)
    form.period.choices = [SelectChoice(value=key, label=label) for key, label in period_choices()]
    period, mode = _choose(form, regional)
    form.mode.choices = mode_choices(regional, _standard_offered(regional, period))
    form.period.data, form.mode.data = period.key, mode
    results = stored_report(current_user, period, report_templates(mode), mode)
    published = [r.published for r in results if r.published is not None]
    cfg = current_app.config
    scope = scope_of(current_user)
    synthetic = (
        stored_publication(SYNTHETIC, scope, period, mode)
        if regional and mode == DIFFERENTIAL_PRIVACY
        else None
    )
    return render_template(
        "reports/report.html",
        regional=regional,
        form=form,
        build=BuildForm(data={"period": period.key, "mode": mode}),
        period=period,
        mode=mode,
        tables=[{"result": r, "table": labelled(r)} for r in results],
        pending=sum(r.release is None for r in results),
        complete=bool(published),
        nothing_shown=bool(published) and all(nothing_published(p) for p in published),
        budget=budget_status(period.year, cfg["REPORT_DP_BUDGET"], budget_scope(scope))
        if regional
        else None,
        epsilon=cfg["REPORT_DP_EPSILON"],
        synthetic_epsilon=cfg["REPORT_SYNTHETIC_EPSILON"],
        synthetic=synthetic,
        synthetic_form=BuildForm(data={"period": period.key, "mode": mode}),
        charts=charts_for(results),
        scope=scope_label(scope, current_user),
    )


def _build(regional: bool, templates: tuple[str, ...] | None, back: str) -> BaseResponse:
    form = BuildForm()
    if not form.validate_on_submit():
        abort(400)
    period, mode = _choose(form, regional)
    chosen = templates if templates is not None else report_templates(mode)
    results = build_report(current_user, period, chosen, mode, _today())
    if regional and back == "report" and any(r.release is not None for r in results):
        publish_report(current_user, period, mode, results)
    for result in results:
        if result.refusal:
            flash(result.refusal, "warning")
    released = sum(r.release is not None for r in results)
    flash(_("%(n)s of %(total)s tables are available.", n=released, total=len(results)), "info")
    if back == "dashboard":
        return redirect(url_for(f"reports.{'regional' if regional else 'agency'}_dashboard"))
    return redirect(url_for(_view(regional), period=period.key, mode=mode))


def _released(regional: bool) -> tuple[Period, str, list[TableResult]]:
    form = ReportForm(request.args)
    period, mode = _choose(form, regional)
    return period, mode, stored_report(current_user, period, report_templates(mode), mode)


def _build_first(regional: bool, period: Period, mode: str) -> BaseResponse:
    """Nothing of this report is released yet: back to the report page, which offers it."""
    flash(_("Build the report before downloading it."), "info")
    return redirect(url_for(_view(regional), period=period.key, mode=mode))


def _download(regional: bool, fmt: str) -> BaseResponse:
    if fmt not in EXPORTS:
        abort(404)
    period, mode, results = _released(regional)
    if not any(r.release is not None for r in results):
        return _build_first(regional, period, mode)
    writer, mimetype = EXPORTS[fmt]
    data = writer(document(results, user=current_user, period=period, mode=mode))
    audit.record("report.export.read", actor=current_user, detail=f"{fmt} {period.key} {mode}")
    name = download_name(results, period, mode, fmt)
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.route("/agency")
@permission(Action.VIEW_AGENCY_REPORTS)
def agency_dashboard() -> str:
    return _dashboard(regional=False)


@bp.route("/agency/dashboard", methods=["POST"])
@permission(Action.VIEW_AGENCY_REPORTS)
def agency_prepare() -> BaseResponse:
    return _build(False, DASHBOARD_TEMPLATES, "dashboard")


@bp.route("/agency/report")
@permission(Action.VIEW_AGENCY_REPORTS)
def agency_report() -> str:
    return _report(regional=False)


@bp.route("/agency/report", methods=["POST"])
@permission(Action.VIEW_AGENCY_REPORTS)
def agency_build() -> BaseResponse:
    return _build(False, None, "report")


@bp.route("/agency/report.<fmt>")
@permission(Action.VIEW_AGENCY_REPORTS)
def agency_download(fmt: str) -> BaseResponse:
    return _download(False, fmt)


@bp.route("/regional")
@permission(Action.VIEW_REGIONAL_REPORTS)
def regional_dashboard() -> str:
    return _dashboard(regional=True)


@bp.route("/regional/dashboard", methods=["POST"])
@permission(Action.VIEW_REGIONAL_REPORTS)
def regional_prepare() -> BaseResponse:
    return _build(True, DASHBOARD_TEMPLATES, "dashboard")


@bp.route("/regional/report")
@permission(Action.VIEW_REGIONAL_REPORTS)
def regional_report() -> str:
    return _report(regional=True)


@bp.route("/regional/report", methods=["POST"])
@permission(Action.VIEW_REGIONAL_REPORTS)
def regional_build() -> BaseResponse:
    return _build(True, None, "report")


@bp.route("/regional/report.<fmt>")
@permission(Action.VIEW_REGIONAL_REPORTS)
def regional_download(fmt: str) -> BaseResponse:
    return _download(True, fmt)


def _package_response(publication: ReportPublication) -> BaseResponse:
    return Response(
        publication.package,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{publication.filename}"'},
    )


@bp.route("/regional/release.zip")
@permission(Action.PUBLISH_RELEASE)
def release_package() -> BaseResponse:
    """The signed package published when the report was built (CSV, XLSX, JSON and a
    signed manifest): the same file at every download, named by its content."""
    period, mode, results = _released(True)
    publication = stored_publication(REPORT, scope_of(current_user), period, mode)
    if publication is None:
        if not any(r.release is not None for r in results):
            return _build_first(True, period, mode)
        # Tables released from the dashboard only: the package is published now, once.
        publication = publish_report(current_user, period, mode, results)
    audit.record("report.package.read", actor=current_user, detail=f"{period.key} {mode}")
    return _package_response(publication)


@bp.route("/regional/synthetic", methods=["POST"])
@permission(Action.PUBLISH_RELEASE)
def synthetic_build() -> BaseResponse:
    """Publish the differentially private synthetic data set of the period (spends the
    synthetic data's epsilon from the scope's budget, once)."""
    form = BuildForm()
    if not form.validate_on_submit():
        abort(400)
    period, _mode = _choose(form, True)
    try:
        publish_synthetic(current_user, period, _today())
    except Refused as refusal:
        flash(str(refusal), "warning")
    else:
        flash(_("The synthetic data set is published."), "info")
    return redirect(
        url_for("reports.regional_report", period=period.key, mode=DIFFERENTIAL_PRIVACY)
    )


@bp.route("/regional/synthetic.zip")
@permission(Action.PUBLISH_RELEASE)
def synthetic_package() -> BaseResponse:
    form = ReportForm(request.args)
    period, _mode = _choose(form, True)
    publication = stored_publication(
        SYNTHETIC, scope_of(current_user), period, DIFFERENTIAL_PRIVACY
    )
    if publication is None:
        flash(_("Publish the synthetic data set before downloading it."), "info")
        return redirect(
            url_for("reports.regional_report", period=period.key, mode=DIFFERENTIAL_PRIVACY)
        )
    audit.record("report.synthetic.read", actor=current_user, detail=period.key)
    return _package_response(publication)


@bp.route("/regional/key")
@permission(Action.VIEW_REGIONAL_REPORTS)
def public_key() -> str:
    key = keys.keyring().signing_private_key().public_key()
    return render_template(
        "reports/public_key.html", pem=public_key_pem(key), fingerprint=public_key_fingerprint(key)
    )
