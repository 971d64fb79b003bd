"""Who may do what: the single permission table of Casework.

Every permission decision in the product is a call to `can()` or `require()` here. Deny by
default: a (role, action) pair that is not in RULES is refused. Every list of records is built
from a scoped query, the SQL twin of a rule here, which lives beside its model
(`cases/scopes.py`, `referrals/scopes.py`, `services/scopes.py`, `admin/scopes.py`) and starts
by asking `can()`. This module imports no model, no vocabulary and nothing of Flask (codes come from
casework.domain), so it is testable on its own (tests/test_import_graph.py checks it).

A rule is True (the role may, on any object the scoped queries let it reach), or a predicate
deciding on the object; each predicate reads a typed protocol (CaseLike, ReferralLike,
ServiceRecordLike, ReferralDraftLike) and refuses an object that is not one. Called without
an object, `can()` answers whether the role may perform the action at all (used for
navigation and the route guard); object-level checks always pass the object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar, runtime_checkable

from casework.domain import AGENCY_CONSENT_PURPOSES


class Role(StrEnum):
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    PARTNER = "partner"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Action(StrEnum):
    # Everyone signed in
    VIEW_DASHBOARD = "dashboard.view"
    MANAGE_OWN_ACCOUNT = "account.manage_own"
    VIEW_NOTIFICATIONS = "notification.view"
    # Administration (separation of duties: never case contents)
    MANAGE_AGENCIES = "agency.manage"
    MANAGE_USERS = "user.manage"
    VIEW_AUDIT = "audit.view"
    MANAGE_KEYS = "keys.manage"
    # Cases
    CREATE_CASE = "case.create"
    LIST_MY_CASES = "case.list_mine"
    LIST_AGENCY_CASES = "case.list_agency"
    VIEW_CASE = "case.view"
    EDIT_CASE = "case.edit"
    ASSIGN_CASE = "case.assign"
    REQUEST_CLOSURE = "case.request_closure"
    APPROVE_CLOSURE = "case.approve_closure"
    ERASE_CASE = "case.erase"
    RECORD_CONSENT = "consent.record"
    VIEW_ATTACHMENT = "attachment.view"
    ADD_ATTACHMENT = "attachment.add"
    DELETE_ATTACHMENT = "attachment.delete"
    # Referrals
    CREATE_REFERRAL = "referral.create"
    SEND_REFERRAL = "referral.send"
    VIEW_REFERRAL = "referral.view"
    RESPOND_REFERRAL = "referral.respond"
    REVOKE_REFERRAL = "referral.revoke"
    COMPLETE_REFERRAL = "referral.complete"
    VIEW_REFERRAL_INBOX = "referral.inbox"
    LIST_SENT_REFERRALS = "referral.list_sent"
    # Services
    VIEW_SERVICES = "service.view"
    RECORD_SERVICE = "service.record"
    EDIT_SERVICE = "service.edit"
    # Reports
    VIEW_AGENCY_REPORTS = "report.agency"
    VIEW_REGIONAL_REPORTS = "report.regional"
    PUBLISH_RELEASE = "report.release"


class Actor(Protocol):
    """What the policy needs to know about the person acting."""

    @property
    def id(self) -> Any: ...
    @property
    def role(self) -> str: ...
    @property
    def agency_id(self) -> Any: ...
    @property
    def is_active(self) -> bool: ...


# ---- what a predicate reads ----------------------------------------------------------------
# Each predicate reads one kind of object, described here: the models fit these protocols (and
# the hand-written fakes of tests/test_policy.py do too). `can()` receives whatever a view or a
# template passes; the rule first finds the object it reads (`case_of`, `referral_of`, ...) and
# refuses anything else, so a missing attribute never grants access.


@runtime_checkable
class CaseLike(Protocol):
    """A case: who owns it, who works on it, what its consents and open referrals allow."""

    @property
    def agency_id(self) -> Any: ...
    @property
    def assigned_to_id(self) -> Any: ...
    def has_current_consent(self, purposes: frozenset[str], agency_id: Any) -> bool: ...
    def open_referral_to(self, agency_id: Any) -> bool: ...
    def shared_groups_for(self, agency_id: Any) -> frozenset[str]: ...


@runtime_checkable
class CaseRecordLike(Protocol):
    """A record that belongs to a case (an attachment, a referral, a service record)."""

    @property
    def case(self) -> CaseLike: ...


@runtime_checkable
class ReferralLike(CaseRecordLike, Protocol):
    """A referral: the case, the agency that sent it and the agency it went to."""

    @property
    def from_agency_id(self) -> Any: ...
    @property
    def to_agency_id(self) -> Any: ...


@runtime_checkable
class ServiceRecordLike(CaseRecordLike, Protocol):
    """A service record: the case and the agency that provides the service."""

    @property
    def provider_agency_id(self) -> Any: ...


@runtime_checkable
class ReferralDraftLike(Protocol):
    """A referral not made yet: the case and the agency chosen to receive it."""

    @property
    def case(self) -> CaseLike: ...
    @property
    def to_agency_id(self) -> Any: ...


@dataclass(frozen=True)
class ReferralDraft:
    """What SEND_REFERRAL decides on: a referral of `case` to `to_agency_id`, before the
    referral exists (`can(actor, Action.SEND_REFERRAL, ReferralDraft(case, agency.id))`)."""

    case: CaseLike
    to_agency_id: Any


def case_of(obj: object) -> CaseLike | None:
    """The case an object belongs to (a case is its own), or None for anything else."""
    if isinstance(obj, CaseRecordLike):
        obj = obj.case
    return obj if isinstance(obj, CaseLike) else None


def referral_of(obj: object) -> ReferralLike | None:
    return obj if isinstance(obj, ReferralLike) and case_of(obj) is not None else None


def service_of(obj: object) -> ServiceRecordLike | None:
    return obj if isinstance(obj, ServiceRecordLike) and case_of(obj) is not None else None


def draft_of(obj: object) -> ReferralDraftLike | None:
    return obj if isinstance(obj, ReferralDraftLike) and case_of(obj) is not None else None


Predicate = Callable[[Actor, object], bool]
Rule = bool | Predicate
T = TypeVar("T")


def _on(find: Callable[[object], T | None], test: Callable[[Actor, T], bool]) -> Predicate:
    """A rule that finds what `test` reads in the object it is given; nothing found: refused."""

    def rule(actor: Actor, obj: object) -> bool:
        subject = find(obj)
        return subject is not None and test(actor, subject)

    rule.__name__ = test.__name__
    return rule


def on_case(test: Callable[[Actor, CaseLike], bool]) -> Predicate:
    """Decides on the case of the object: a case, or a record of one."""
    return _on(case_of, test)


def on_referral(test: Callable[[Actor, ReferralLike], bool]) -> Predicate:
    return _on(referral_of, test)


def on_service(test: Callable[[Actor, ServiceRecordLike], bool]) -> Predicate:
    return _on(service_of, test)


def on_draft(test: Callable[[Actor, ReferralDraftLike], bool]) -> Predicate:
    return _on(draft_of, test)


def any_of(*rules: Predicate) -> Predicate:
    def rule(actor: Actor, obj: object) -> bool:
        return any(r(actor, obj) for r in rules)

    rule.__name__ = "_or_".join(r.__name__ for r in rules)
    return rule


# ---- predicates ----------------------------------------------------------------------------


def same_agency(actor: Actor, case: CaseLike) -> bool:
    return case.agency_id is not None and case.agency_id == actor.agency_id


def assigned_to_actor(actor: Actor, case: CaseLike) -> bool:
    return same_agency(actor, case) and case.assigned_to_id == actor.id


def referred_to_actor_agency(actor: Actor, case: CaseLike) -> bool:
    """An open, accepted referral of this case to the actor's agency grants access."""
    return bool(case.open_referral_to(actor.agency_id))


