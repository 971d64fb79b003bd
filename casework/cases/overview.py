"""The facts of the case overview that the cases feature knows: who the person is (only for
a viewer who may see the identity group), the risk level (health group) and the case's own
alerts (for its owning agency). Referrals and services add theirs in their own overview
panels (casework/cases/panels.py, decision 0115)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_login import current_user

from casework.cases.lifecycle.closure import closure_pending
from casework.cases.presenting import code_label
from casework.domain import PROCESSING_CONSENT_PURPOSE
from casework.web.dates import local_today


@dataclass(frozen=True)
class PersonFacts:
    name: str | None = None
    age: str | None = None
    sex: str | None = None
    languages: str | None = None
    risk: str | None = None  # the code (the template labels it and picks the badge)
    alerts: list[str] = field(default_factory=list)
    identity_shown: bool = False


def _years_between(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _age(case: Any, person: Any, today: date) -> str | None:
    """Today's age from the date of birth when known, else the age at identification."""
    born_text = getattr(person, "date_of_birth", None) if person is not None else None
    if born_text:
        try:
            born = date.fromisoformat(str(born_text))
        except ValueError:
            born = None
        if born is not None and born <= today:
            return str(_years_between(born, today))
    if case.age_at_identification is not None:
        return str(
            _("%(years)d at identification", years=case.age_at_identification),
        )
    return None


def case_alerts(case: Any, user: Any) -> list[str]:
    """What the owning agency must not miss on this case (another agency sees none of it)."""
    if case.is_erased or case.agency_id != getattr(user, "agency_id", None):
        return []
    alerts = []
    if case.processing_restricted:
        alerts.append(str(_("Restricted: consent to data processing withdrawn")))
    elif not case.is_closed and not case.has_current_consent({PROCESSING_CONSENT_PURPOSE}):
        alerts.append(str(_("No current consent to registration")))
    if closure_pending(case):
        alerts.append(str(_("Closure requested: awaiting a supervisor")))
    if not case.is_closed and case.assigned_to_id is None:
        alerts.append(str(_("Nobody is assigned")))
    return alerts


def person_facts(case: Any, groups: frozenset[str], today: date | None = None) -> PersonFacts:
    """The overview's facts about the person, each only when the viewer may see its group."""
    today = today or local_today()
    alerts = case_alerts(case, current_user)
    risk = case.risk_level if "health_notes" in groups else None
    if "identity_contact" not in groups or case.is_erased:
        return PersonFacts(risk=risk, alerts=alerts)
    person = case.person
    return PersonFacts(
        name=getattr(person, "full_name", None) if person is not None else None,
        age=_age(case, person, today),
        sex=code_label("gender", case.gender) if case.gender else None,
        languages=getattr(person, "languages", None) if person is not None else None,
        risk=risk,
        alerts=alerts,
        identity_shown=True,
    )
