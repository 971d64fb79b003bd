"""The permission table, checked cell by cell against a matrix written out by hand.

EXPECTED is written from docs/architecture.md ("Users and what each may see"), not from
policy.RULES: if the two disagree, one of them is wrong. Each cell is
  "yes"     the role may, on any object the scoped queries give it,
  "object"  the role may only on some objects (a predicate decides),
  "no"      never.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from casework.policy import (
    FIELD_GROUPS,
    Action,
    PermissionDenied,
    ReferralDraft,
    Role,
    allowed_actions,
    can,
    require,
    visible_field_groups,
    visible_note_categories,
)

Y, N, OBJ = "yes", "no", "object"
ROLES = (Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER, Role.COORDINATOR, Role.ADMIN)

# fmt: off
EXPECTED_TABLE: dict[Action, tuple[str, str, str, str, str]] = {
    #                                caseworker supervisor partner coordinator admin
    Action.VIEW_DASHBOARD:           (Y,         Y,         Y,      Y,          Y),
    Action.MANAGE_OWN_ACCOUNT:       (Y,         Y,         Y,      Y,          Y),
    Action.VIEW_NOTIFICATIONS:       (Y,         Y,         Y,      Y,          Y),
    Action.KEEP_FORM_DRAFT:          (OBJ,       OBJ,       OBJ,    N,          N),
    Action.VIEW_OWN_JOBS:            (Y,         Y,         Y,      Y,          Y),
    Action.HANDLE_TASK:              (Y,         Y,         Y,      N,          Y),
    Action.MANAGE_AGENCIES:          (N,         N,         N,      N,          Y),
    Action.MANAGE_USERS:             (N,         N,         N,      N,          Y),
    Action.VIEW_AUDIT:               (N,         N,         N,      N,          Y),
    Action.APPROVE_ACCOUNT:          (N,         OBJ,       N,      N,          OBJ),
    Action.MANAGE_KEYS:              (N,         N,         N,      N,          Y),
    Action.MANAGE_FEDERATION:        (N,         N,         N,      N,          Y),
    Action.CREATE_CASE:              (Y,         Y,         N,      N,          N),
    Action.LIST_MY_CASES:            (Y,         Y,         N,      N,          N),
    Action.LIST_AGENCY_CASES:        (N,         Y,         N,      N,          N),
    Action.VIEW_CASE:                (OBJ,       OBJ,       OBJ,    N,          N),
    Action.EDIT_CASE:                (OBJ,       OBJ,       N,      N,          N),
    Action.ASSIGN_CASE:              (N,         OBJ,       N,      N,          N),
    Action.REQUEST_CLOSURE:          (OBJ,       OBJ,       N,      N,          N),
    Action.APPROVE_CLOSURE:          (N,         OBJ,       N,      N,          N),
    Action.ERASE_CASE:               (N,         OBJ,       N,      N,          N),
    Action.IMPORT_CASES:             (N,         Y,         N,      N,          N),
    Action.EXPORT_CASES:             (N,         Y,         N,      N,          N),
    Action.RECORD_CONSENT:           (OBJ,       OBJ,       N,      N,          N),
    Action.HANDLE_POSSIBLE_DUPLICATE: (N,        OBJ,       N,      N,          N),
    Action.VIEW_ATTACHMENT:          (OBJ,       OBJ,       OBJ,    N,          N),
    Action.ADD_ATTACHMENT:           (OBJ,       OBJ,       N,      N,          N),
    Action.DELETE_ATTACHMENT:        (OBJ,       OBJ,       N,      N,          N),
    Action.VIEW_CASE_LINK:           (OBJ,       OBJ,       OBJ,    N,          N),
    Action.LINK_CASES:               (OBJ,       OBJ,       N,      N,          N),
    Action.UNLINK_CASES:             (OBJ,       OBJ,       N,      N,          N),
    Action.CREATE_REFERRAL:          (OBJ,       OBJ,       N,      N,          N),
    Action.SEND_REFERRAL:            (OBJ,       OBJ,       N,      N,          N),
    Action.VIEW_REFERRAL:            (OBJ,       OBJ,       OBJ,    N,          N),
    Action.VIEW_REFERRAL_REASON:     (OBJ,       OBJ,       OBJ,    N,          N),
    Action.RESPOND_REFERRAL:         (N,         OBJ,       OBJ,    N,          N),
    Action.REVOKE_REFERRAL:          (OBJ,       OBJ,       N,      N,          N),
    Action.COMPLETE_REFERRAL:        (N,         OBJ,       OBJ,    N,          N),
    Action.VIEW_REFERRAL_INBOX:      (N,         Y,         Y,      N,          N),
    Action.LIST_SENT_REFERRALS:      (Y,         Y,         N,      N,          N),
    Action.VIEW_SERVICES:            (OBJ,       OBJ,       OBJ,    N,          N),
    Action.VIEW_SESSION_NOTES:       (OBJ,       OBJ,       OBJ,    N,          N),
    Action.RECORD_SERVICE:           (OBJ,       OBJ,       OBJ,    N,          N),
    Action.EDIT_SERVICE:             (OBJ,       OBJ,       OBJ,    N,          N),
    Action.VIEW_SUPPORT_PLAN:        (OBJ,       OBJ,       OBJ,    N,          N),
    Action.MANAGE_PLAN_STEPS:        (OBJ,       OBJ,       N,      N,          N),
    Action.UPDATE_PLAN_STEP:         (OBJ,       OBJ,       OBJ,    N,          N),
    Action.REQUEST_PLAN_APPROVAL:    (OBJ,       OBJ,       N,      N,          N),
    Action.DECIDE_PLAN_APPROVAL:     (N,         OBJ,       N,      N,          N),
    Action.VIEW_AGENCY_REPORTS:      (N,         Y,         N,      N,          N),
    Action.VIEW_REGIONAL_REPORTS:    (N,         N,         N,      Y,          N),
    Action.PUBLISH_RELEASE:          (N,         N,         N,      Y,          N),
    Action.PROPOSE_TRANSFER:         (OBJ,       OBJ,       N,      N,          N),
    Action.SEND_TRANSFER:            (OBJ,       OBJ,       N,      N,          N),
    Action.VIEW_TRANSFER:            (OBJ,       OBJ,       N,      N,          N),
    Action.RESPOND_TRANSFER:         (N,         OBJ,       N,      N,          N),
    Action.WITHDRAW_TRANSFER:        (OBJ,       OBJ,       N,      N,          N),
    Action.VIEW_TRANSFERRED_RECORDS: (OBJ,       OBJ,       N,      N,          N),
    Action.LIST_TRANSFERS:           (Y,         Y,         N,      N,          N),
}
# fmt: on

EXPECTED: dict[tuple[Role, Action], str] = {
    (role, action): row[i] for action, row in EXPECTED_TABLE.items() for i, role in enumerate(ROLES)
}

# What each action is performed on (the object passed to can()).
REFERRAL_ACTIONS = {
    Action.VIEW_REFERRAL,
    Action.VIEW_REFERRAL_REASON,
    Action.RESPOND_REFERRAL,
    Action.REVOKE_REFERRAL,
    Action.COMPLETE_REFERRAL,
}
SERVICE_RECORD_ACTIONS = {Action.VIEW_SERVICES, Action.EDIT_SERVICE, Action.VIEW_SESSION_NOTES}
STEP_ACTIONS = {Action.UPDATE_PLAN_STEP}  # on one step of a plan
APPROVAL_ACTIONS = {Action.DECIDE_PLAN_APPROVAL}  # on one request for approval
DRAFT_ACTIONS = {Action.SEND_REFERRAL, Action.SEND_TRANSFER}  # not made yet: a ReferralDraft
# On a transfer (decision 0091), and the status each needs to be granted on one's own.
TRANSFER_ACTIONS = {
    Action.VIEW_TRANSFER: "pending",
    Action.RESPOND_TRANSFER: "pending",
    Action.WITHDRAW_TRANSFER: "pending",
    Action.VIEW_TRANSFERRED_RECORDS: "accepted",
}
FORM_DRAFT_ACTIONS = {Action.KEEP_FORM_DRAFT}  # on a draft of a form (decision 0110)
CASE_CONTENT_PREFIXES = (
    "case.",
    "consent.",
    "attachment.",
    "referral.",
    "service.",
    "plan.",
    "transfer.",
)


# ---- fakes ---------------------------------------------------------------------------------


@dataclass
class FakeUser:
    role: str
    agency_id: uuid.UUID = field(default_factory=uuid.uuid4)
    is_active: bool = True
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass
class FakeCase:
    agency_id: uuid.UUID | None
    assigned_to_id: uuid.UUID | None = None
    referred_to: set[uuid.UUID] = field(default_factory=set)  # open, accepted referrals
    shared_groups: frozenset[str] = frozenset(FIELD_GROUPS)  # what those referrals share
    consented: set[uuid.UUID] = field(default_factory=set)  # sharing consents (besides referred)
    processing_restricted: bool = False  # the registration consent withdrawn (decision 0063)
    owner_field_groups: list[str] | None = None  # the groups a transfer handed over (0091)

    def has_current_consent(self, purposes: frozenset[str], agency_id: uuid.UUID) -> bool:
        assert purposes == {"sharing", "referral"}
        return agency_id in self.referred_to or agency_id in self.consented

    def open_referral_to(self, agency_id: uuid.UUID) -> bool:
        return agency_id in self.referred_to

    def shared_groups_for(self, agency_id: uuid.UUID) -> frozenset[str]:
        return self.shared_groups if agency_id in self.referred_to else frozenset()


@dataclass
class FakeReferral:
    case: FakeCase
    from_agency_id: uuid.UUID | None
    to_agency_id: uuid.UUID | None
    effective_status: str = "pending"


@dataclass
class FakeTransfer:
    case: FakeCase
    from_agency_id: uuid.UUID | None
    receiving_agency_id: uuid.UUID | None
    proposed_by_id: uuid.UUID | None = None
    from_assignee_id: uuid.UUID | None = None
    status: str = "pending"


@dataclass
class FakeService:
    case: FakeCase
    provider_agency_id: uuid.UUID | None


@dataclass
class FakeStep:
    case: FakeCase
    owner_agency_id: uuid.UUID | None


@dataclass
class FakeApproval:
    case: FakeCase
    requested_by_id: uuid.UUID | None


@dataclass
class FakeFormDraft:
    author_id: uuid.UUID | None
    agency_id: uuid.UUID | None
    form_key: str = "/cases/new"


@dataclass
class FakeAccount:
    agency_id: uuid.UUID | None
    approver_role: str  # "supervisor" or "admin"
    pending_request_by_id: uuid.UUID | None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def actor(role: Role | str, **kwargs: Any) -> FakeUser:
    return FakeUser(role=str(role), **kwargs)


def other() -> uuid.UUID:
    return uuid.uuid4()


def own_object(user: FakeUser, action: Action) -> Any:
    """`own_everything`, or for an action on a transfer one the user's agency sent and
    received, proposed by the user and of their case, in the status the action needs."""
    if action in TRANSFER_ACTIONS:
        case = FakeCase(user.agency_id, user.id)
        return FakeTransfer(
            case, user.agency_id, user.agency_id, user.id, user.id, TRANSFER_ACTIONS[action]
        )
    return own_everything(user)


def own_everything(user: FakeUser) -> Any:
    """An object that every predicate would grant to `user`: own agency, assigned to them,
    referred to their agency, sent, received and provided by their agency."""
    case = FakeCase(user.agency_id, user.id, {user.agency_id})

    class Everything:
        agency_id = user.agency_id
        assigned_to_id = user.id
        from_agency_id = user.agency_id
        to_agency_id = user.agency_id
        provider_agency_id = user.agency_id
        owner_agency_id = user.agency_id  # a plan step their agency owns
        requested_by_id = other()  # a plan approval someone else asked for
        effective_status = "accepted"
        # an account of their agency, asked for by someone else, that their role approves
        id = other()
        approver_role = "supervisor" if user.role == Role.SUPERVISOR else "admin"
        pending_request_by_id = other()
        author_id = user.id  # a draft they typed
        form_key = "/cases/new"

        def __init__(self) -> None:
            self.case = case

        def open_referral_to(self, agency_id: uuid.UUID) -> bool:
            return True

        def shared_groups_for(self, agency_id: uuid.UUID) -> frozenset[str]:
            return frozenset(FIELD_GROUPS)

    return Everything()


def foreign_object(action: Action) -> Any:
    """An object of another agency, assigned to someone else, shared with nobody."""
    if action is Action.APPROVE_ACCOUNT:  # another agency's, approved by its supervisors
        return FakeAccount(other(), "supervisor", other())
    if action in FORM_DRAFT_ACTIONS:  # someone else's, in another agency
        return FakeFormDraft(other(), other())
    case = FakeCase(other(), other())
    if action in REFERRAL_ACTIONS:
        return FakeReferral(case, other(), other())
    if action in TRANSFER_ACTIONS:
        return FakeTransfer(case, other(), other(), other(), other(), TRANSFER_ACTIONS[action])
    if action in SERVICE_RECORD_ACTIONS:
        return FakeService(case, other())
    if action in STEP_ACTIONS:
        return FakeStep(case, other())
    if action in APPROVAL_ACTIONS:
        return FakeApproval(case, other())
    if action in DRAFT_ACTIONS:
        receiver = other()
        case.consented.add(receiver)
        return ReferralDraft(case, receiver)
    return case


# ---- the matrix -----------------------------------------------------------------------------


def test_expected_table_covers_every_role_and_action() -> None:
    assert set(EXPECTED_TABLE) == set(Action), "a row is missing or extra in EXPECTED_TABLE"
    assert set(ROLES) == set(Role)
    for action, row in EXPECTED_TABLE.items():
        assert len(row) == len(ROLES), action
        assert set(row) <= {Y, N, OBJ}, action
    assert len(EXPECTED) == len(Role) * len(Action)


@pytest.mark.parametrize(
    ("role", "action"), list(itertools.product(Role, Action)), ids=lambda v: str(v)
)
def test_every_cell(role: Role, action: Action) -> None:
    assert (role, action) in EXPECTED, f"no expectation written for {role} x {action}"
    expected = EXPECTED[(role, action)]
    user = actor(role)
    role_level = can(user, action)
    on_foreign = can(user, action, foreign_object(action))
    on_own = can(user, action, own_object(user, action))
    if expected == Y:
        assert (role_level, on_foreign, on_own) == (True, True, True)
    elif expected == OBJ:
        assert role_level, "the role may act on some objects"
        assert not on_foreign, "an object of another agency, not shared, must be refused"
        assert on_own
    else:
        assert (role_level, on_foreign, on_own) == (False, False, False)
    assert can(user, action.value) is role_level  # the string form gives the same answer
    assert (action in allowed_actions(role)) is (expected != N)


# ---- object-level predicates ---------------------------------------------------------------


def _actions(role: Role, kind: str) -> list[Action]:
    """The actions on cases and their records (drafts of forms have their own test)."""
    return [
        a
        for a in Action
        if EXPECTED[(role, a)] == kind and a not in FORM_DRAFT_ACTIONS and a not in TRANSFER_ACTIONS
    ]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER], ids=str)
def test_a_form_draft_is_its_authors_alone(role: Role) -> None:
    """Decision 0110: only the author, and only within the agency the draft was typed in; not
    a supervisor of that agency, not a colleague."""
    user = actor(role)
    assert can(user, Action.KEEP_FORM_DRAFT, FakeFormDraft(user.id, user.agency_id))
    assert not can(user, Action.KEEP_FORM_DRAFT, FakeFormDraft(other(), user.agency_id))
    assert not can(user, Action.KEEP_FORM_DRAFT, FakeFormDraft(user.id, other()))
    assert not can(user, Action.KEEP_FORM_DRAFT, FakeFormDraft(None, user.agency_id))
    assert not can(user, Action.KEEP_FORM_DRAFT, FakeCase(user.agency_id, user.id))
    for nobody in (Role.COORDINATOR, Role.ADMIN):
        own = actor(nobody)
        assert not can(own, Action.KEEP_FORM_DRAFT, FakeFormDraft(own.id, own.agency_id))


def _case_for(user: FakeUser, action: Action, case: FakeCase) -> Any:
    """The object an action takes, built around `case`, made by the actor's agency."""
    if action in REFERRAL_ACTIONS:
        return FakeReferral(case, user.agency_id, other())
    if action in SERVICE_RECORD_ACTIONS:
        return FakeService(case, user.agency_id)
    if action in STEP_ACTIONS:
        return FakeStep(case, user.agency_id)
    if action in APPROVAL_ACTIONS:  # asked for by someone else
        return FakeApproval(case, other())
    if action in DRAFT_ACTIONS:  # to an agency the person consented to
        receiver = other()
        case.consented.add(receiver)
        return ReferralDraft(case, receiver)
    return case


