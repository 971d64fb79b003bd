"""Field-group minimisation: every page and download a partner can reach shows nothing from
a group the referral does not share. The walk covers every GET route of the application,
whichever blueprint adds it (the case page, attachments, ...), filling URL ids from the
scenario; routes whose ids it cannot fill are listed, and this feature's own are required."""

from __future__ import annotations

import io
import re
from datetime import date

from flask import Flask

from casework.cases.models import Attachment, CaseNote, TraffickingEvent
from casework.core.extensions import db
from casework.encryption.storage import store_file
from casework.policy import Action, can, visible_field_groups
from casework.referrals import operations as referral_ops
from casework.services import operations as service_ops
from casework.services.plans import approvals
from casework.services.plans import operations as plan_ops
from tests.conftest import sign_in_directly
from tests.referrals.conftest import World, refer

# Values from groups the referral does not share (identity and contact, health notes,
# documents), and case notes, which no referral shares.
UNSHARED = (
    "Canary Sreymom Vann",
    "Sreymom",
    "345 678",
    "N0CANARY42",
    "canary-passport-scan.pdf",
    "CANARY-FILE-CONTENT",
    "Canary internal case note",
    "Canary plan step",  # the support plan: a group this referral does not share
)
OWN_RULES = {"referrals.", "services.", "notifications."}
VARIABLE = re.compile(r"<(?:[^:>]+:)?(\w+)>")


def _scenario(world: World) -> dict[str, str]:
    case = world.case
    event = TraffickingEvent(case_id=case.id, kind="Exploitation", country="TH")
    case.events.append(event)
    event.description = "Shared trafficking context canary"
    note = CaseNote(case_id=case.id, author_id=world.caseworker.user.id)
    case.notes.append(note)
    note.body = "Canary internal case note"
    with db.session.no_autoflush:
        attachment = Attachment(
            case_id=case.id,
            kind="identity_document",
            content_type="application/pdf",
            size=0,
            storage_name="",
            wrapped_key=b"",
        )
        attachment.case = case
        stored = store_file(attachment, io.BytesIO(b"CANARY-FILE-CONTENT"))
        attachment.storage_name = stored.storage_name
        attachment.wrapped_key = stored.wrapped_key
        attachment.size = stored.size
        attachment.filename = "canary-passport-scan.pdf"
        case.attachments.append(attachment)
    referral = refer(world, shared_groups=["trafficking_context"])
    referral_ops.accept_referral(world.partner.user, referral)
    record = service_ops.create_service_record(
        world.partner.user, case, service_type="psychosocial_counselling", status="in_progress"
    )
    session = service_ops.record_session(
        world.partner.user,
        record,
        held_on=date(2026, 4, 1),
        duration_minutes=30,
        counsellor_id=str(world.partner.user.id),
        modality="phone",
        risk_flags=["self_harm"],
    )
    step = plan_ops.add_plan_step(
        world.caseworker.user,
        case,
        description="Canary plan step",
        owner_agency_id=str(case.agency_id),
        due_on=date(2026, 5, 1),
    )
    approval = approvals.request_plan_approval(world.caseworker.user, case, kind="case_plan")
    db.session.commit()
    from sqlalchemy import select

    from casework.notifications.models import Notification

    notification = (
        db.session.execute(
            select(Notification).where(Notification.user_id == world.partner.user.id)
        )
        .scalars()
        .first()
    )
    ids = {
        "case_id": case.id,
        "referral_id": referral.id,
        "service_id": record.id,
        "record_id": record.id,
        "session_id": session.id,
        "attachment_id": attachment.id,
        "document_id": case.identity_documents[0].id,
        "note_id": note.id,
        "event_id": event.id,
        "consent_id": case.consents[0].id,
        "notification_id": notification.id if notification else None,
        "person_id": case.person.id if case.person else None,
        "step_id": step.id,
        "approval_id": approval.id,
    }
    return {name: str(value) for name, value in ids.items() if value is not None}


def _reachable(app: Flask, ids: dict[str, str]) -> tuple[list[str], list[str]]:
    paths, unfilled = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        names = VARIABLE.findall(rule.rule)
        if any(name not in ids for name in names):
            unfilled.append(rule.endpoint)
            continue
        path = rule.rule
        for name in names:
            path = VARIABLE.sub(lambda m, n=name: ids[n] if m[1] == n else m[0], path)
        paths.append(path)
    return sorted(set(paths)), unfilled


def _walk(app: Flask, world: World, ids: dict[str, str]) -> dict[str, int]:
    client = app.test_client()
    sign_in_directly(client, world.partner)
    paths, unfilled = _reachable(app, ids)
    assert not [e for e in unfilled if e.startswith(tuple(OWN_RULES))], unfilled
    statuses = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        body = response.get_data()
        for value in UNSHARED:
            assert value.encode() not in body, (path, value)
        statuses[path] = response.status_code
    return statuses


def test_partner_sees_only_the_shared_groups_on_every_page(app: Flask, world: World) -> None:
    ids = _scenario(world)
    partner = world.partner.user
    assert visible_field_groups(partner, world.case) == {"trafficking_context"}
    assert not can(partner, Action.VIEW_ATTACHMENT, world.case), "documents not shared"
    statuses = _walk(app, world, ids)
    # the partner reached this feature's pages (the walk was not all 404s)
    for path in (
        f"/referrals/{ids['referral_id']}",
        f"/services/{ids['service_id']}",
        "/referrals/inbox",
        "/services/",
        "/notifications/",
        "/",
    ):
        assert statuses[path] == 200, path
    if f"/cases/{ids['case_id']}" in statuses:  # the case page, once it exists
        assert statuses[f"/cases/{ids['case_id']}"] == 200


def test_after_revocation_the_walk_finds_only_own_records(app: Flask, world: World) -> None:
    ids = _scenario(world)
    [referral] = world.case.referrals
    referral_ops.revoke_referral(world.caseworker.user, referral)
    db.session.commit()
    statuses = _walk(app, world, ids)
    assert statuses[f"/services/{ids['service_id']}"] == 200, "own records stay"
    assert statuses[f"/services/{ids['service_id']}/edit"] == 404, "but read only"
    assert statuses[f"/services/new/{ids['case_id']}"] == 404
    for path, status in statuses.items():
        if ids["case_id"] in path:
            assert status == 404, path
