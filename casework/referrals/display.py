"""What referral and service templates need: labels, effective status, waiting time, and the
case's referrals and services as the signed-in user may see them (for the case page
partials, which receive only `case`, `groups` and `timeline`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from casework.domain import ReferralStatus
from casework.referrals import bp, expiry
from casework.vocab import (
    DISCONTINUATION_REASONS,
    MODALITIES,
    REFERRAL_STATUSES,
    RISK_FLAGS,
    SERVICE_OUTCOMES,
    SERVICE_STATUSES,
    SERVICE_TYPES,
    SHARED_GROUPS,
    URGENCIES,
)

STATUS_BADGES = {
    ReferralStatus.PENDING: "text-bg-warning",
    ReferralStatus.ACCEPTED: "text-bg-success",
    ReferralStatus.DECLINED: "text-bg-secondary",
    ReferralStatus.COMPLETED: "text-bg-primary",
    ReferralStatus.REVOKED: "text-bg-dark",
    ReferralStatus.EXPIRED: "text-bg-light border",
}


@bp.app_template_global()
def referral_badge(referral: Any) -> str:
    return STATUS_BADGES.get(referral.effective_status, "text-bg-light")


@bp.app_template_global()
def referral_overdue(referral: Any) -> bool:
    return expiry.answer_overdue(referral)


@bp.app_template_global()
def referral_waited(referral: Any) -> str:
    return duration(expiry.waited(referral))


@bp.app_template_global()
def referral_expires_at(referral: Any) -> Any:
    return expiry.expires_at(referral)


def duration(span: timedelta) -> str:
    days = span.days
    if days >= 1:
        return str(ngettext("%(num)d day", "%(num)d days", days))
    hours = span.seconds // 3600
    if hours >= 1:
        return str(ngettext("%(num)d hour", "%(num)d hours", hours))
    return str(_("less than an hour"))


@bp.app_template_global()
def case_page_url(case: Any) -> str | None:
    """The case page (/cases/<id>, the cases blueprint), when the application has one."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule in {"/cases/<uuid:case_id>", "/cases/<case_id>"} and "GET" in (
            rule.methods or ()
        ):
            return url_for(rule.endpoint, case_id=case.id)
    return None


@bp.app_template_global()
def case_referrals(case: Any) -> list[Any]:
    from casework.referrals.queries import case_referrals as query

    return query(current_user, case)


@bp.app_template_global()
def case_services(case: Any) -> list[Any]:
    from casework.services.queries import case_services as query

    return query(current_user, case)


@bp.app_template_global()
def case_support_plan(case: Any) -> Any:
    from casework.services.queries import support_plan

    return support_plan(current_user, case)


@bp.app_template_global()
def dashboard_tasks() -> list[Any]:
    from casework.tasks import dashboard_tasks as tasks

    return tasks(current_user)


@bp.app_template_global()
def iso_day(value: Any) -> str:
    """A date or a moment as an ISO day (unambiguous across the region's languages)."""
    if value is None:
        return ""
    return str(value.date().isoformat() if hasattr(value, "date") else value.isoformat())


@bp.record_once
def _labels(state: Any) -> None:
    state.app.jinja_env.globals.update(
        service_type_label=SERVICE_TYPES.label,
        service_status_label=SERVICE_STATUSES.label,
        referral_status_label=REFERRAL_STATUSES.label,
        urgency_label=URGENCIES.label,
        shared_group_label=SHARED_GROUPS.label,
        modality_label=MODALITIES.label,
        risk_flag_label=RISK_FLAGS.label,
        outcome_label=SERVICE_OUTCOMES.label,
        discontinuation_label=DISCONTINUATION_REASONS.label,
        referral_status_badges=STATUS_BADGES,
    )