@pytest.mark.parametrize("action", _actions(Role.CASEWORKER, OBJ), ids=str)
def test_caseworker_only_on_cases_assigned_to_them(action: Action) -> None:
    user = actor(Role.CASEWORKER)
    colleague = other()
    assigned = FakeCase(user.agency_id, user.id)
    assert can(user, action, _case_for(user, action, assigned))
    refused = {
        "a colleague's case": FakeCase(user.agency_id, colleague),
        "an unassigned case": FakeCase(user.agency_id, None),
        "another agency's case with the same assignee id": FakeCase(other(), user.id),
        "another agency's case referred to this agency": FakeCase(other(), None, {user.agency_id}),
    }
    for label, case in refused.items():
        assert not can(user, action, _case_for(user, action, case)), label


@pytest.mark.parametrize("action", _actions(Role.SUPERVISOR, OBJ), ids=str)
def test_supervisor_on_their_agency_only(action: Action) -> None:
    user = actor(Role.SUPERVISOR)
    own_case = FakeCase(user.agency_id, other())
    foreign_case = FakeCase(other(), user.id)
    if action in REFERRAL_ACTIONS:
        sent = FakeReferral(own_case, user.agency_id, other())
        received = FakeReferral(foreign_case, other(), user.agency_id)
        between_others = FakeReferral(foreign_case, other(), other())
        allowed = {
            Action.VIEW_REFERRAL: (sent, received),
            Action.VIEW_REFERRAL_REASON: (sent, received),
            Action.REVOKE_REFERRAL: (sent,),
            Action.RESPOND_REFERRAL: (received,),
            Action.COMPLETE_REFERRAL: (received,),
        }[action]
        for referral in (sent, received, between_others):
            assert can(user, action, referral) is (referral in allowed)
    elif action is Action.APPROVE_ACCOUNT:
        assert can(user, action, FakeAccount(user.agency_id, "supervisor", other()))
        assert not can(user, action, FakeAccount(other(), "supervisor", other()))
        assert not can(user, action, FakeAccount(user.agency_id, "admin", other()))
        own = FakeAccount(user.agency_id, "supervisor", other(), id=user.id)
        assert not can(user, action, own), "never their own account"
    elif action is Action.EDIT_SERVICE:
        assert can(user, action, FakeService(own_case, user.agency_id))
        assert not can(user, action, FakeService(own_case, other()))
        assert not can(user, action, FakeService(foreign_case, other()))
    elif action is Action.VIEW_SESSION_NOTES:
        # Counselling notes: only the providing agency's, on whichever case (issue 12, 11).
        assert can(user, action, FakeService(own_case, user.agency_id))
        assert can(user, action, FakeService(foreign_case, user.agency_id))
        assert not can(user, action, FakeService(own_case, other())), "the referring agency"
        assert not can(user, action, own_case)
    elif action is Action.VIEW_SERVICES:
        # Every record on their agency's cases, and their agency's own records elsewhere.
        assert can(user, action, FakeService(own_case, other()))
        assert can(user, action, FakeService(foreign_case, user.agency_id))
        assert not can(user, action, FakeService(foreign_case, other()))
        assert not can(user, action, foreign_case)
    else:
        assert can(user, action, _case_for(user, action, own_case))
        assert not can(user, action, foreign_case)
        assert not can(user, action, _case_for(user, action, foreign_case))
        shared_with_them = FakeCase(other(), None, {user.agency_id})
        if action is not Action.VIEW_SERVICES:
            assert not can(user, action, shared_with_them), "a referral is for partners"


