"""Service operations: the support plan, service records (optimistic locking), counselling
sessions (risk flags alert the case's caseworker). Audited, on the case timeline, flushed,
never committed."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from casework import audit
from casework.auth.models import User
from casework.cases.guard import Change, ensure_may_change, service_change
from casework.cases.models import Case
from casework.cases.timeline import add_entry
from casework.core.db import parse_uuid
from casework.core.errors import OperationError
from casework.core.extensions import db
from casework.domain import SERVICE_TRANSITIONS, PlanApprovalKind, ServiceEvent, ServiceStatus
from casework.notifications.operations import case_owners, link_to, notify
from casework.policy import Action, require
from casework.referrals.models import Referral
from casework.services.models import CounsellingSession, ServiceRecord, SupportPlan
from casework.services.plans.approvals import supersede_approvals
from casework.vocab import (
    COUNSELLING_SERVICE,
    DISCONTINUATION_REASONS,
    MODALITIES,
    RISK_FLAGS,
    SERVICE_OUTCOMES,
    SERVICE_STATUSES,
    SERVICE_TYPES,
    SUPPORT_PLAN_TYPES,
)

NOTES_MAX = 5000
MAX_SESSION_MINUTES = 480


class ServiceError(OperationError):
    """Input a service record, session or support plan cannot take."""


class StaleRecord(ServiceError):
    """Someone else saved the record since this form was opened: nothing was overwritten."""


def _code(value: Any, vocabulary: Any, field: str, *, optional: bool = False) -> str | None:
    code = str(value or "")
    if not code and optional:
        return None
    if code not in vocabulary:
        raise ServiceError(_("Not a valid choice."), field)
    return code


def _notes(value: Any, field: str = "notes") -> str | None:
    text = str(value or "").strip()
    if len(text) > NOTES_MAX:
        raise ServiceError(_("Enter at most %(n)d characters.", n=NOTES_MAX), field)
    return text or None


def _date(value: Any) -> date | None:
    return value if isinstance(value, date) else None


def service_date_problem(start: Any, due: Any, end: Any) -> tuple[str, str] | None:
    """The one rule on a service record's dates, for the form and the operation alike: a
    service cannot be due, nor end, before it starts (a due date before the start would be
    an overdue task the moment it is saved). (field, message) of the first problem, or None."""
    start, due, end = _date(start), _date(due), _date(end)
    if start and due and due < start:
        return "due_on", _("The due date cannot be before the start date.")
    if start and end and end < start:
        return "end_on", _("The end date cannot be before the start date.")
    return None


# ---- support plan --------------------------------------------------------------------------


def save_support_plan(
    actor: User,
    case: Case,
    *,
    objectives: Any,
    planned_end_on: Any,
    actual_end_on: Any,
    service_types: Any,
    plan_types: Any = None,
    assessment: Any = None,
) -> SupportPlan:
    """Create or update the case's support plan (the owning agency). A change to the
    assessment supersedes its approval; a change to the rest, the case plan's (decision
    0096)."""
    require(actor, Action.EDIT_CASE, case)
    ensure_may_change(case, Change.EDIT_SUPPORT_PLAN, ServiceError)
    codes = sorted({str(c) for c in (service_types or [])})
    for code in codes:
        _code(code, SERVICE_TYPES, "service_types")
    wanted_types = {str(c) for c in (plan_types or [])}
    for code in wanted_types:
        _code(code, SUPPORT_PLAN_TYPES, "plan_types")
    types = [code for code in SUPPORT_PLAN_TYPES.codes if code in wanted_types]
    planned, actual = _date(planned_end_on), _date(actual_end_on)
    plan = db.session.execute(
        select(SupportPlan).where(SupportPlan.case_id == case.id)
    ).scalar_one_or_none()
    created = plan is None
    if plan is None:
        plan = SupportPlan(case_id=case.id, case=case)
        db.session.add(plan)
    values = {
        "objectives": _notes(objectives, "objectives"),
        "planned_end_on": planned,
        "actual_end_on": actual,
        "service_types": codes,
        "plan_types": types,
    }
    new_assessment = _notes(assessment, "assessment")
    changed = [name for name, value in values.items() if getattr(plan, name, None) != value]
    assessment_changed = (plan.assessment or None) != new_assessment
    for name, value in values.items():
        setattr(plan, name, value)
    plan.assessment = new_assessment
    db.session.flush()
    event = "support_plan.created" if created else "support_plan.updated"
    audit.record(event, actor=actor, target=plan, detail=",".join(types + codes)[:200] or None)
    add_entry(case, event, actor=actor, target=plan)
    if not created:
        if assessment_changed:
            supersede_approvals(actor, plan, [PlanApprovalKind.ASSESSMENT])
        if changed:
            supersede_approvals(actor, plan, [PlanApprovalKind.CASE_PLAN])
    db.session.flush()
    return plan


# ---- service records -----------------------------------------------------------------------


def _record_values(values: dict[str, Any]) -> dict[str, Any]:
    status = _code(values.get("status"), SERVICE_STATUSES, "status")
    reason = _code(
        values.get("discontinued_reason"),
        DISCONTINUATION_REASONS,
        "discontinued_reason",
        optional=True,
    )
    if status == ServiceStatus.DISCONTINUED and reason is None:
        raise ServiceError(_("Say why the service was discontinued."), "discontinued_reason")
    if status != ServiceStatus.DISCONTINUED:
        reason = None
    start, due, end = (_date(values.get(name)) for name in ("start_on", "due_on", "end_on"))
    problem = service_date_problem(start, due, end)
    if problem is not None:
        field, message = problem
        raise ServiceError(message, field)
    return {
        "service_type": _code(values.get("service_type"), SERVICE_TYPES, "service_type"),
        "status": status,
        "discontinued_reason": reason,
        "start_on": start,
        "end_on": end,
        "due_on": due,
        "outcome": _code(values.get("outcome"), SERVICE_OUTCOMES, "outcome", optional=True),
    }


def _open_referral(case: Case, agency_id: Any) -> Referral | None:
    referrals = case.open_referrals_to(agency_id)
    return max(referrals, key=lambda r: r.created_at) if referrals else None


def create_service_record(actor: User, case: Case, **values: Any) -> ServiceRecord:
    """A service the actor's agency provides to the person of `case` (a partner: under the
    open referral to it)."""
    require(actor, Action.RECORD_SERVICE, case)
    ensure_may_change(case, service_change(actor, case, Change.RECORD_SERVICE), ServiceError)
    fields = _record_values(values)
    notes = _notes(values.get("notes"))
    referral = _open_referral(case, actor.agency_id) if actor.agency_id != case.agency_id else None
    record = ServiceRecord(
        case_id=case.id,
        case=case,
        provider_agency_id=actor.agency_id,
        referral_id=referral.id if referral else None,
        created_by_id=actor.id,
        **fields,
    )
    db.session.add(record)
    record.notes = notes
    db.session.flush()
    audit.record("service.recorded", actor=actor, target=record, detail=record.service_type)
    add_entry(case, "service.recorded", actor=actor, detail=record.service_type, target=record)
    db.session.flush()
    return record


def update_service_record(
    actor: User, record: ServiceRecord, *, version: Any, **values: Any
) -> list[str]:
    """Save changes made on a form opened at `version`. Someone else's newer save is never
    overwritten: StaleRecord, and the person sees both."""
    require(actor, Action.EDIT_SERVICE, record)
    ensure_may_change(
        record.case, service_change(actor, record.case, Change.EDIT_SERVICE), ServiceError
    )
    try:
        opened_at = int(version)
    except (TypeError, ValueError):
        opened_at = -1
    if opened_at != record.version:
        raise StaleRecord(
            _(
                "Someone else saved this service record after you opened it. Nothing you typed "
                "was saved: compare with the current version below and save again."
            )
        )
    fields = _record_values(values)
    if fields["status"] != record.status and not SERVICE_TRANSITIONS.allowed(
        record.status, fields["status"]
    ):
        raise ServiceError(
            _(
                "A service record cannot go from %(current)s to %(wanted)s.",
                current=SERVICE_STATUSES.label(record.status),
                wanted=SERVICE_STATUSES.label(fields["status"]),
            ),
            "status",
        )
    fields["notes"] = _notes(values.get("notes"))
    changed = [name for name, value in fields.items() if getattr(record, name) != value]
    for name in changed:
        setattr(record, name, fields[name])
    if not changed:
        return []
    try:
        db.session.flush()
    except StaleDataError as error:  # a save that landed between our read and our write
        db.session.rollback()  # the request fails (409) anyway; the record reloads as saved
        raise StaleRecord(
            _(
                "Someone else saved this service record at the same moment. Nothing you typed "
                "was saved: reload and save again."
            )
        ) from error
    audit.record("service.updated", actor=actor, target=record, detail=",".join(changed))
    detail = record.status if "status" in changed else None
    add_entry(record.case, "service.updated", actor=actor, detail=detail, target=record)
    db.session.flush()
    return changed


# ---- counselling sessions ------------------------------------------------------------------


def counsellor_choices(agency_id: Any) -> list[User]:
    query = select(User).where(User.agency_id == agency_id, User.active.is_(True))
    return list(db.session.execute(query.order_by(User.name)).scalars())


def record_session(actor: User, service: ServiceRecord, **values: Any) -> CounsellingSession:
    """A counselling session under a counselling service. Risk flags alert the case's
    caseworker at once (a notification: the case reference and a link, nothing else)."""
    require(actor, Action.EDIT_SERVICE, service)
    require(actor, Action.RECORD_SERVICE, service.case)
    ensure_may_change(
        service.case, service_change(actor, service.case, Change.RECORD_SERVICE), ServiceError
    )
    if service.service_type != COUNSELLING_SERVICE:
        raise ServiceError(_("Sessions are recorded under a counselling service only."))
    held_on = _date(values.get("held_on"))
    if held_on is None:
        raise ServiceError(_("Enter the date of the session."), "held_on")
    try:
        minutes = int(values.get("duration_minutes") or 0)
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= MAX_SESSION_MINUTES:
        raise ServiceError(
            _("Enter a duration from 1 to %(n)d minutes.", n=MAX_SESSION_MINUTES),
            "duration_minutes",
        )
    modality = _code(values.get("modality"), MODALITIES, "modality")
    flags = sorted({str(f) for f in (values.get("risk_flags") or [])})
    for flag in flags:
        _code(flag, RISK_FLAGS, "risk_flags")
    next_on = _date(values.get("next_appointment_on"))
    if next_on is not None and next_on < held_on:
        raise ServiceError(
            _("The next appointment cannot be before this session."), "next_appointment_on"
        )
    counsellor = _counsellor(values.get("counsellor_id"), service.provider_agency_id)

    session = CounsellingSession(
        case_id=service.case_id,
        case=service.case,
        service_id=service.id,
        held_on=held_on,
        duration_minutes=minutes,
        counsellor_id=counsellor.id,
        modality=modality,
        risk_flags=flags,
        next_appointment_on=next_on,
    )
    service.sessions.append(session)
    session.notes = _notes(values.get("notes"))
    session.shared_summary = _notes(values.get("shared_summary"), "shared_summary")
    if service.allows(ServiceEvent.START):  # a session starts a planned service
        service.status = SERVICE_TRANSITIONS.transition(service.status, ServiceEvent.START)
        service.start_on = service.start_on or held_on
    db.session.flush()
    audit.record("counselling.session_recorded", actor=actor, target=session, detail=modality)
    add_entry(service.case, "counselling.session_recorded", actor=actor, target=session)
    if flags:
        audit.record(
            "counselling.risk_flagged", actor=actor, target=session, detail=",".join(flags)
        )
        add_entry(
            service.case,
            "counselling.risk_flagged",
            actor=actor,
            detail=",".join(flags)[:200],
            target=session,
        )
        link = link_to("services.view_service", service_id=service.id)
        notify(case_owners(service.case), "risk_alert", case=service.case, link=link)
    db.session.flush()
    return session


def _counsellor(value: Any, agency_id: Any) -> User:
    ident = parse_uuid(value)
    user = db.session.get(User, ident) if ident else None
    if user is None or user.agency_id != agency_id or not user.active:
        raise ServiceError(_("Choose a counsellor of the providing agency."), "counsellor_id")
    return user
