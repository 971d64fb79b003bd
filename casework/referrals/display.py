"""What referral templates need: labels, effective status, waiting time, and the case's
referrals as the signed-in user may see them (for the case page panel). Declared in
TEMPLATE_GLOBALS, registered by the app factory (casework.web.templating)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from casework.domain import OPEN_REFERRAL_STATUSES, ReferralStatus
from casework.referrals import expiry, queries
from casework.vocab import (
    REFERRAL_REASONS,
    REFERRAL_STATUSES,
    ROUTINE_URGENCY,
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


def referral_badge(referral: Any) -> str:
    return STATUS_BADGES.get(referral.effective_status, "text-bg-light")


def referral_overdue(referral: Any) -> bool:
    return expiry.answer_overdue(referral)


def referral_waited(referral: Any) -> str:
    return duration(expiry.waited(referral))


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


def case_page_url(case: Any) -> str | None:
    """The case page (/cases/<id>, the cases blueprint), when the application has one."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule in {"/cases/<uuid:case_id>", "/cases/<case_id>"} and "GET" in (
            rule.methods or ()
        ):
            return url_for(rule.endpoint, case_id=case.id)
    return None


def case_referrals(case: Any) -> list[Any]:
    """The case's referrals the signed-in user may see (its panel on the case page)."""
    return queries.case_referrals(current_user, case)


def case_open_referrals(case: Any) -> list[Any]:
    """The case's open referrals (pending or accepted) the signed-in user may see (the case
    overview)."""
    return [
        referral
        for referral in case_referrals(case)
        if referral.effective_status in OPEN_REFERRAL_STATUSES
    ]


def urgent(referral: Any) -> bool:
    """Anything but routine: shown as urgent (the overview, the home queues)."""
    return bool(referral.urgency != ROUTINE_URGENCY)


TEMPLATE_GLOBALS: dict[str, Any] = {
    "case_open_referrals": case_open_referrals,
    "referral_urgent": urgent,
    "referral_badge": referral_badge,
    "referral_overdue": referral_overdue,
    "referral_waited": referral_waited,
    "referral_expires_at": referral_expires_at,
    "case_page_url": case_page_url,
    "case_referrals": case_referrals,
    "referral_status_label": REFERRAL_STATUSES.label,
    "urgency_label": URGENCIES.label,
    "referral_reason_label": REFERRAL_REASONS.label,
    "shared_group_label": SHARED_GROUPS.label,
    "referral_status_badges": STATUS_BADGES,
}
