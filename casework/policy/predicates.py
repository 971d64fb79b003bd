"""The predicates of the policy's rules: small functions of the actor and the object, each on
the protocol it reads (casework.policy.protocols). The table that uses them is RULES in
casework/policy/__init__.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from casework.domain import AGENCY_CONSENT_PURPOSES, ReferralStatus, TransferStatus
from casework.policy.protocols import (
    AccountLike,
    Actor,
    CaseLike,
    FormDraftLike,
    PlanApprovalLike,
    PlanStepLike,
    ReferralDraftLike,
    ReferralLike,
    ServiceRecordLike,
    TransferLike,
    account_of,
    approval_of,
    case_of,
    draft_of,
    form_draft_of,
    referral_of,
    service_of,
    step_of,
    transfer_of,
)

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


def on_step(test: Callable[[Actor, PlanStepLike], bool]) -> Predicate:
    return _on(step_of, test)


def on_approval(test: Callable[[Actor, PlanApprovalLike], bool]) -> Predicate:
    return _on(approval_of, test)


def on_transfer(test: Callable[[Actor, TransferLike], bool]) -> Predicate:
    return _on(transfer_of, test)


def on_draft(test: Callable[[Actor, ReferralDraftLike], bool]) -> Predicate:
    return _on(draft_of, test)


def on_form_draft(test: Callable[[Actor, FormDraftLike], bool]) -> Predicate:
    return _on(form_draft_of, test)


def on_account(test: Callable[[Actor, AccountLike], bool]) -> Predicate:
    return _on(account_of, test)


def any_of(*rules: Predicate) -> Predicate:
    def rule(actor: Actor, obj: object) -> bool:
        return any(r(actor, obj) for r in rules)

    rule.__name__ = "_or_".join(r.__name__ for r in rules)
    return rule


# ---- predicates ----------------------------------------------------------------------------


def same_agency(actor: Actor, case: CaseLike) -> bool:
    return case.agency_id is not None and case.agency_id == actor.agency_id


def unrestricted(case: CaseLike) -> bool:
    """The person's consent to registration and data processing stands (or was never
    withdrawn). A restricted case is open to its agency's supervisors only: no caseworker, no
    partner, no new sharing (decision 0063)."""
    return not case.processing_restricted


def same_agency_unrestricted(actor: Actor, case: CaseLike) -> bool:
    return same_agency(actor, case) and unrestricted(case)


def assigned_to_actor(actor: Actor, case: CaseLike) -> bool:
    return same_agency(actor, case) and case.assigned_to_id == actor.id and unrestricted(case)


def referred_to_actor_agency(actor: Actor, case: CaseLike) -> bool:
    """An open, accepted referral of this case to the actor's agency grants access."""
    return unrestricted(case) and bool(case.open_referral_to(actor.agency_id))


def shares_group(group: str) -> Callable[[Actor, CaseLike], bool]:
    """An open referral to the actor's agency shares field group `group` of the case."""

    def rule(actor: Actor, case: CaseLike) -> bool:
        return referred_to_actor_agency(actor, case) and group in case.shared_groups_for(
            actor.agency_id
        )

    rule.__name__ = f"shares_{group}"
    return rule


def referral_received_by_actor_agency(actor: Actor, referral: ReferralLike) -> bool:
    return referral.to_agency_id is not None and referral.to_agency_id == actor.agency_id


def referral_live_for_actor_agency(actor: Actor, referral: ReferralLike) -> bool:
    """A referral to the actor's agency that is still waiting for its answer, or accepted and
    still giving access (open, its consent standing). When it ends (completed, revoked,
    expired, declined, consent withdrawn) what it carried ends for everyone at the agency."""
    if not referral_received_by_actor_agency(actor, referral):
        return False
    status = referral.effective_status
    if status == ReferralStatus.PENDING:
        return True
    return status == ReferralStatus.ACCEPTED and referred_to_actor_agency(actor, referral.case)


def referral_sent_by_actor_agency(actor: Actor, referral: ReferralLike) -> bool:
    return referral.from_agency_id is not None and referral.from_agency_id == actor.agency_id


def referral_of_actor_case(actor: Actor, referral: ReferralLike) -> bool:
    """A caseworker: referrals their agency sent about a case assigned to them, no others."""
    return referral_sent_by_actor_agency(actor, referral) and assigned_to_actor(
        actor, referral.case
    )