def shares_group(group: str) -> Callable[[Actor, CaseLike], bool]:
    """An open referral to the actor's agency shares field group `group` of the case."""

    def rule(actor: Actor, case: CaseLike) -> bool:
        return group in case.shared_groups_for(actor.agency_id)

    rule.__name__ = f"shares_{group}"
    return rule


def referral_received_by_actor_agency(actor: Actor, referral: ReferralLike) -> bool:
    return referral.to_agency_id is not None and referral.to_agency_id == actor.agency_id


def referral_sent_by_actor_agency(actor: Actor, referral: ReferralLike) -> bool:
    return referral.from_agency_id is not None and referral.from_agency_id == actor.agency_id


def referral_of_actor_case(actor: Actor, referral: ReferralLike) -> bool:
    """A caseworker: referrals their agency sent about a case assigned to them, no others."""
    return referral_sent_by_actor_agency(actor, referral) and assigned_to_actor(
        actor, referral.case
    )


def consent_covers_receiver(draft: ReferralDraftLike) -> bool:
    """A referral needs a current consent to share with, or refer to, its receiving agency."""
    receiver = draft.to_agency_id
    return receiver is not None and bool(
        draft.case.has_current_consent(AGENCY_CONSENT_PURPOSES, receiver)
    )


def may_send_assigned(actor: Actor, draft: ReferralDraftLike) -> bool:
    return assigned_to_actor(actor, draft.case) and consent_covers_receiver(draft)