@pytest.mark.parametrize(
    "action", [a for a in _actions(Role.PARTNER, OBJ) if a not in REFERRAL_ACTIONS], ids=str
)
def test_partner_only_through_an_open_referral(action: Action) -> None:
    user = actor(Role.PARTNER)
    if action in SERVICE_RECORD_ACTIONS:
        # Their own service records, on any case referred to them.
        case = FakeCase(other(), other(), {user.agency_id})
        assert can(user, action, FakeService(case, user.agency_id))
        assert not can(user, action, FakeService(case, other()))
        return
    if action in STEP_ACTIONS:
        # The steps their agency owns, while a referral shares the plan with them.
        case = FakeCase(other(), other(), {user.agency_id})
        assert can(user, action, FakeStep(case, user.agency_id))
        assert not can(user, action, FakeStep(case, other())), "another agency's step"
        unshared = FakeCase(other(), other(), {user.agency_id}, frozenset({"documents"}))
        assert not can(user, action, FakeStep(unshared, user.agency_id)), "plan not shared"
        ended = FakeCase(other(), other(), set())
        assert not can(user, action, FakeStep(ended, user.agency_id)), "referral ended"
        return
    shared = FakeCase(other(), other(), {user.agency_id})
    closed = FakeCase(other(), other(), set())
    shared_elsewhere = FakeCase(other(), other(), {other()})
    own_agency_unshared = FakeCase(user.agency_id, user.id, set())  # agency match is not enough
    assert can(user, action, shared)
    for case in (closed, shared_elsewhere, own_agency_unshared):
        assert not can(user, action, case)


