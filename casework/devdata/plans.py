"""A demo reintegration plan: a Cambodian person identified in Thailand by the Bangkok police
unit, returning home, with a support plan whose action plan is shared with the Phnom Penh
Counselling Centre through an accepted referral (the "support_plan" field group). Steps are
owned by the Phnom Penh agency (its partner named on one) and by the Bangkok unit; one is
done, one overdue, one due soon (the home queues and the reminders show them); the case plan
is approved by the Bangkok supervisor, the assessment waits for a supervisor.

Everything goes through the real operations (consent, referral, audit, timeline,
notifications). Loaded once: nothing is added when the case already has plan steps.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, select

from casework.agencies.models import Agency
from casework.auth.models import User
from casework.cases.assignment.operations import assign_case
from casework.cases.models import Case, CaseCode, Consent
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.devdata.case_data import COUNSELLING, POLICE
from casework.referrals import operations as referral_ops
from casework.services import operations as service_ops
from casework.services.plans import approvals, operations
from casework.services.plans.models import PlanStep


def _user(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def _agency(name: str) -> Agency | None:
    return db.session.execute(select(Agency).where(Agency.name == name)).scalar_one_or_none()


def _returning_case(police: Agency) -> Case | None:
    """The Bangkok unit's first open case of a Cambodian citizen."""
    query = (
        select(Case)
        .where(
            Case.agency_id == police.id,
            Case.erased_at.is_(None),
            Case.codes.any(and_(CaseCode.vocabulary == "citizenship", CaseCode.code == "KH")),
        )
        .order_by(Case.reference)
    )
    return next((c for c in db.session.execute(query).scalars() if not c.is_closed), None)


def load_demo_plan() -> bool:
    """Create the demo reintegration plan; False when it exists (or its case or agencies do
    not)."""
    police, counselling = _agency(POLICE), _agency(COUNSELLING)
    if police is None or counselling is None:
        return False
    case = _returning_case(police)
    if case is None:
        return False
    if db.session.execute(select(PlanStep.id).where(PlanStep.case_id == case.id)).first():
        return False
    supervisor = _user("supervisor@demo.casework.example")
    if case.assigned_to is None:
        assign_case(supervisor, case, _user("caseworker@demo.casework.example").id)
        db.session.refresh(case)
    caseworker = case.assigned_to
    assert caseworker is not None  # noqa: S101 - just assigned
    partner = _user("partner@demo.casework.example")
    today = utcnow().date()
    if not case.has_current_consent(frozenset({"sharing", "referral"}), counselling.id):
        case.consents.append(
            Consent(
                case_id=case.id,
                purpose="referral",
                shared_with_agency_id=counselling.id,
                given_on=max(today - timedelta(days=20), case.identified_on),
                method="signed_form",
                recorded_by_id=caseworker.id,
            )
        )
        db.session.flush()
    referral = referral_ops.create_referral(
        caseworker,
        case,
        to_agency_id=counselling.id,
        services=["reintegration", "psychosocial_counselling"],
        urgency="routine",
        reason="Return to Battambang next week: reintegration and counselling after return.",
        shared_groups=["identity_contact", "support_plan"],
    )
    referral_ops.accept_referral(partner, referral)
    service_ops.save_support_plan(
        caseworker,
        case,
        objectives="A safe return to his family in Battambang, and paid work close to home.",
        planned_end_on=today + timedelta(days=180),
        actual_end_on=None,
        service_types=["return_repatriation", "reintegration", "vocational_training"],
        plan_types=["Health", "Livelihood", "SocialCare"],
        assessment=(
            "Wants to go home; owes the broker for the journey; sleeps badly; his mother and "
            "two sisters in Battambang expect him."
        ),
    )
    steps = []
    for agency, person, days, text in (
        (police, caseworker, -5, "Temporary travel document and escorted return to Poipet."),
        (counselling, partner, -1, "Home visit in Battambang two weeks after the return."),
        (counselling, None, 2, "Enrolment in the motorcycle repair course."),
        (police, caseworker, 30, "Statement by video for the prosecution of the recruiter."),
    ):
        steps.append(
            operations.add_plan_step(
                caseworker,
                case,
                description=text,
                owner_agency_id=str(agency.id),
                owner_user_id=str(person.id) if person else "",
                due_on=today + timedelta(days=days),
            )
        )
    operations.move_plan_step(caseworker, steps[0], "start")
    operations.move_plan_step(caseworker, steps[0], "complete")
    operations.move_plan_step(partner, steps[1], "start")
    case_plan = approvals.request_plan_approval(caseworker, case, kind="case_plan")
    approvals.decide_plan_approval(supervisor, case_plan, approve=True)
    approvals.request_plan_approval(caseworker, case, kind="assessment")
    db.session.flush()
    return True
