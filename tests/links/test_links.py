"""Linked cases (issue 14, decision 0114): who sees a link (whoever may open both cases), who
makes and removes one (whoever may edit both), that a link never reveals a case beyond the
viewer's reach (not in the panel, its counts, the timeline or the errors), the closed and
erased cases, and the audit trail (ids and codes only)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.core.extensions import db
from casework.links.models import CaseLink
from casework.links.operations import LinkDraft
from casework.policy import Action, Role, can
from tests import factories
from tests.conftest import csrf_token

NOTE = "Zqlink sister of the other girl from the same boat"
NO_SUCH = "No case you may open has this reference."


@dataclass
class World:
    a: Any  # agency A (TH)
    b: Any  # agency B (KH), a partner of A's referral
    worker: Any  # caseworker of A, assigned to both cases
    colleague: Any  # caseworker of A, assigned to the third case only
    supervisor: Any  # supervisor of A
    other_supervisor: Any  # supervisor of B
    partner: Any  # partner in B: the first case is referred to B
    first: Case
    second: Case
    third: Case  # A's, the colleague's
    elsewhere: Case  # B's own case


@pytest.fixture
def world() -> World:
    a = factories.make_agency("Agency A", country="TH")
    b = factories.make_agency("Agency B", country="KH")
    worker = factories.make_user(Role.CASEWORKER, a)
    colleague = factories.make_user(Role.CASEWORKER, a)
    supervisor = factories.make_user(Role.SUPERVISOR, a)
    other_supervisor = factories.make_user(Role.SUPERVISOR, b)
    partner = factories.make_user(Role.PARTNER, b)
    first = factories.make_case(a, assigned_to=worker.user, full_name="Zqfirst Person")
    second = factories.make_case(a, assigned_to=worker.user, full_name="Zqsecond Person")
    third = factories.make_case(a, assigned_to=colleague.user, full_name="Zqthird Person")
    elsewhere = factories.make_case(b, full_name="Zqelsewhere Person")
    factories.make_consent(first)
    factories.make_referral(
        first, b, status="accepted", shared_groups=("identity_contact", "trafficking_context")
    )
    db.session.commit()
    return World(
        a,
        b,
        worker,
        colleague,
        supervisor,
        other_supervisor,
        partner,
        first,
        second,
        third,
        elsewhere,
    )


def _client(app: Any, account: Any) -> Any:
    from tests.conftest import sign_in_directly

    client = app.test_client()
    sign_in_directly(client, account)
    return client


def _link(client: Any, case: Case, reference: str, kind: str = "FamilyMember") -> Any:
    path = f"/cases/{case.id}/links/new"
    data = {
        "csrf_token": csrf_token(client, path),
        "reference": reference,
        "kind": kind,
        "note": NOTE,
    }
    return client.post(path, data=data)


def _links() -> list[CaseLink]:
    db.session.expire_all()
    return list(db.session.scalars(select(CaseLink)))


def _page(client: Any, case: Case) -> str:
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_linking_two_cases_shows_on_both_with_the_note(app, world: World) -> None:
    client = _client(app, world.worker)
    response = _link(client, world.first, world.second.reference.lower())  # any letter case
    assert response.status_code == 302
    (link,) = _links()
    assert {link.case_id, link.other_case_id} == {world.first.id, world.second.id}
    assert link.note == NOTE
    assert link.note_ct is not None
    assert NOTE.encode() not in link.note_ct
    for case, other in ((world.first, world.second), (world.second, world.first)):
        page = _page(client, case)
        assert other.reference in page
        assert NOTE in page
        assert "Family member" in page
        assert "Linked to another case" in page  # the timeline, on both
    # Twice: refused, nothing added.
    again = _link(client, world.second, world.first.reference)
    assert again.status_code == 422
    assert "already linked" in again.get_data(as_text=True)
    assert len(_links()) == 1


def test_each_viewer_sees_only_links_whose_both_ends_they_open(app, world: World) -> None:
    """The supervisor links the worker's first case to the colleague's third: each
    caseworker opens one end only, the partner the first through its referral."""
    response = _link(_client(app, world.supervisor), world.first, world.third.reference)
    assert response.status_code == 302
    (link,) = _links()
    for name, account, sees in (
        ("supervisor", world.supervisor, True),
        ("worker", world.worker, False),
        ("partner", world.partner, False),
    ):
        assert can(account.user, Action.VIEW_CASE, world.first), name
        assert can(account.user, Action.VIEW_CASE_LINK, link) is sees, name
        page = _page(_client(app, account), world.first)
        assert (world.third.reference in page) is sees, name
        assert ("Zqthird" in page) is sees, name
        assert (NOTE in page) is sees, name
        assert ("Linked to another case" in page) is sees, name  # nor in the timeline
        if not sees:
            assert "No linked case you may open." in page, name
    colleague_page = _page(_client(app, world.colleague), world.third)
    assert world.first.reference not in colleague_page
    assert "Zqfirst" not in colleague_page
    assert "Linked to another case" not in colleague_page
    assert "No linked case you may open." in colleague_page
    # Another agency's supervisor opens neither case: 404, as for a missing case.
    other = _client(app, world.other_supervisor)
    assert other.get(f"/cases/{world.first.id}").status_code == 404
    assert not can(world.other_supervisor.user, Action.VIEW_CASE_LINK, link)


def test_a_case_beyond_reach_answers_like_a_missing_one(app, world: World) -> None:
    """The colleague opens the third case only: the first's reference (their agency, not
    theirs), another agency's and one that does not exist give the same answer and the same
    audit write."""
    client = _client(app, world.colleague)
    answers = []
    for reference in (world.first.reference, world.elsewhere.reference, "TH-2099-999999"):
        before = (
            db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0
        )
        response = _link(client, world.third, reference)
        assert response.status_code == 422, reference
        page = response.get_data(as_text=True)
        assert NO_SUCH in page
        assert "Zqfirst" not in page
        assert "Zqelsewhere" not in page
        page = re.sub(r'value="[^"]*"', "", page)  # tokens and the reference typed
        answers.append(page.replace(reference, ""))
        db.session.expire_all()
        written = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.seq > before).order_by(AuditEvent.seq)
            )
        )
        assert [(e.action, e.outcome, e.target_id) for e in written] == [
            ("case_link.refused", "not_found", str(world.third.id))
        ], reference
    assert answers[0] == answers[1] == answers[2]
    assert _links() == []
    # A partner may not link at all (the route refuses the role).
    partner = _client(app, world.partner)
    assert partner.get(f"/cases/{world.first.id}/links/new").status_code == 404


def test_the_policy_asks_both_ends(world: World) -> None:
    draft = LinkDraft(world.first, world.second)
    assert can(world.worker.user, Action.LINK_CASES, draft)
    assert can(world.supervisor.user, Action.LINK_CASES, draft)
    assert not can(world.colleague.user, Action.LINK_CASES, draft)
    assert not can(world.worker.user, Action.LINK_CASES, LinkDraft(world.first, world.third))
    assert not can(world.partner.user, Action.LINK_CASES, draft)
    across = LinkDraft(world.first, world.elsewhere)
    assert not can(world.supervisor.user, Action.LINK_CASES, across)
    assert not can(world.other_supervisor.user, Action.LINK_CASES, across)


def test_removing_a_link_is_confirmed_audited_and_kept_on_both_timelines(app, world) -> None:
    client = _client(app, world.supervisor)
    _link(client, world.first, world.second.reference, "SameRecruiter")
    (link,) = _links()
    link_id = link.id
    path = f"/cases/{world.second.id}/links/{link_id}/remove"
    confirm = client.get(path)
    assert confirm.status_code == 200
    assert "Remove the link" in confirm.get_data(as_text=True)
    assert _links() == [link]  # a GET removes nothing
    # The colleague opens neither case: 404, and so does the partner.
    colleague = _client(app, world.colleague)
    assert colleague.get(f"/cases/{world.first.id}/links/{link_id}/remove").status_code == 404
    partner = _client(app, world.partner)
    assert partner.get(f"/cases/{world.first.id}/links/{link_id}/remove").status_code == 404
    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    assert _links() == []
    for case in (world.first, world.second):
        assert "Link to another case removed" in _page(client, case)
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.startswith("case_link."))
            .order_by(AuditEvent.seq)
        )
    )
    assert [(e.action, e.target_id, e.detail) for e in events] == [
        ("case_link.added", str(link_id), "SameRecruiter"),
        ("case_link.removed", str(link_id), "SameRecruiter"),
    ]
    for event in events:  # ids and codes only
        assert NOTE not in str(event.detail)
        assert "Zq" not in str(event.detail)


def test_closed_cases_keep_their_links_read_only(app, world: World) -> None:
    client = _client(app, world.supervisor)
    _link(client, world.first, world.second.reference)
    (link,) = _links()
    world.second.status = "Closed"
    db.session.commit()
    page = _page(client, world.first)
    assert world.second.reference in page  # still shown
    assert f"/links/{link.id}/remove" not in page  # but no longer removable
    removal = client.post(
        f"/cases/{world.first.id}/links/{link.id}/remove",
        data={"csrf_token": csrf_token(client, f"/cases/{world.first.id}")},
    )
    assert removal.status_code == 302
    assert _links() == [link]
    # Nothing is linked to a closed case either.
    refused = _link(client, world.third, world.second.reference)
    assert refused.status_code == 422
    assert len(_links()) == 1
    closed_page = client.get(f"/cases/{world.second.id}/links/new")
    assert closed_page.status_code == 303  # a closed case takes no new link: back to it
    assert closed_page.headers["Location"].endswith(f"/cases/{world.second.id}")


def test_a_link_to_an_erased_case_is_not_shown(app, world: World) -> None:
    from casework.core.db import utcnow

    client = _client(app, world.supervisor)
    _link(client, world.first, world.second.reference)
    world.second.status = "Closed"
    world.second.erased_at = utcnow()
    db.session.commit()
    page = _page(client, world.first)
    assert world.second.reference not in page
    assert "Linked to another case" not in page


def test_the_demo_links_cases_and_each_role_sees_its_share() -> None:
    from casework.auth.models import User
    from casework.devdata.case_data import POLICE_WORKER
    from casework.devdata.demo import load_demo
    from casework.links.scopes import visible_links

    load_demo()
    links = list(db.session.scalars(select(CaseLink)))
    assert {link.kind for link in links} == {"SameEventOrPlace", "SameRecruiter"}
    worker = db.session.scalars(select(User).where(User.email == POLICE_WORKER)).one()
    supervisor = db.session.scalars(
        select(User).where(User.email == "supervisor@demo.casework.example")
    ).one()

    def seen(user: User) -> set[Any]:
        return {
            link.id
            for case_id in {end for made in links for end in (made.case_id, made.other_case_id)}
            for link in db.session.scalars(visible_links(user, case_id))
        }

    assert seen(supervisor) == {link.id for link in links}
    assert seen(worker) == {
        link.id
        for link in links
        if can(worker, Action.VIEW_CASE, link.case)
        and can(worker, Action.VIEW_CASE, link.other_case)
    }
    assert load_demo() is False  # once
    assert len(list(db.session.scalars(select(CaseLink)))) == 2