def may_send_agency(actor: Actor, draft: ReferralDraftLike) -> bool:
    return same_agency(actor, draft.case) and consent_covers_receiver(draft)


def service_provided_by_actor_agency(actor: Actor, service: ServiceRecordLike) -> bool:
    provider = service.provider_agency_id
    return provider is not None and provider == actor.agency_id


def own_service_while_referred(actor: Actor, service: ServiceRecordLike) -> bool:
    """A partner edits its own records only while the case is referred to it; after that
    they stay readable (VIEW_SERVICES) but no longer change."""
    return service_provided_by_actor_agency(actor, service) and referred_to_actor_agency(
        actor, service.case
    )


def service_on_actor_case(actor: Actor, service: ServiceRecordLike) -> bool:
    """A caseworker: their agency's service records on a case assigned to them, no others."""
    return service_provided_by_actor_agency(actor, service) and assigned_to_actor(
        actor, service.case
    )


C, S, P, K, A = Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER, Role.COORDINATOR, Role.ADMIN
ALL_ROLES = tuple(Role)

RULES: dict[tuple[Role, Action], Rule] = {
    **{(role, Action.VIEW_DASHBOARD): True for role in ALL_ROLES},
    **{(role, Action.MANAGE_OWN_ACCOUNT): True for role in ALL_ROLES},
    **{(role, Action.VIEW_NOTIFICATIONS): True for role in ALL_ROLES},
    (A, Action.MANAGE_AGENCIES): True,
    (A, Action.MANAGE_USERS): True,
    (A, Action.VIEW_AUDIT): True,
    (A, Action.MANAGE_KEYS): True,
    # Cases: caseworkers their assigned cases; supervisors their agency's; partners only
    # what an accepted, open referral shares.
    (C, Action.CREATE_CASE): True,
    (S, Action.CREATE_CASE): True,
    (C, Action.LIST_MY_CASES): True,
    (S, Action.LIST_MY_CASES): True,
    (S, Action.LIST_AGENCY_CASES): True,
    (C, Action.VIEW_CASE): on_case(assigned_to_actor),
    (S, Action.VIEW_CASE): on_case(same_agency),
    (P, Action.VIEW_CASE): on_case(referred_to_actor_agency),
    (C, Action.EDIT_CASE): on_case(assigned_to_actor),
    (S, Action.EDIT_CASE): on_case(same_agency),
    (S, Action.ASSIGN_CASE): on_case(same_agency),
    (C, Action.REQUEST_CLOSURE): on_case(assigned_to_actor),
    (S, Action.REQUEST_CLOSURE): on_case(same_agency),
    (S, Action.APPROVE_CLOSURE): on_case(same_agency),
    (S, Action.ERASE_CASE): on_case(same_agency),
    (C, Action.RECORD_CONSENT): on_case(assigned_to_actor),
    (S, Action.RECORD_CONSENT): on_case(same_agency),
    (C, Action.VIEW_ATTACHMENT): on_case(assigned_to_actor),
    (S, Action.VIEW_ATTACHMENT): on_case(same_agency),
    (P, Action.VIEW_ATTACHMENT): on_case(shares_group("documents")),
    (C, Action.ADD_ATTACHMENT): on_case(assigned_to_actor),
    (S, Action.ADD_ATTACHMENT): on_case(same_agency),
    (C, Action.DELETE_ATTACHMENT): on_case(assigned_to_actor),
    (S, Action.DELETE_ATTACHMENT): on_case(same_agency),
    # Referrals
    # Refer: on the case, its owners may refer it; a referral to a chosen agency (a draft, not
    # made yet) also needs a current consent for that agency (SEND_REFERRAL).
    (C, Action.CREATE_REFERRAL): on_case(assigned_to_actor),
    (S, Action.CREATE_REFERRAL): on_case(same_agency),
    (C, Action.SEND_REFERRAL): on_draft(may_send_assigned),
    (S, Action.SEND_REFERRAL): on_draft(may_send_agency),
    (C, Action.VIEW_REFERRAL): on_referral(referral_of_actor_case),
    (S, Action.VIEW_REFERRAL): any_of(
        on_referral(referral_sent_by_actor_agency), on_referral(referral_received_by_actor_agency)
    ),
    (P, Action.VIEW_REFERRAL): on_referral(referral_received_by_actor_agency),
    (S, Action.RESPOND_REFERRAL): on_referral(referral_received_by_actor_agency),
    (P, Action.RESPOND_REFERRAL): on_referral(referral_received_by_actor_agency),
    (C, Action.REVOKE_REFERRAL): on_referral(referral_of_actor_case),
    (S, Action.REVOKE_REFERRAL): on_referral(referral_sent_by_actor_agency),
    (S, Action.COMPLETE_REFERRAL): on_referral(referral_received_by_actor_agency),
    (P, Action.COMPLETE_REFERRAL): on_referral(referral_received_by_actor_agency),
    (S, Action.VIEW_REFERRAL_INBOX): True,
    (P, Action.VIEW_REFERRAL_INBOX): True,
    (C, Action.LIST_SENT_REFERRALS): True,
    (S, Action.LIST_SENT_REFERRALS): True,
    # Services: the owning agency sees all (on the case, or one record); a provider its own
    # records.
    (C, Action.VIEW_SERVICES): on_case(assigned_to_actor),
    (S, Action.VIEW_SERVICES): any_of(
        on_case(same_agency), on_service(service_provided_by_actor_agency)
    ),
    (P, Action.VIEW_SERVICES): on_service(service_provided_by_actor_agency),
    (P, Action.RECORD_SERVICE): on_case(referred_to_actor_agency),
    (C, Action.RECORD_SERVICE): on_case(assigned_to_actor),
    (S, Action.RECORD_SERVICE): on_case(same_agency),
    (P, Action.EDIT_SERVICE): on_service(own_service_while_referred),
    (C, Action.EDIT_SERVICE): on_service(service_on_actor_case),
    (S, Action.EDIT_SERVICE): on_service(service_provided_by_actor_agency),
    # Reports: anonymised aggregates only.
    (S, Action.VIEW_AGENCY_REPORTS): True,
    (K, Action.VIEW_REGIONAL_REPORTS): True,
    (K, Action.PUBLISH_RELEASE): True,
}


