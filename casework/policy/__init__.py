"""Who may do what: the single permission table of Casework.

Every permission decision in the product is a call to `can()` or `require()` here. Deny by
default: a (role, action) pair that is not in RULES is refused. Every list of records is built
from a scoped query, the SQL twin of a rule here, which lives beside its model
(`cases/scopes.py`, `referrals/scopes.py`, `services/scopes.py`, `admin/scopes.py`) and starts
by asking `can()`. This package imports no model, no vocabulary and nothing of Flask (codes
come from casework.domain), so it is testable on its own (tests/test_import_graph.py checks).

A rule is True (the role may, on any object the scoped queries let it reach), or a predicate
deciding on the object (policy/predicates.py); each predicate reads a typed protocol
(policy/protocols.py: CaseLike, ReferralLike, ServiceRecordLike, ReferralDraftLike) and refuses
an object that is not one. Called without
an object, `can()` answers whether the role may perform the action at all (used for
navigation and the route guard); object-level checks always pass the object.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from casework.domain import NOTE_CATEGORY_GROUPS, NoteCategory
from casework.policy.predicates import (
    Rule,
    another_supervisor_decides,
    any_of,
    assigned_to_actor,
    authored_by_actor,
    may_send_agency,
    may_send_assigned,
    on_account,
    on_approval,
    on_case,
    on_draft,
    on_form_draft,
    on_referral,
    on_service,
    on_step,
    on_transfer,
    own_service_on_own_or_referred_case,
    own_service_while_referred,
    own_step_while_plan_shared,
    referral_live_for_actor_agency,
    referral_of_actor_case,
    referral_received_by_actor_agency,
    referral_sent_by_actor_agency,
    referred_to_actor_agency,
    same_agency,
    same_agency_unrestricted,
    second_administrator_approves,
    service_on_actor_case,
    service_provided_by_actor_agency,
    shares_group,
    step_on_agency_case,
    step_on_assigned_case,
    supervisor_approves_in_agency,
    transfer_accepted_of_actor,
    transfer_accepted_sent_by_actor_agency,
    transfer_of_actor,
    transfer_pending_of_actor,
    transfer_pending_sent_by_actor_agency,
    transfer_received_by_actor_agency,
    transfer_sent_by_actor_agency,
)
from casework.policy.protocols import (
    Actor,
    CaseLike,
    CaseLinkLike,
    CaseRecordLike,
    ReferralDraft,
    ReferralDraftLike,
    ReferralLike,
    ServiceRecordLike,
    TransferLike,
    case_of,
    draft_of,
    link_of,
    referral_of,
    service_of,
    transfer_of,
)

__all__ = [
    "ALL_ROLES",
    "FIELD_GROUPS",
    "RULES",
    "Action",
    "Actor",
    "CaseLike",
    "CaseLinkLike",
    "CaseRecordLike",
    "PermissionDenied",
    "ReferralDraft",
    "ReferralDraftLike",
    "ReferralLike",
    "Role",
    "ServiceRecordLike",
    "TransferLike",
    "allowed_actions",
    "can",
    "case_of",
    "draft_of",
    "referral_of",
    "require",
    "service_of",
    "transfer_of",
    "visible_field_groups",
    "visible_note_categories",
]


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
    VIEW_OWN_JOBS = "job.view_own"  # the long operations a person started, and their progress
    # A draft of a form (decision 0110): saved as its author types, read by its author only.
    KEEP_FORM_DRAFT = "form_draft.keep"
    # Snooze or mark done one of one's own home-page tasks (the task must be one of the
    # actor's, worked out from their scoped queries: casework/main/operations.py)
    HANDLE_TASK = "task.handle"
    # Administration (separation of duties: never case contents)
    MANAGE_AGENCIES = "agency.manage"
    MANAGE_USERS = "user.manage"
    VIEW_AUDIT = "audit.view"
    # Separation of duties (decision 0056): an account's approval, a second factor's reset
    APPROVE_ACCOUNT = "account.approve"
    MANAGE_KEYS = "keys.manage"
    MANAGE_FEDERATION = "federation.manage"  # peers directory, outbox, dead letters
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
    # An agency's cases in the HTCDS 2.0 layout: into their own agency, of their own agency
    IMPORT_CASES = "case.import"
    EXPORT_CASES = "case.export"
    RECORD_CONSENT = "consent.record"
    # A case registered in another agency may concern one of ours (decision 0055)
    HANDLE_POSSIBLE_DUPLICATE = "case.handle_possible_duplicate"
    VIEW_ATTACHMENT = "attachment.view"
    ADD_ATTACHMENT = "attachment.add"
    DELETE_ATTACHMENT = "attachment.delete"
    # Linked cases (decision 0114): a link is seen by whoever may open both of its cases, and
    # made or removed by whoever may edit both.
    VIEW_CASE_LINK = "case_link.view"
    LINK_CASES = "case_link.create"
    UNLINK_CASES = "case_link.remove"
    # Referrals
    CREATE_REFERRAL = "referral.create"
    SEND_REFERRAL = "referral.send"
    VIEW_REFERRAL = "referral.view"
    # The sender's free-text reason: the receiver reads it only while the referral is live.
    VIEW_REFERRAL_REASON = "referral.view_reason"
    RESPOND_REFERRAL = "referral.respond"
    REVOKE_REFERRAL = "referral.revoke"
    COMPLETE_REFERRAL = "referral.complete"
    VIEW_REFERRAL_INBOX = "referral.inbox"
    LIST_SENT_REFERRALS = "referral.list_sent"
    # Transfers of the lead agency (decision 0091): propose on a case, send to a chosen agency
    # (a ReferralDraft: the same consent check as a referral), see, answer, withdraw; the
    # sender's own records once the case changed hands.
    PROPOSE_TRANSFER = "transfer.propose"
    SEND_TRANSFER = "transfer.send"
    VIEW_TRANSFER = "transfer.view"
    RESPOND_TRANSFER = "transfer.respond"
    WITHDRAW_TRANSFER = "transfer.withdraw"
    VIEW_TRANSFERRED_RECORDS = "transfer.view_own_records"
    LIST_TRANSFERS = "transfer.list"
    # Services
    VIEW_SERVICES = "service.view"
    # A counselling session's notes: confidential to the agency that provides the counselling
    # (the referring agency sees that sessions happened, their risks and the shared summary).
    VIEW_SESSION_NOTES = "service.view_session_notes"
    RECORD_SERVICE = "service.record"
    EDIT_SERVICE = "service.edit"
    # Support plans (decision 0094): the plan and its action plan, shown to the owning agency
    # and to agencies whose referral shares the "support_plan" field group.
    VIEW_SUPPORT_PLAN = "plan.view"
    MANAGE_PLAN_STEPS = "plan.manage_steps"  # add steps, cancel them: the owning agency
    UPDATE_PLAN_STEP = "plan.update_step"  # edit, start, complete one step (on the step)
    REQUEST_PLAN_APPROVAL = "plan.request_approval"
    # Approve or decline a request (on the request): a supervisor of the owning agency who
    # did not request it (four eyes).
    DECIDE_PLAN_APPROVAL = "plan.decide_approval"
    # Reports
    VIEW_AGENCY_REPORTS = "report.agency"
    VIEW_REGIONAL_REPORTS = "report.regional"
    PUBLISH_RELEASE = "report.release"


C, S, P, K, A = Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER, Role.COORDINATOR, Role.ADMIN


def on_both_ends(action: Action) -> Rule:
    """A link's rule (decision 0114): `action` on both of its cases, asked of this table
    itself, so a link follows the cases' own rules. On one case (a link starting from it, its
    panel), `action` on that case."""

    def rule(actor: Actor, obj: object) -> bool:
        link = link_of(obj)
        if link is not None:
            return can(actor, action, link.case) and can(actor, action, link.other_case)
        case = case_of(obj)
        return case is not None and can(actor, action, case)

    return rule


ALL_ROLES = tuple(Role)

RULES: dict[tuple[Role, Action], Rule] = {
    **{(role, Action.VIEW_DASHBOARD): True for role in ALL_ROLES},
    **{(role, Action.MANAGE_OWN_ACCOUNT): True for role in ALL_ROLES},
    **{(role, Action.VIEW_NOTIFICATIONS): True for role in ALL_ROLES},
    **{(role, Action.VIEW_OWN_JOBS): True for role in ALL_ROLES},
    # Drafts: the roles that fill in case forms, each on their own drafts only.
    **{(role, Action.KEEP_FORM_DRAFT): on_form_draft(authored_by_actor) for role in (C, S, P)},
    **{(role, Action.HANDLE_TASK): True for role in (C, S, P, A)},
    (A, Action.MANAGE_AGENCIES): True,
    (A, Action.MANAGE_USERS): True,
    (A, Action.VIEW_AUDIT): True,
    (S, Action.APPROVE_ACCOUNT): on_account(supervisor_approves_in_agency),
    (A, Action.APPROVE_ACCOUNT): on_account(second_administrator_approves),
    (A, Action.MANAGE_KEYS): True,
    (A, Action.MANAGE_FEDERATION): True,
    # Cases: caseworkers their assigned cases; supervisors their agency's; partners only
    # what an accepted, open referral shares. A case whose registration consent was withdrawn
    # (restricted, decision 0063) is its agency's supervisors' alone, and shared with no one:
    # `assigned_to_actor`, `referred_to_actor_agency` and the referral rules refuse it.
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
    (S, Action.IMPORT_CASES): True,  # into the actor's agency only (casework/exchange)
    (S, Action.EXPORT_CASES): True,  # of the actor's agency only: a scoped query
    (C, Action.RECORD_CONSENT): on_case(assigned_to_actor),
    (S, Action.RECORD_CONSENT): on_case(same_agency),
    (S, Action.HANDLE_POSSIBLE_DUPLICATE): on_case(same_agency),
    (C, Action.VIEW_ATTACHMENT): on_case(assigned_to_actor),
    (S, Action.VIEW_ATTACHMENT): on_case(same_agency),
    (P, Action.VIEW_ATTACHMENT): on_case(shares_group("documents")),
    (C, Action.ADD_ATTACHMENT): on_case(assigned_to_actor),
    (S, Action.ADD_ATTACHMENT): on_case(same_agency),
    (C, Action.DELETE_ATTACHMENT): on_case(assigned_to_actor),
    (S, Action.DELETE_ATTACHMENT): on_case(same_agency),
    # Linked cases: the cases' own rules on both ends (decision 0114).
    **{(role, Action.VIEW_CASE_LINK): on_both_ends(Action.VIEW_CASE) for role in (C, S, P)},
    **{(role, Action.LINK_CASES): on_both_ends(Action.EDIT_CASE) for role in (C, S)},
    **{(role, Action.UNLINK_CASES): on_both_ends(Action.EDIT_CASE) for role in (C, S)},
    # Referrals
    # Refer: on the case, its owners may refer it; a referral to a chosen agency (a draft, not
    # made yet) also needs a current consent for that agency (SEND_REFERRAL).
    (C, Action.CREATE_REFERRAL): on_case(assigned_to_actor),
    (S, Action.CREATE_REFERRAL): on_case(same_agency_unrestricted),
    (C, Action.SEND_REFERRAL): on_draft(may_send_assigned),
    (S, Action.SEND_REFERRAL): on_draft(may_send_agency),
    (C, Action.VIEW_REFERRAL): on_referral(referral_of_actor_case),
    (S, Action.VIEW_REFERRAL): any_of(
        on_referral(referral_sent_by_actor_agency), on_referral(referral_received_by_actor_agency)
    ),
    (P, Action.VIEW_REFERRAL): on_referral(referral_received_by_actor_agency),
    # The reason: the sender always; the receiving agency (everyone there alike) while the
    # referral waits for its answer or gives access, never after it ends.
    (C, Action.VIEW_REFERRAL_REASON): on_referral(referral_of_actor_case),
    (S, Action.VIEW_REFERRAL_REASON): any_of(
        on_referral(referral_sent_by_actor_agency), on_referral(referral_live_for_actor_agency)
    ),
    (P, Action.VIEW_REFERRAL_REASON): on_referral(referral_live_for_actor_agency),
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
    # Transfers: the owner proposes (with the person's consent to the receiver, as a referral);
    # a supervisor of the receiving agency answers; the sender withdraws while pending; once
    # accepted, the sender reads its own records of the case up to then, nothing else.
    (C, Action.PROPOSE_TRANSFER): on_case(assigned_to_actor),
    (S, Action.PROPOSE_TRANSFER): on_case(same_agency_unrestricted),
    (C, Action.SEND_TRANSFER): on_draft(may_send_assigned),
    (S, Action.SEND_TRANSFER): on_draft(may_send_agency),
    (C, Action.VIEW_TRANSFER): on_transfer(transfer_of_actor),
    (S, Action.VIEW_TRANSFER): any_of(
        on_transfer(transfer_sent_by_actor_agency), on_transfer(transfer_received_by_actor_agency)
    ),
    (S, Action.RESPOND_TRANSFER): on_transfer(transfer_received_by_actor_agency),
    (C, Action.WITHDRAW_TRANSFER): on_transfer(transfer_pending_of_actor),
    (S, Action.WITHDRAW_TRANSFER): on_transfer(transfer_pending_sent_by_actor_agency),
    (C, Action.VIEW_TRANSFERRED_RECORDS): on_transfer(transfer_accepted_of_actor),
    (S, Action.VIEW_TRANSFERRED_RECORDS): on_transfer(transfer_accepted_sent_by_actor_agency),
    (C, Action.LIST_TRANSFERS): True,
    (S, Action.LIST_TRANSFERS): True,
    # Services: the owning agency sees all (on the case, or one record); a provider its own
    # records.
    (C, Action.VIEW_SERVICES): on_case(assigned_to_actor),
    (S, Action.VIEW_SERVICES): any_of(
        on_case(same_agency), on_service(service_provided_by_actor_agency)
    ),
    (P, Action.VIEW_SERVICES): on_service(service_provided_by_actor_agency),
    (C, Action.VIEW_SESSION_NOTES): on_service(service_on_actor_case),
    (S, Action.VIEW_SESSION_NOTES): on_service(service_provided_by_actor_agency),
    (P, Action.VIEW_SESSION_NOTES): on_service(service_provided_by_actor_agency),
    (P, Action.RECORD_SERVICE): on_case(referred_to_actor_agency),
    (C, Action.RECORD_SERVICE): on_case(assigned_to_actor),
    (S, Action.RECORD_SERVICE): on_case(same_agency),
    (P, Action.EDIT_SERVICE): on_service(own_service_while_referred),
    (C, Action.EDIT_SERVICE): on_service(service_on_actor_case),
    (S, Action.EDIT_SERVICE): on_service(own_service_on_own_or_referred_case),
    # Support plans: the owning agency's staff (a caseworker on their cases); a partner reads
    # the plan while its referral shares it, and works on the steps its agency owns.
    (C, Action.VIEW_SUPPORT_PLAN): on_case(assigned_to_actor),
    (S, Action.VIEW_SUPPORT_PLAN): on_case(same_agency),
    (P, Action.VIEW_SUPPORT_PLAN): on_case(shares_group("support_plan")),
    (C, Action.MANAGE_PLAN_STEPS): on_case(assigned_to_actor),
    (S, Action.MANAGE_PLAN_STEPS): on_case(same_agency),
    (C, Action.UPDATE_PLAN_STEP): on_step(step_on_assigned_case),
    (S, Action.UPDATE_PLAN_STEP): on_step(step_on_agency_case),
    (P, Action.UPDATE_PLAN_STEP): on_step(own_step_while_plan_shared),
    (C, Action.REQUEST_PLAN_APPROVAL): on_case(assigned_to_actor),
    (S, Action.REQUEST_PLAN_APPROVAL): on_case(same_agency),
    (S, Action.DECIDE_PLAN_APPROVAL): on_approval(another_supervisor_decides),
    # Reports: anonymised aggregates only.
    (S, Action.VIEW_AGENCY_REPORTS): True,
    (K, Action.VIEW_REGIONAL_REPORTS): True,
    (K, Action.PUBLISH_RELEASE): True,
}


# Field groups of a case (vocab.SHARED_GROUPS): the owning agency sees them all; a partner
# only those its open referrals share (data minimisation).
FIELD_GROUPS = (
    "identity_contact",
    "trafficking_context",
    "health_notes",
    "documents",
    "support_plan",
)


def visible_field_groups(actor: Actor | None, case: CaseLike) -> frozenset[str]:
    """The field groups of `case` the actor may see (empty when they may not see the case)."""
    if not can(actor, Action.VIEW_CASE, case) or actor is None:
        return frozenset()
    if _role(actor) == Role.PARTNER:
        return frozenset(case.shared_groups_for(actor.agency_id))
    handed_over = case.owner_field_groups
    if handed_over is not None:  # the case came by a transfer: the groups handed over (0091)
        return frozenset(handed_over) & frozenset(FIELD_GROUPS)
    return frozenset(FIELD_GROUPS)


def visible_note_categories(actor: Actor | None, case: CaseLike) -> frozenset[str]:
    """The categories of the case's notes the actor may read: the owning agency every one; a
    partner only those whose field group its referral shares (never case management, police
    or legal notes)."""
    groups = visible_field_groups(actor, case)
    if not groups:
        return frozenset()
    if _role(actor) == Role.PARTNER or case.agency_id != getattr(actor, "agency_id", None):
        return frozenset(
            category.value for category, group in NOTE_CATEGORY_GROUPS.items() if group in groups
        )
    # The owner: every category, but after a transfer the grouped ones only when their group
    # was handed over (the case file's own categories go with the lead, decision 0091).
    return frozenset(
        category.value
        for category in NoteCategory
        if category not in NOTE_CATEGORY_GROUPS or NOTE_CATEGORY_GROUPS[category] in groups
    )


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
