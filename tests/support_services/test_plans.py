"""Support plans as working plans: HTCDS plan types, the action plan's step life cycle, the
approvals with four eyes (decisions 0094, 0096), partner visibility through a referral that
shares the plan, and the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.cases.models import TimelineEntry
from casework.core.db import utcnow
from casework.core.extensions import db
from casework.domain import PlanApprovalStatus, PlanStepStatus
from casework.main.tasks import all_tasks
from casework.notifications.mailer import MEMORY_OUTBOX
from casework.notifications.models import Notification
from casework.policy import Action, PermissionDenied, Role, can
from casework.services import operations as service_ops
from casework.services.plans import approvals, operations, reminders
from casework.services.plans.models import PlanApproval, PlanStep
from casework.services.plans.queries import plan_view
from casework.services.plans.scopes import approvals_awaiting, visible_plan_steps
from casework.vocab import SUPPORT_PLAN_TYPES
from tests import factories
from tests.conftest import csrf_token, sign_in_directly
from tests.referrals.conftest import World

DUE = date(2027, 1, 15)


def _step(world: World, *, agency=None, person=None, due=DUE, text="Canary: visit the family"):
    return operations.add_plan_step(
        world.caseworker.user,
        world.case,
        description=text,
        owner_agency_id=str((agency or world.police).id),
        owner_user_id=str(person.id) if person else "",
        due_on=due,
    )


def _share_plan(world: World, groups=("support_plan",), status="accepted"):
    return factories.make_referral(world.case, world.ngo, status=status, shared_groups=groups)


def _events(code: str) -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == code)).scalars())


def _timeline(code: str) -> list[TimelineEntry]:
    return list(
        db.session.execute(select(TimelineEntry).where(TimelineEntry.kind == code)).scalars()
    )


def test_plan_types_are_the_htcds_codes_in_the_standards_order(world: World) -> None:
    assert SUPPORT_PLAN_TYPES.codes == (
        "Education",
        "Financial",
        "Health",
        "LabourExploitationRehabilitation",
        "Legal",
        "Livelihood",
        "RightsBasedTraining",
        "SexualExploitationRehabilitation",
        "SocialCare",
    )
    plan = service_ops.save_support_plan(
        world.caseworker.user,
        world.case,
        objectives="Canary objectives",
        planned_end_on=None,
        actual_end_on=None,
        service_types=["reintegration"],
        plan_types=["SocialCare", "Livelihood"],
        assessment="Canary assessment",
    )
    assert plan.plan_types == ["Livelihood", "SocialCare"]
    assert plan.assessment == "Canary assessment"
    assert b"Canary assessment" not in (plan.assessment_ct or b""), "stored encrypted"
    with pytest.raises(service_ops.ServiceError):
        service_ops.save_support_plan(
            world.caseworker.user,
            world.case,
            objectives=None,
            planned_end_on=None,
            actual_end_on=None,
            service_types=[],
            plan_types=["Reintegration"],
        )


def test_step_life_cycle_audited_and_on_the_timeline(world: World) -> None:
    step = _step(world, person=world.caseworker.user)
    assert step.status == PlanStepStatus.PLANNED
    assert step.description == "Canary: visit the family"
    assert b"Canary" not in (step.description_ct or b"")
    operations.move_plan_step(world.caseworker.user, step, "start")
    assert step.status == PlanStepStatus.IN_PROGRESS
    operations.move_plan_step(world.caseworker.user, step, "complete")
    assert step.status == PlanStepStatus.DONE
    assert step.finished_at is not None
    with pytest.raises(operations.PlanStepError):
        operations.move_plan_step(world.caseworker.user, step, "cancel")  # done: re-open first
    with pytest.raises(operations.PlanStepError):
        operations.update_plan_step(world.caseworker.user, step, description="x", due_on=DUE)
    operations.move_plan_step(world.caseworker.user, step, "reopen")
    changed = operations.update_plan_step(
        world.caseworker.user,
        step,
        description="Canary: visit the family and the school",
        due_on=DUE + timedelta(days=7),
        owner_agency_id=str(world.police.id),
        owner_user_id="",
    )
    assert changed == ["description", "due_on", "owner_user_id"]
    operations.move_plan_step(world.supervisor.user, step, "cancel")
    assert step.status == PlanStepStatus.CANCELLED
    with pytest.raises(operations.PlanStepError):
        operations.move_plan_step(world.caseworker.user, step, "start")
    for code in ("added", "started", "completed", "reopened", "changed", "cancelled"):
        events = _events(f"plan_step.{code}")
        assert [e.target_id for e in events] == [str(step.id)], code
        assert len(_timeline(f"plan_step.{code}")) == 1, code
    detail = _events("plan_step.changed")[0].detail or ""
    assert "Canary" not in detail
    assert detail == "description,due_on,owner_user_id"


def test_a_step_needs_a_description_a_due_date_and_an_owner_the_plan_allows(world: World) -> None:
    for values, field in (
        ({"description": " "}, "description"),
        ({"due_on": None}, "due_on"),
        ({"owner_agency_id": str(world.ngo.id)}, "owner_agency_id"),  # plan not shared with it
        ({"owner_user_id": str(world.partner.user.id)}, "owner_user_id"),  # not of the police
    ):
        arguments = {
            "description": "Canary step",
            "owner_agency_id": str(world.police.id),
            "owner_user_id": "",
            "due_on": DUE,
            **values,
        }
        with pytest.raises(operations.PlanStepError) as refused:
            operations.add_plan_step(world.caseworker.user, world.case, **arguments)
        assert refused.value.field == field
    with pytest.raises(PermissionDenied):
        _step_as(world, world.partner.user)


def _step_as(world: World, user):
    return operations.add_plan_step(
        user,
        world.case,
        description="Canary",
        owner_agency_id=str(world.police.id),
        due_on=DUE,
    )


def test_partner_sees_and_works_on_its_steps_through_a_referral_sharing_the_plan(
    world: World,
) -> None:
    police_step = _step(world)
    _share_plan(world)
    ngo_step = _step(world, agency=world.ngo, person=world.partner.user)
    partner = world.partner.user
    view = plan_view(partner, world.case)
    assert view is not None
    assert [s.id for s in view.steps] == [police_step.id, ngo_step.id]
    listed = db.session.execute(visible_plan_steps(partner)).scalars().all()
    assert {s.id for s in listed} == {police_step.id, ngo_step.id}
    operations.move_plan_step(partner, ngo_step, "start")
    operations.update_plan_step(
        partner, ngo_step, description="Canary: livelihood grant", due_on=DUE
    )
    with pytest.raises(PermissionDenied):
        operations.move_plan_step(partner, police_step, "start")  # not its step
    with pytest.raises(PermissionDenied):
        operations.move_plan_step(partner, ngo_step, "cancel")  # the owner cancels
    assert not can(world.legal_partner.user, Action.VIEW_SUPPORT_PLAN, world.case)
    assert plan_view(world.legal_partner.user, world.case) is None
    assert db.session.execute(visible_plan_steps(world.legal_partner.user)).scalars().all() == []


def test_no_partner_visibility_without_a_referral_sharing_the_plan(world: World) -> None:
    _step(world)
    referral = _share_plan(world, groups=("trafficking_context",))
    partner = world.partner.user
    assert can(partner, Action.VIEW_CASE, world.case)
    assert plan_view(partner, world.case) is None
    assert db.session.execute(visible_plan_steps(partner)).scalars().all() == []
    referral.shared_groups = ["trafficking_context", "support_plan"]
    db.session.flush()
    assert plan_view(partner, world.case) is not None
    referral.status = "completed"  # the referral ends: so does the plan's sharing
    db.session.flush()
    db.session.expire_all()
    assert plan_view(partner, world.case) is None
    assert db.session.execute(visible_plan_steps(partner)).scalars().all() == []


def _plan_with_assessment(world: World):
    return service_ops.save_support_plan(
        world.caseworker.user,
        world.case,
        objectives="Canary objectives",
        planned_end_on=None,
        actual_end_on=None,
        service_types=[],
        plan_types=["SocialCare"],
        assessment="Canary assessment",
    )


def test_approval_four_eyes(world: World) -> None:
    _plan_with_assessment(world)
    other_supervisor = factories.make_user(Role.SUPERVISOR, world.police).user
    request = approvals.request_plan_approval(world.supervisor.user, world.case, kind="case_plan")
    assert request.status == PlanApprovalStatus.PENDING
    notified = db.session.execute(
        select(Notification.user_id).where(Notification.kind == "plan_approval_requested")
    ).scalars()
    assert set(notified) == {other_supervisor.id}, "the requester is not asked"
    with pytest.raises(PermissionDenied):
        approvals.decide_plan_approval(world.supervisor.user, request, approve=True)
    with pytest.raises(PermissionDenied):
        approvals.decide_plan_approval(world.caseworker.user, request, approve=True)
    with pytest.raises(PermissionDenied):
        approvals.decide_plan_approval(world.ngo_supervisor.user, request, approve=True)
    assert [
        a.id for a in db.session.execute(approvals_awaiting(world.supervisor.user)).scalars()
    ] == []
    assert [a.id for a in db.session.execute(approvals_awaiting(other_supervisor)).scalars()] == [
        request.id
    ]
    approvals.decide_plan_approval(other_supervisor, request, approve=True)
    assert request.status == PlanApprovalStatus.APPROVED
    assert request.decided_by_id == other_supervisor.id
    assert _events("plan_approval.approved")[0].target_id == str(request.id)
    with pytest.raises(approvals.ApprovalError):
        approvals.request_plan_approval(world.caseworker.user, world.case, kind="case_plan")


def test_decline_needs_a_reason_kept_encrypted(world: World) -> None:
    _plan_with_assessment(world)
    request = approvals.request_plan_approval(world.caseworker.user, world.case, kind="assessment")
    with pytest.raises(approvals.ApprovalError) as refused:
        approvals.decide_plan_approval(world.supervisor.user, request, approve=False, reason=" ")
    assert refused.value.field == "reason"
    approvals.decide_plan_approval(
        world.supervisor.user, request, approve=False, reason="Canary: ask about debts"
    )
    assert request.status == PlanApprovalStatus.DECLINED
    assert request.decline_reason == "Canary: ask about debts"
    assert b"Canary" not in (request.decline_reason_ct or b"")
    assert "Canary" not in (_events("plan_approval.declined")[0].detail or "")
    told = db.session.execute(
        select(Notification.user_id).where(Notification.kind == "plan_approval_decided")
    ).scalars()
    assert list(told) == [world.caseworker.user.id]
    again = approvals.request_plan_approval(world.caseworker.user, world.case, kind="assessment")
    assert again.status == PlanApprovalStatus.PENDING


def test_a_change_to_an_approved_plan_needs_a_new_approval(world: World) -> None:
    _plan_with_assessment(world)
    step = _step(world)
    plan_request = approvals.request_plan_approval(
        world.caseworker.user, world.case, kind="case_plan"
    )
    assessment = approvals.request_plan_approval(
        world.caseworker.user, world.case, kind="assessment"
    )
    approvals.decide_plan_approval(world.supervisor.user, plan_request, approve=True)
    approvals.decide_plan_approval(world.supervisor.user, assessment, approve=True)
    operations.move_plan_step(world.caseworker.user, step, "start")  # carrying it out
    assert plan_request.status == PlanApprovalStatus.APPROVED
    operations.update_plan_step(
        world.caseworker.user,
        step,
        description="Canary: new",
        due_on=DUE,
        owner_agency_id=str(world.police.id),
    )
    assert plan_request.status == PlanApprovalStatus.SUPERSEDED
    assert assessment.status == PlanApprovalStatus.APPROVED, "the assessment did not change"
    _plan_with_assessment(world)  # the same plan saved again: nothing changed
    assert assessment.status == PlanApprovalStatus.APPROVED
    service_ops.save_support_plan(
        world.caseworker.user,
        world.case,
        objectives="Canary objectives",
        planned_end_on=None,
        actual_end_on=None,
        service_types=[],
        plan_types=["SocialCare"],
        assessment="Canary assessment, revised",
    )
    assert assessment.status == PlanApprovalStatus.SUPERSEDED
    assert len(_events("plan_approval.superseded")) == 2
    shown = plan_view(world.caseworker.user, world.case)
    assert shown is not None
    assert {k: a.status for k, a in shown.approvals.items()} == {
        "case_plan": "superseded",
        "assessment": "superseded",
    }


def test_a_pending_request_is_superseded_by_a_change(world: World) -> None:
    _plan_with_assessment(world)
    request = approvals.request_plan_approval(world.caseworker.user, world.case, kind="case_plan")
    _step(world)
    assert request.status == PlanApprovalStatus.SUPERSEDED
    with pytest.raises(approvals.ApprovalError):
        approvals.decide_plan_approval(world.supervisor.user, request, approve=True)


# ---- the pages ---------------------------------------------------------------------------------


def _client(app, account):
    client = app.test_client()
    sign_in_directly(client, account)
    return client


def test_pages_add_a_step_decide_an_approval_and_show_the_state(app, world: World) -> None:
    _plan_with_assessment(world)
    db.session.commit()
    client = _client(app, world.caseworker)
    path = f"/services/plan/{world.case.id}/steps/new"
    page = client.get(path)
    assert page.status_code == 200
    token = csrf_token(client, path)
    submission = page.get_data(as_text=True).split('name="submission" type="hidden" value="')[1]
    data = {
        "csrf_token": token,
        "submission": submission.split('"')[0],
        "description": "Canary page step",
        "owner_agency_id": str(world.police.id),
        "owner_user_id": str(world.caseworker.user.id),
        "due_on": "2027-02-01",
    }
    assert client.post(path, data=data).status_code == 303
    assert client.post(path, data=data).status_code == 303  # sent twice: added once
    steps = db.session.execute(select(PlanStep)).scalars().all()
    assert len(steps) == 1
    step = steps[0]
    move = f"/services/plan/{world.case.id}/steps/{step.id}/move"
    assert client.post(move, data={"csrf_token": token, "event": "start"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(PlanStep, step.id).status == PlanStepStatus.IN_PROGRESS
    request_path = f"/services/plan/{world.case.id}/approvals"
    response = client.post(request_path, data={"csrf_token": token, "kind": "case_plan"})
    assert response.status_code == 303
    approval = db.session.execute(select(PlanApproval)).scalar_one()
    case_page = client.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert "Canary page step" in case_page
    assert (
        "Waiting for a supervisor&#39;s approval" in case_page
        or "Waiting for a supervisor's approval" in case_page
    )
    decide = f"/services/plan/{world.case.id}/approvals/{approval.id}"
    assert client.get(decide).status_code == 404, "a caseworker never decides"
    boss = _client(app, world.supervisor)
    assert boss.get(decide).status_code == 200
    token = csrf_token(boss, decide)
    response = boss.post(decide, data={"csrf_token": token, "decision": "decline", "reason": ""})
    assert response.status_code == 422
    response = boss.post(decide, data={"csrf_token": token, "decision": "approve"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(PlanApproval, approval.id).status == PlanApprovalStatus.APPROVED


def test_partner_page_shows_the_plan_only_when_shared(app, world: World) -> None:
    _plan_with_assessment(world)
    _step(world, text="Canary police step")
    referral = _share_plan(world, groups=("trafficking_context",))
    db.session.commit()
    partner = _client(app, world.partner)
    page = partner.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert "Canary police step" not in page
    assert "Canary assessment" not in page
    referral.shared_groups = ["trafficking_context", "support_plan"]
    db.session.commit()
    page = partner.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert "Canary police step" in page
    assert "Canary assessment" in page
    assert "/steps/new" not in page, "a partner adds no step"


# ---- reminders and the home queue ------------------------------------------------------------


def _notified(kind: str) -> list:
    return list(
        db.session.execute(select(Notification.user_id).where(Notification.kind == kind)).scalars()
    )


def test_reminders_once_per_step_and_due_date(app, world: World) -> None:
    today = date(2027, 1, 10)
    _share_plan(world)
    named = _step(world, person=world.caseworker.user, due=today + timedelta(days=2))
    partner_step = _step(world, agency=world.ngo, due=today - timedelta(days=1))
    _step(world, due=today + timedelta(days=10))  # not due soon
    done = _step(world, due=today)
    operations.move_plan_step(world.caseworker.user, done, "complete")
    outbox_before = len(app.extensions.get(MEMORY_OUTBOX, []))
    assert reminders.remind_steps_due(today) == 2
    assert sorted(map(str, _notified("plan_step_due"))) == sorted(
        [
            str(world.caseworker.user.id),
            str(world.partner.user.id),
        ]
    )
    assert reminders.remind_steps_due(today) == 0, "idempotent"
    assert reminders.remind_steps_due(today + timedelta(days=1)) == 0
    assert len(_notified("plan_step_due")) == 2
    assert len(_events("plan_step.reminded")) == 2
    # A new due date is a new reminder.
    operations.update_plan_step(
        world.caseworker.user,
        named,
        description="Canary: visit the family",
        due_on=today + timedelta(days=3),
        owner_agency_id=str(world.police.id),
        owner_user_id=str(world.caseworker.user.id),
    )
    assert reminders.remind_steps_due(today) == 1
    assert partner_step.status == PlanStepStatus.PLANNED
    db.session.commit()  # the e-mails go after the commit
    sent = [m for m in app.extensions[MEMORY_OUTBOX][outbox_before:] if m.kind == "plan_step_due"]
    assert len(sent) == 3
    for mail in sent:
        assert world.case.reference in mail.body
        assert "Canary" not in mail.body + mail.subject


def test_closed_and_erased_cases_remind_no_one(world: World) -> None:
    today = date(2027, 1, 10)
    _step(world, due=today)
    world.case.status = "Closed"
    db.session.flush()
    assert reminders.remind_steps_due(today) == 0
    world.case.status = "Active"
    world.case.erased_at = utcnow()
    db.session.flush()
    assert reminders.remind_steps_due(today) == 0


def test_the_daily_job_is_declared(app) -> None:
    from casework.jobs.registry import JOBS, PERIODIC

    assert reminders.REMIND in JOBS
    assert f"daily.{reminders.REMIND}" in PERIODIC


def test_home_queue_overdue_first_then_due_soon_and_approvals(world: World) -> None:
    today = date(2027, 1, 10)
    soon = _step(world, person=world.caseworker.user, due=today + timedelta(days=1))
    late = _step(world, person=world.caseworker.user, due=today - timedelta(days=3))
    _step(world, person=world.caseworker.user, due=today + timedelta(days=20))
    colleague_step = _step(world, person=world.supervisor.user, due=today)
    tasks = [t for t in all_tasks(world.caseworker.user, today) if t.kind.startswith("plan_")]
    assert [(t.kind, t.key) for t in tasks] == [
        ("plan_step_overdue", f"plan_step_overdue:{late.id}:{late.due_on}"),
        ("plan_step_due_soon", f"plan_step_due_soon:{soon.id}:{soon.due_on}"),
    ]
    assert all("Canary" not in t.text for t in tasks)
    _plan_with_assessment(world)
    request = approvals.request_plan_approval(world.supervisor.user, world.case, kind="case_plan")
    mine = [t.key for t in all_tasks(world.supervisor.user, today) if t.kind.startswith("plan_")]
    assert mine == [f"plan_step_overdue:{colleague_step.id}:{colleague_step.due_on}"] or mine == [
        f"plan_step_due_soon:{colleague_step.id}:{colleague_step.due_on}"
    ], "the requester sees no approval task of their own"
    other = factories.make_user(Role.SUPERVISOR, world.police).user
    theirs = [t for t in all_tasks(other, today) if t.kind == "plan_approval"]
    assert [t.key for t in theirs] == [f"plan_approval:{request.id}"]
    assert all_tasks(world.caseworker.user, today)[0].kind == "plan_step_overdue"


def test_home_page_lists_the_partners_steps_without_their_words_until_the_referral_ends(
    app, world: World
) -> None:
    referral = _share_plan(world)
    today = utcnow().date()
    _step(world, agency=world.ngo, due=today - timedelta(days=1), text="Canary overdue step")
    _step(world, agency=world.ngo, due=today + timedelta(days=1), text="Canary soon step")
    db.session.commit()
    partner = _client(app, world.partner)
    html = partner.get("/").get_data(as_text=True)
    overdue = html.index("A step of the support plan is overdue")
    assert overdue < html.index("A step of the support plan is due soon")
    assert world.case.reference in html
    assert "Canary" not in html
    referral.status = "completed"
    db.session.commit()
    html = partner.get("/").get_data(as_text=True)
    assert "A step of the support plan" not in html