@pytest.mark.parametrize("action", sorted(REFERRAL_ACTIONS), ids=str)
def test_partner_referrals_received_by_their_agency(action: Action) -> None:
    user = actor(Role.PARTNER)
    received = FakeReferral(FakeCase(other()), other(), user.agency_id)
    elsewhere = FakeReferral(FakeCase(other()), other(), other())
    assert can(user, action, received) is (EXPECTED[(Role.PARTNER, action)] == OBJ)
    assert not can(user, action, elsewhere)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_inactive_actor_can_do_nothing(role: Role) -> None:
    user = actor(role, is_active=False)
    for action in Action:
        assert not can(user, action)
        assert not can(user, action, own_object(user, action))
        with pytest.raises(PermissionDenied):
            require(user, action)


@pytest.mark.parametrize("role", ["", "root", "superuser", "Admin", "ADMIN", " admin", None])
def test_unknown_role_can_do_nothing(role: Any) -> None:
    user = FakeUser(role=role)
    for action in Action:
        assert not can(user, action)
        assert not can(user, action, own_object(user, action))


def test_nobody_can_do_anything() -> None:
    for action in Action:
        assert not can(None, action)


def _never(role: Role, prefixes: tuple[str, ...]) -> list[Action]:
    return [a for a in Action if a.value.startswith(prefixes)]