# Field groups of a case (vocab.SHARED_GROUPS): the owning agency sees them all; a partner
# only those its open referrals share (data minimisation).
FIELD_GROUPS = ("identity_contact", "trafficking_context", "health_notes", "documents")


def visible_field_groups(actor: Actor | None, case: CaseLike) -> frozenset[str]:
    """The field groups of `case` the actor may see (empty when they may not see the case)."""
    if not can(actor, Action.VIEW_CASE, case) or actor is None:
        return frozenset()
    if _role(actor) == Role.PARTNER:
        return frozenset(case.shared_groups_for(actor.agency_id))
    return frozenset(FIELD_GROUPS)


class PermissionDenied(Exception):
    """Raised by `require()`, in a view or an operation. The web layer turns it into the
    same audited 404 as a missing object (`casework.web.errors`); `target` is the object
    refused, when there was one."""

    def __init__(self, action: Action, target: Any = None) -> None:
        super().__init__(action.value)
        self.action = action
        self.target = target


def _role(actor: Actor | None) -> Role | None:
    if actor is None or not getattr(actor, "is_active", False):
        return None
    try:
        return Role(actor.role)
    except ValueError:
        return None


def can(actor: Actor | None, action: Action | str, obj: object = None) -> bool:
    """True when `actor` may perform `action` (on `obj`, when given). `obj` is what the action
    is about: a case or one of its records, a referral, a service record, a ReferralDraft;
    an object the rule cannot read is refused."""
    role = _role(actor)
    if role is None or actor is None:
        return False
    rule = RULES.get((role, Action(action)), False)
    if isinstance(rule, bool):
        return rule
    if obj is None:
        return True  # the role may, on some objects: object checks follow at load time
    return bool(rule(actor, obj))


def require(actor: Actor | None, action: Action | str, obj: object = None) -> None:
    """Raise PermissionDenied unless `can(actor, action, obj)`."""
    if not can(actor, action, obj):
        raise PermissionDenied(Action(action), obj)


def allowed_actions(role: Role) -> frozenset[Action]:
    """The actions a role may perform on at least some objects."""
    return frozenset(action for (r, action), rule in RULES.items() if r == role and rule)
