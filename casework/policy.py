"""Who may do what: the single permission table of Casework.

Every permission decision in the product is a call to `can()` or `require()` here. Deny by
default: a (role, action) pair that is not in RULES is refused. Every list of records is built
from a scoped query, the SQL twin of a rule here, which lives beside its model
(`cases/scopes.py`, `referrals/scopes.py`, `services/scopes.py`, `admin/scopes.py`) and starts
by asking `can()`. This module imports no model, no vocabulary and nothing of Flask, so it is
testable on its own (tests/test_import_graph.py checks it).

A rule is True (the role may, on any object the scoped queries let it reach), or a predicate
`(actor, obj) -> bool` deciding on the object. Called without an object, `can()` answers
whether the role may perform the action at all (used for navigation and the route guard);
object-level checks always pass the object.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol


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


# Consents that open a case to a named agency (to share with it, to refer to it): the policy's
# rule, so the vocabulary of consent purposes takes it from here.
AGENCY_CONSENT_PURPOSES = frozenset({"sharing", "referral"})

Predicate = Callable[[Actor, Any], bool]
Rule = bool | Predicate


# ---- predicates (objects are duck-typed: cases, referrals, services) ---------------------
# Case-level predicates look at the object's case: `obj.case` for a referral, a service
# record or an attachment, the object itself for a case.


def _case_of(obj: Any) -> Any:
    return getattr(obj, "case", obj)


def same_agency(actor: Actor, obj: Any) -> bool:
    case = _case_of(obj)
    return case is not None and getattr(case, "agency_id", None) == actor.agency_id


def assigned_to_actor(actor: Actor, obj: Any) -> bool:
    case = _case_of(obj)
    return same_agency(actor, case) and getattr(case, "assigned_to_id", None) == actor.id


def referred_to_actor_agency(actor: Actor, obj: Any) -> bool:
    """An open, accepted referral of this case to the actor's agency grants access."""
    check = getattr(_case_of(obj), "open_referral_to", None)
    return bool(check and check(actor.agency_id))


def shares_group(group: str) -> Predicate:
    """An open referral to the actor's agency shares field group `group` of the case."""

    def rule(actor: Actor, obj: Any) -> bool:
        shared = getattr(_case_of(obj), "shared_groups_for", None)
        return bool(shared and group in shared(actor.agency_id))

    rule.__name__ = f"shares_{group}"
    return rule


def assigned_or_referred(actor: Actor, obj: Any) -> bool:
    return assigned_to_actor(actor, obj) or referred_to_actor_agency(actor, obj)


def referral_received_by_actor_agency(actor: Actor, obj: Any) -> bool:
    return obj is not None and getattr(obj, "to_agency_id", None) == actor.agency_id


def referral_sent_by_actor_agency(actor: Actor, obj: Any) -> bool:
    return obj is not None and getattr(obj, "from_agency_id", None) == actor.agency_id


def service_provided_by_actor_agency(actor: Actor, obj: Any) -> bool:
    return obj is not None and getattr(obj, "provider_agency_id", None) == actor.agency_id


def consent_covers_receiver(obj: Any) -> bool:
    """A referral (or a draft of one) needs a current consent to share with, or refer to, its
    receiving agency. On a case (no receiver chosen yet) there is nothing to check."""
    receiver = getattr(obj, "to_agency_id", None)
    if receiver is None and not hasattr(obj, "to_agency_id"):
        return True
    check = getattr(_case_of(obj), "has_current_consent", None)
    return bool(receiver is not None and check and check(AGENCY_CONSENT_PURPOSES, receiver))


def may_refer_assigned(actor: Actor, obj: Any) -> bool:
    return assigned_to_actor(actor, obj) and consent_covers_receiver(obj)


def may_refer_agency(actor: Actor, obj: Any) -> bool:
    return same_agency(actor, obj) and consent_covers_receiver(obj)


def own_service_while_referred(actor: Actor, obj: Any) -> bool:
    """A partner edits its own records only while the case is referred to it; after that
    they stay readable (VIEW_SERVICES) but no longer change."""
    return service_provided_by_actor_agency(actor, obj) and referred_to_actor_agency(actor, obj)


def referral_of_actor_case(actor: Actor, obj: Any) -> bool:
    """A caseworker: referrals their agency sent about a case assigned to them, no others."""
    return referral_sent_by_actor_agency(actor, obj) and assigned_to_actor(actor, obj)