def test_admin_never_touches_case_contents_or_reports() -> None:
    """Separation of duties: administrators run the system, never read what is in it."""
    user = actor(Role.ADMIN)
    forbidden = _never(Role.ADMIN, (*CASE_CONTENT_PREFIXES, "report."))
    assert len(forbidden) > 20
    for action in forbidden:
        assert not can(user, action), action
        assert not can(user, action, own_object(user, action)), action


def test_an_administrator_never_approves_their_own_request() -> None:
    """Separation of duties (decision 0056): the second administrator decides."""
    user = actor(Role.ADMIN)
    assert can(user, Action.APPROVE_ACCOUNT, FakeAccount(other(), "admin", other()))
    assert not can(user, Action.APPROVE_ACCOUNT, FakeAccount(other(), "admin", user.id))
    assert not can(user, Action.APPROVE_ACCOUNT, FakeAccount(other(), "admin", None))
    assert not can(user, Action.APPROVE_ACCOUNT, FakeAccount(other(), "supervisor", other()))
    mine = FakeAccount(other(), "admin", other(), id=user.id)
    assert not can(user, Action.APPROVE_ACCOUNT, mine)


def test_coordinator_never_touches_a_row_about_a_person() -> None:
    user = actor(Role.COORDINATOR)
    forbidden = _never(Role.COORDINATOR, CASE_CONTENT_PREFIXES)
    assert len(forbidden) > 20
    for action in forbidden:
        assert not can(user, action), action
        assert not can(user, action, own_object(user, action)), action


def test_require_raises_with_the_action() -> None:
    user = actor(Role.CASEWORKER)
    require(user, Action.VIEW_DASHBOARD)
    with pytest.raises(PermissionDenied) as denied:
        require(user, Action.MANAGE_USERS)
    assert denied.value.action is Action.MANAGE_USERS
    case = FakeCase(other(), other())
    with pytest.raises(PermissionDenied):
        require(user, Action.VIEW_CASE, case)