def consent_covers_receiver(draft: ReferralDraftLike) -> bool:
    """A referral needs a current consent to share with, or refer to, its receiving agency,
    and a case whose processing is not restricted."""
    receiver = draft.to_agency_id
    return (
        receiver is not None
        and unrestricted(draft.case)
        and bool(draft.case.has_current_consent(AGENCY_CONSENT_PURPOSES, receiver))
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


def own_service_on_own_or_referred_case(actor: Actor, service: ServiceRecordLike) -> bool:
    """A supervisor edits their agency's records on their agency's cases, and on another
    agency's case only while it is referred to them (like their partners)."""
    return service_provided_by_actor_agency(actor, service) and (
        same_agency(actor, service.case) or referred_to_actor_agency(actor, service.case)
    )


def service_on_actor_case(actor: Actor, service: ServiceRecordLike) -> bool:
    """A caseworker: their agency's service records on a case assigned to them, no others."""
    return service_provided_by_actor_agency(actor, service) and assigned_to_actor(
        actor, service.case
    )


# ---- support plans (decision 0094) ----------------------------------------------------------

PLAN_GROUP = "support_plan"  # the field group a referral shares the plan with


def step_on_assigned_case(actor: Actor, step: PlanStepLike) -> bool:
    """A caseworker: any step of the plan of a case assigned to them."""
    return assigned_to_actor(actor, step.case)


def step_on_agency_case(actor: Actor, step: PlanStepLike) -> bool:
    """A supervisor: any step of the plan of their agency's case."""
    return same_agency(actor, step.case)


def own_step_while_plan_shared(actor: Actor, step: PlanStepLike) -> bool:
    """A partner: a step its agency owns, while an open referral shares the plan with it."""
    return (
        step.owner_agency_id is not None
        and step.owner_agency_id == actor.agency_id
        and shares_group(PLAN_GROUP)(actor, step.case)
    )


def another_supervisor_decides(actor: Actor, approval: PlanApprovalLike) -> bool:
    """Four eyes: a supervisor of the case's agency decides a plan's approval, never the one
    who requested it."""
    return (
        same_agency(actor, approval.case)
        and approval.requested_by_id is not None
        and approval.requested_by_id != actor.id
    )


# ---- transfers (decision 0091) ------------------------------------------------------------


def transfer_sent_by_actor_agency(actor: Actor, transfer: TransferLike) -> bool:
    return transfer.from_agency_id is not None and transfer.from_agency_id == actor.agency_id


def transfer_received_by_actor_agency(actor: Actor, transfer: TransferLike) -> bool:
    return (
        transfer.receiving_agency_id is not None and transfer.receiving_agency_id == actor.agency_id
    )


def transfer_of_actor(actor: Actor, transfer: TransferLike) -> bool:
    """A caseworker of the sending agency who proposed the transfer or had the case then
    (never on a restricted case, as for their own cases: decision 0063)."""
    return (
        transfer_sent_by_actor_agency(actor, transfer)
        and actor.id in (transfer.proposed_by_id, transfer.from_assignee_id)
        and unrestricted(transfer.case)
    )


def transfer_pending_of_actor(actor: Actor, transfer: TransferLike) -> bool:
    return transfer.status == TransferStatus.PENDING and transfer_of_actor(actor, transfer)


def transfer_pending_sent_by_actor_agency(actor: Actor, transfer: TransferLike) -> bool:
    return transfer.status == TransferStatus.PENDING and transfer_sent_by_actor_agency(
        actor, transfer
    )


def transfer_accepted_of_actor(actor: Actor, transfer: TransferLike) -> bool:
    """The sender's caseworker, once the case changed hands: their agency's records of it."""
    return transfer.status == TransferStatus.ACCEPTED and transfer_of_actor(actor, transfer)


def transfer_accepted_sent_by_actor_agency(actor: Actor, transfer: TransferLike) -> bool:
    return transfer.status == TransferStatus.ACCEPTED and transfer_sent_by_actor_agency(
        actor, transfer
    )


# ---- accounts (decision 0056) ----------------------------------------------------------------


def authored_by_actor(actor: Actor, draft: FormDraftLike) -> bool:
    """A draft is its author's alone, and only while they work for the agency it was typed in
    (decision 0110): no supervisor, no colleague, no administrator reads it."""
    return (
        draft.author_id is not None
        and draft.author_id == actor.id
        and draft.agency_id == actor.agency_id
    )


def supervisor_approves_in_agency(actor: Actor, account: AccountLike) -> bool:
    """A supervisor decides on a case-handling account of their own agency, never their own."""
    return (
        account.approver_role == "supervisor"
        and account.agency_id == actor.agency_id
        and account.id != actor.id
    )


def second_administrator_approves(actor: Actor, account: AccountLike) -> bool:
    """Another administrator than the one who asked decides where no supervisor can: an
    agency's first supervisor, a coordinator or an administrator."""
    return (
        account.approver_role == "admin"
        and account.id != actor.id
        and account.pending_request_by_id is not None
        and account.pending_request_by_id != actor.id
    )
