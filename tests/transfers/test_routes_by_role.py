"""Every transfer route, for each person, before (pending), and after the transfer (accepted,
declined, withdrawn): what each may open answers 200 (or acts), everything else answers 404
exactly like a missing transfer, and writes a denial to the audit trail (decision 0091)."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from sqlalchemy import select

from casework.audit.models import AuditEvent
from casework.core.extensions import db
from casework.policy import Role
from casework.transfers import operations as ops
from tests import factories
from tests.conftest import sign_in_directly
from tests.transfers.conftest import World, propose

PEOPLE = (
    "caseworker",
    "colleague",
    "supervisor",
    "kh_supervisor",
    "kh_caseworker",
    "partner",
    "stranger",
    "coordinator",
    "admin",
)
# Who opens the transfer's page, by its status.
VIEWERS = {
    "pending": {"caseworker", "supervisor", "kh_supervisor"},
    "accepted": {"caseworker", "supervisor", "kh_supervisor"},
    "declined": {"caseworker", "supervisor", "kh_supervisor"},
    "withdrawn": {"caseworker", "supervisor", "kh_supervisor"},
}
# Who reads "What your agency recorded" on it.
RECORD_READERS = {"accepted": {"caseworker", "supervisor"}}
# Who opens the case page.
CASE_READERS = {
    "pending": {"caseworker", "supervisor"},
    "accepted": {"kh_supervisor"},
    "declined": {"caseworker", "supervisor"},
    "withdrawn": {"caseworker", "supervisor"},
}


def _accounts(world: World) -> dict[str, factories.Account]:
    return {
        "caseworker": world.caseworker,
        "colleague": factories.make_user(Role.CASEWORKER, world.bangkok),
        "supervisor": world.supervisor,
        "kh_supervisor": world.kh_supervisor,
        "kh_caseworker": world.kh_caseworker,
        "partner": world.partner,
        "stranger": factories.make_user(Role.SUPERVISOR, world.manila),
        "coordinator": factories.make_user(Role.COORDINATOR),
        "admin": factories.make_user(Role.ADMIN),
    }


def _in(world: World, status: str) -> object:
    transfer = propose(world)
    if status == "accepted":
        ops.accept_transfer(world.kh_supervisor.user, transfer)
    elif status == "declined":
        ops.decline_transfer(world.kh_supervisor.user, transfer, reason="No capacity")
    elif status == "withdrawn":
        ops.withdraw_transfer(world.caseworker.user, transfer)
    db.session.commit()
    return transfer


def _denials() -> int:
    query = select(AuditEvent).where(AuditEvent.action.in_(["access.denied", "access.not_found"]))
    return len(db.session.execute(query).all())


@pytest.mark.parametrize("status", sorted(VIEWERS))
def test_who_opens_what_in_each_status(app: Flask, world: World, status: str) -> None:
    accounts = _accounts(world)
    transfer = _in(world, status)
    page = f"/transfers/{transfer.id}"
    missing = f"/transfers/{uuid.uuid4()}"
    for name in PEOPLE:
        client = app.test_client()
        sign_in_directly(client, accounts[name])
        before = _denials()
        response = client.get(page)
        if name in VIEWERS[status]:
            assert response.status_code == 200, (name, status)
            text = response.get_data(as_text=True)
            reads = "What your agency recorded" in text
            assert reads is (name in RECORD_READERS.get(status, set())), (name, status)
        else:
            assert response.status_code == 404, (name, status)
            assert client.get(missing).status_code == 404
            assert _denials() == before + 2, "a refusal is audited like a missing transfer"
        case_page = client.get(f"/cases/{world.case.id}")
        expected = 200 if name in CASE_READERS[status] else 404
        assert case_page.status_code == expected, (name, status, "case page")


@pytest.mark.parametrize("status", sorted(VIEWERS))
def test_answers_and_withdrawals_only_from_whom_and_when_they_may(
    app: Flask, world: World, status: str
) -> None:
    from tests.conftest import csrf_token

    accounts = _accounts(world)
    transfer = _in(world, status)
    page = f"/transfers/{transfer.id}"
    for name in PEOPLE:
        client = app.test_client()
        sign_in_directly(client, accounts[name])
        token = csrf_token(client, "/account")
        for action in ("accept", "withdraw"):
            may = {
                "accept": name == "kh_supervisor",
                "withdraw": name in ("caseworker", "supervisor") and status == "pending",
            }[action]
            if may and status == "pending":
                continue  # acting would change what the others are tried on (the operations
                # tests cover it)
            response = client.post(f"{page}/{action}", data={"csrf_token": token})
            if not may:
                assert response.status_code == 404, (name, status, action)
            else:
                assert response.status_code == 409, (name, status, action)  # answered: told
        db.session.expire_all()
    from casework.transfers.models import CaseTransfer

    assert db.session.get(CaseTransfer, transfer.id).status == status, "nothing changed"