def test_predicate_failure_on_none_object_is_a_refusal() -> None:
    """Objects are duck-typed: a missing attribute never grants access."""
    for role, action in itertools.product(Role, Action):
        if EXPECTED[(role, action)] != OBJ:
            continue
        user = actor(role)
        for blank in (object(), FakeCase(None), FakeCase(None, None)):
            assert not can(user, action, blank), (role, action)


def test_partner_sees_only_the_field_groups_their_referral_shares() -> None:
    user = actor(Role.PARTNER)
    case = FakeCase(other(), other(), {user.agency_id}, frozenset({"trafficking_context"}))
    assert visible_field_groups(user, case) == {"trafficking_context"}
    assert not can(user, Action.VIEW_ATTACHMENT, case), "documents were not shared"
    with_documents = FakeCase(other(), other(), {user.agency_id}, frozenset({"documents"}))
    assert can(user, Action.VIEW_ATTACHMENT, with_documents)
    assert visible_field_groups(user, FakeCase(other(), other())) == frozenset()


def test_owning_agency_sees_every_field_group() -> None:
    supervisor = actor(Role.SUPERVISOR)
    case = FakeCase(supervisor.agency_id, other())
    assert visible_field_groups(supervisor, case) == frozenset(FIELD_GROUPS)
    coordinator = actor(Role.COORDINATOR, agency_id=supervisor.agency_id)
    assert visible_field_groups(coordinator, case) == frozenset()


# ---- referrals and services: consent and the end of a referral -------------------------------


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR], ids=str)
def test_a_referral_needs_a_consent_for_its_receiver(role: Role) -> None:
    user = actor(role)
    receiver, elsewhere = other(), other()
    case = FakeCase(user.agency_id, user.id, consented={receiver})
    assert can(user, Action.CREATE_REFERRAL, case), "the case itself: the owners may refer"
    assert can(user, Action.SEND_REFERRAL, ReferralDraft(case, receiver))
    assert not can(user, Action.SEND_REFERRAL, ReferralDraft(case, elsewhere))
    assert not can(user, Action.SEND_REFERRAL, ReferralDraft(case, None))
    foreign = FakeCase(other(), other(), consented={receiver})
    assert not can(user, Action.SEND_REFERRAL, ReferralDraft(foreign, receiver))
    assert not can(user, Action.SEND_REFERRAL, case), "a draft names its receiver"
    assert not can(user, Action.CREATE_REFERRAL, ReferralDraft(foreign, receiver))


def test_partner_edits_own_records_only_while_the_case_is_referred() -> None:
    user = actor(Role.PARTNER)
    referred = FakeCase(other(), other(), {user.agency_id})
    ended = FakeCase(other(), other(), set())
    assert can(user, Action.EDIT_SERVICE, FakeService(referred, user.agency_id))
    assert not can(user, Action.EDIT_SERVICE, FakeService(ended, user.agency_id))
    assert can(user, Action.VIEW_SERVICES, FakeService(ended, user.agency_id)), "still readable"


# ---- when a referral ends, access ends for everyone at the receiving agency (issue 12, 10) ---


LIVE = ("pending", "accepted")
ENDED = ("declined", "completed", "revoked", "expired")


@pytest.mark.parametrize("role", [Role.PARTNER, Role.SUPERVISOR], ids=str)
@pytest.mark.parametrize("status", LIVE + ENDED)
def test_receiver_reads_the_reason_only_while_the_referral_is_live(role: Role, status: str) -> None:
    user = actor(role)
    # An accepted referral gives access (the case is referred to the agency) until it ends.
    case = FakeCase(other(), other(), {user.agency_id} if status == "accepted" else set())
    received = FakeReferral(case, other(), user.agency_id, status)
    assert can(user, Action.VIEW_REFERRAL, received), "the referral itself stays listed"
    assert can(user, Action.VIEW_REFERRAL_REASON, received) is (status in LIVE)


@pytest.mark.parametrize("role", [Role.PARTNER, Role.SUPERVISOR], ids=str)
def test_an_accepted_referral_whose_consent_was_withdrawn_hides_the_reason(role: Role) -> None:
    user = actor(role)
    suspended = FakeCase(other(), other(), set())  # accepted, but the case no longer shared
    referral = FakeReferral(suspended, other(), user.agency_id, "accepted")
    assert not can(user, Action.VIEW_REFERRAL_REASON, referral)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR], ids=str)
@pytest.mark.parametrize("status", LIVE + ENDED)
def test_the_sender_always_reads_its_reason(role: Role, status: str) -> None:
    user = actor(role)
    case = FakeCase(user.agency_id, user.id)
    sent = FakeReferral(case, user.agency_id, other(), status)
    assert can(user, Action.VIEW_REFERRAL_REASON, sent)


@pytest.mark.parametrize("role", [Role.PARTNER, Role.SUPERVISOR], ids=str)
def test_receiving_agency_edits_its_records_only_while_the_case_is_referred(role: Role) -> None:
    """The partner agency's supervisor loses the edit together with its partners."""
    user = actor(role)
    referred = FakeCase(other(), other(), {user.agency_id})
    ended = FakeCase(other(), other(), set())
    assert can(user, Action.EDIT_SERVICE, FakeService(referred, user.agency_id))
    assert not can(user, Action.EDIT_SERVICE, FakeService(ended, user.agency_id))
    assert can(user, Action.VIEW_SERVICES, FakeService(ended, user.agency_id)), "still readable"