def service_on_actor_case(actor: Actor, obj: Any) -> bool:
    """A caseworker: their agency's service records on a case assigned to them, no others."""
    return service_provided_by_actor_agency(actor, obj) and assigned_to_actor(actor, obj)


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
    (C, Action.VIEW_CASE): assigned_to_actor,
    (S, Action.VIEW_CASE): same_agency,
    (P, Action.VIEW_CASE): referred_to_actor_agency,
    (C, Action.EDIT_CASE): assigned_to_actor,
    (S, Action.EDIT_CASE): same_agency,
    (S, Action.ASSIGN_CASE): same_agency,
    (C, Action.REQUEST_CLOSURE): assigned_to_actor,
    (S, Action.REQUEST_CLOSURE): same_agency,
    (S, Action.APPROVE_CLOSURE): same_agency,
    (S, Action.ERASE_CASE): same_agency,
    (C, Action.RECORD_CONSENT): assigned_to_actor,
    (S, Action.RECORD_CONSENT): same_agency,
    (C, Action.VIEW_ATTACHMENT): assigned_to_actor,
    (S, Action.VIEW_ATTACHMENT): same_agency,
    (P, Action.VIEW_ATTACHMENT): shares_group("documents"),
    (C, Action.ADD_ATTACHMENT): assigned_to_actor,
    (S, Action.ADD_ATTACHMENT): same_agency,
    (C, Action.DELETE_ATTACHMENT): assigned_to_actor,
    (S, Action.DELETE_ATTACHMENT): same_agency,
    # Referrals
    # Refer: on a case, the owners; on a draft referral, only with a current consent for
    # the receiving agency (the operation asks again).
    (C, Action.CREATE_REFERRAL): may_refer_assigned,
    (S, Action.CREATE_REFERRAL): may_refer_agency,
    (C, Action.VIEW_REFERRAL): referral_of_actor_case,
    (S, Action.VIEW_REFERRAL): lambda actor, obj: (
        referral_sent_by_actor_agency(actor, obj) or referral_received_by_actor_agency(actor, obj)
    ),
    (P, Action.VIEW_REFERRAL): referral_received_by_actor_agency,
    (S, Action.RESPOND_REFERRAL): referral_received_by_actor_agency,
    (P, Action.RESPOND_REFERRAL): referral_received_by_actor_agency,
    (C, Action.REVOKE_REFERRAL): referral_of_actor_case,
    (S, Action.REVOKE_REFERRAL): referral_sent_by_actor_agency,
    (S, Action.COMPLETE_REFERRAL): referral_received_by_actor_agency,
    (P, Action.COMPLETE_REFERRAL): referral_received_by_actor_agency,
    (S, Action.VIEW_REFERRAL_INBOX): True,
    (P, Action.VIEW_REFERRAL_INBOX): True,
    (C, Action.LIST_SENT_REFERRALS): True,
    (S, Action.LIST_SENT_REFERRALS): True,
    # Services: the owning agency sees all; a provider its own records.
    (C, Action.VIEW_SERVICES): assigned_to_actor,
    (S, Action.VIEW_SERVICES): lambda actor, obj: (
        same_agency(actor, obj) or service_provided_by_actor_agency(actor, obj)
    ),
    (P, Action.VIEW_SERVICES): service_provided_by_actor_agency,
    (P, Action.RECORD_SERVICE): referred_to_actor_agency,
    (C, Action.RECORD_SERVICE): assigned_to_actor,
    (S, Action.RECORD_SERVICE): same_agency,
    (P, Action.EDIT_SERVICE): own_service_while_referred,
    (C, Action.EDIT_SERVICE): service_on_actor_case,
    (S, Action.EDIT_SERVICE): service_provided_by_actor_agency,
    # Reports: anonymised aggregates only.
    (S, Action.VIEW_AGENCY_REPORTS): True,
    (K, Action.VIEW_REGIONAL_REPORTS): True,
    (K, Action.PUBLISH_RELEASE): True,
}


# Field groups of a case (vocab.SHARED_GROUPS): the owning agency sees them all; a partner
# only those its open referrals share (data minimisation).
FIELD_GROUPS = ("identity_contact", "trafficking_context", "health_notes", "documents")


def visible_field_groups(actor: Actor | None, case: Any) -> frozenset[str]:
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


def can(actor: Actor | None, action: Action | str, obj: Any = None) -> bool:
    """True when `actor` may perform `action` (on `obj`, when given)."""
    role = _role(actor)
    if role is None or actor is None:
        return False
    rule = RULES.get((role, Action(action)), False)
    if isinstance(rule, bool):
        return rule
    if obj is None:
        return True  # the role may, on some objects: object checks follow at load time
    return bool(rule(actor, obj))


def require(actor: Actor | None, action: Action | str, obj: Any = None) -> None:
    """Raise PermissionDenied unless `can(actor, action, obj)`."""
    if not can(actor, action, obj):
        raise PermissionDenied(Action(action), obj)


def allowed_actions(role: Role) -> frozenset[Action]:
    """The actions a role may perform on at least some objects."""
    return frozenset(action for (r, action), rule in RULES.items() if r == role and rule)