# ---- a withdrawn registration consent restricts the case to its supervisors (0063) --------


def _restricted(agency: uuid.UUID, assignee: uuid.UUID, referred: set[uuid.UUID]) -> FakeCase:
    return FakeCase(agency, assignee, referred, consented=set(referred), processing_restricted=True)


@pytest.mark.parametrize("action", _actions(Role.CASEWORKER, OBJ), ids=str)
def test_a_restricted_case_is_closed_to_its_caseworker(action: Action) -> None:
    user = actor(Role.CASEWORKER)
    case = _restricted(user.agency_id, user.id, set())
    assert not can(user, action, _case_for(user, action, case))


@pytest.mark.parametrize("action", _actions(Role.PARTNER, OBJ), ids=str)
def test_a_restricted_case_is_closed_to_partners(action: Action) -> None:
    user = actor(Role.PARTNER)
    case = _restricted(other(), other(), {user.agency_id})
    obj: Any = case
    if action in REFERRAL_ACTIONS:
        obj = FakeReferral(case, other(), user.agency_id, "accepted")
        if action in (Action.VIEW_REFERRAL, Action.COMPLETE_REFERRAL, Action.RESPOND_REFERRAL):
            return  # the referral itself stays theirs (its transitions decide)
    elif action in SERVICE_RECORD_ACTIONS:
        obj = FakeService(case, user.agency_id)
        if action in (Action.VIEW_SERVICES, Action.VIEW_SESSION_NOTES):
            return  # their own records stay readable, as after any referral
    elif action is Action.RECORD_SERVICE:
        obj = case
    assert not can(user, action, obj), action


def test_a_restricted_case_stays_with_its_supervisors_but_is_shared_with_no_one() -> None:
    user = actor(Role.SUPERVISOR)
    receiver = other()
    case = _restricted(user.agency_id, other(), set())
    case.consented.add(receiver)
    for action in (Action.VIEW_CASE, Action.RECORD_CONSENT, Action.ERASE_CASE, Action.EDIT_CASE):
        assert can(user, action, case), action
    assert not can(user, Action.CREATE_REFERRAL, case)
    assert not can(user, Action.SEND_REFERRAL, ReferralDraft(case, receiver))
    assert visible_field_groups(actor(Role.PARTNER, agency_id=receiver), case) == frozenset()
    # Given again: everything is back.
    case.processing_restricted = False
    assert can(user, Action.CREATE_REFERRAL, case)
    assert can(user, Action.SEND_REFERRAL, ReferralDraft(case, receiver))


# ---- note categories: a field group shares only its own notes (issue 12, item 11) ----------


def test_a_referral_shares_only_the_notes_of_the_groups_it_shares() -> None:
    user = actor(Role.PARTNER)
    health = FakeCase(other(), other(), {user.agency_id}, frozenset({"health_notes"}))
    assert visible_note_categories(user, health) == {"health_risk"}
    context = FakeCase(other(), other(), {user.agency_id}, frozenset({"trafficking_context"}))
    assert visible_note_categories(user, context) == {"trafficking_context"}
    everything = FakeCase(other(), other(), {user.agency_id}, frozenset(FIELD_GROUPS))
    assert visible_note_categories(user, everything) == {"health_risk", "trafficking_context"}
    assert visible_note_categories(user, FakeCase(other(), other())) == frozenset()


def test_the_owning_agency_reads_every_note_category() -> None:
    supervisor = actor(Role.SUPERVISOR)
    case = FakeCase(supervisor.agency_id, other())
    assert visible_note_categories(supervisor, case) == {
        "case_management",
        "health_risk",
        "trafficking_context",
        "investigation",
    }


# ---- support plans (decisions 0094, 0096) ---------------------------------------------------


def test_a_plan_approval_needs_four_eyes() -> None:
    """The supervisor who asked never approves; another supervisor of the agency does; a
    caseworker, a partner or another agency's supervisor never."""
    supervisor = actor(Role.SUPERVISOR)
    case = FakeCase(supervisor.agency_id, other())
    assert not can(supervisor, Action.DECIDE_PLAN_APPROVAL, FakeApproval(case, supervisor.id))
    assert can(supervisor, Action.DECIDE_PLAN_APPROVAL, FakeApproval(case, other()))
    assert not can(supervisor, Action.DECIDE_PLAN_APPROVAL, FakeApproval(case, None))
    colleague = actor(Role.CASEWORKER, agency_id=supervisor.agency_id)
    assigned = FakeCase(supervisor.agency_id, colleague.id)
    assert not can(colleague, Action.DECIDE_PLAN_APPROVAL, FakeApproval(assigned, other()))
    assert can(colleague, Action.REQUEST_PLAN_APPROVAL, assigned)
    elsewhere = actor(Role.SUPERVISOR)
    assert not can(elsewhere, Action.DECIDE_PLAN_APPROVAL, FakeApproval(case, other()))
    partner = actor(Role.PARTNER)
    shared = FakeCase(supervisor.agency_id, other(), {partner.agency_id})
    assert not can(partner, Action.DECIDE_PLAN_APPROVAL, FakeApproval(shared, other()))


def test_a_partner_reads_the_plan_only_when_its_referral_shares_it() -> None:
    partner = actor(Role.PARTNER)
    shared = FakeCase(other(), other(), {partner.agency_id}, frozenset({"support_plan"}))
    unshared = FakeCase(other(), other(), {partner.agency_id}, frozenset({"documents"}))
    assert can(partner, Action.VIEW_SUPPORT_PLAN, shared)
    assert not can(partner, Action.VIEW_SUPPORT_PLAN, unshared)
    assert not can(partner, Action.MANAGE_PLAN_STEPS, shared), "steps are added by the owner"


# ---- transfers of the lead agency (decision 0091) --------------------------------------------


@pytest.mark.parametrize("status", ["pending", "accepted", "declined", "withdrawn"])
def test_transfer_before_during_and_after_for_each_side(status: str) -> None:
    bangkok, phnom_penh = other(), other()
    worker = actor(Role.CASEWORKER, agency_id=bangkok)
    colleague = actor(Role.CASEWORKER, agency_id=bangkok)
    sender = actor(Role.SUPERVISOR, agency_id=bangkok)
    receiver = actor(Role.SUPERVISOR, agency_id=phnom_penh)
    receiving_worker = actor(Role.CASEWORKER, agency_id=phnom_penh)
    stranger = actor(Role.SUPERVISOR)
    partner = actor(Role.PARTNER, agency_id=phnom_penh)
    transfer = FakeTransfer(
        FakeCase(phnom_penh if status == "accepted" else bangkok),
        bangkok,
        phnom_penh,
        proposed_by_id=worker.id,
        from_assignee_id=worker.id,
        status=status,
    )
    pending, accepted = status == "pending", status == "accepted"
    expected = [
        ((worker, Action.VIEW_TRANSFER), True),
        ((worker, Action.WITHDRAW_TRANSFER), pending),
        ((worker, Action.VIEW_TRANSFERRED_RECORDS), accepted),
        ((worker, Action.RESPOND_TRANSFER), False),
        ((colleague, Action.VIEW_TRANSFER), False),
        ((colleague, Action.VIEW_TRANSFERRED_RECORDS), False),
        ((sender, Action.VIEW_TRANSFER), True),
        ((sender, Action.WITHDRAW_TRANSFER), pending),
        ((sender, Action.VIEW_TRANSFERRED_RECORDS), accepted),
        ((sender, Action.RESPOND_TRANSFER), False),
        ((receiver, Action.VIEW_TRANSFER), True),
        ((receiver, Action.RESPOND_TRANSFER), True),  # the transitions table refuses answered ones
        ((receiver, Action.WITHDRAW_TRANSFER), False),
        ((receiver, Action.VIEW_TRANSFERRED_RECORDS), False),
        ((receiving_worker, Action.VIEW_TRANSFER), False),
        ((stranger, Action.VIEW_TRANSFER), False),
        ((stranger, Action.RESPOND_TRANSFER), False),
        ((partner, Action.VIEW_TRANSFER), False),
    ]
    for (user, action), allowed in expected:
        assert can(user, action, transfer) is allowed, (user.role, action)
    # The case itself: the owner's after acceptance, the sender's before, never both.
    assert can(receiver, Action.VIEW_CASE, transfer.case) is accepted
    assert can(sender, Action.VIEW_CASE, transfer.case) is not accepted
    assert can(worker, Action.VIEW_CASE, transfer.case) is False  # unassigned either way


def test_a_restricted_case_keeps_the_senders_caseworker_out_of_its_records() -> None:
    bangkok = other()
    worker = actor(Role.CASEWORKER, agency_id=bangkok)
    transfer = FakeTransfer(
        FakeCase(other(), processing_restricted=True),
        bangkok,
        other(),
        worker.id,
        worker.id,
        "accepted",
    )
    assert not can(worker, Action.VIEW_TRANSFERRED_RECORDS, transfer)
    assert not can(worker, Action.VIEW_TRANSFER, transfer)


def test_a_transfer_needs_a_consent_for_its_receiver() -> None:
    user = actor(Role.SUPERVISOR)
    case = FakeCase(user.agency_id, other())
    receiver = other()
    assert not can(user, Action.SEND_TRANSFER, ReferralDraft(case, receiver))
    case.consented.add(receiver)
    assert can(user, Action.SEND_TRANSFER, ReferralDraft(case, receiver))


def test_the_receiver_sees_only_the_groups_handed_over() -> None:
    user = actor(Role.SUPERVISOR)
    case = FakeCase(user.agency_id, other(), owner_field_groups=["identity_contact"])
    assert visible_field_groups(user, case) == {"identity_contact"}
    # the case file's own categories go with the lead; health notes were not handed over
    assert visible_note_categories(user, case) == {"case_management", "investigation"}
    case.owner_field_groups = ["health_notes"]
    assert "health_risk" in visible_note_categories(user, case)
    assert "trafficking_context" not in visible_note_categories(user, case)
    case.owner_field_groups = None
    assert visible_field_groups(user, case) == frozenset(FIELD_GROUPS)
