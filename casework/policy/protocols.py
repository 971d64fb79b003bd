"""What the policy reads: the person acting, and the objects its predicates decide on.

Each predicate reads one kind of object, described here: the models fit these protocols (and the
hand-written fakes of tests/test_policy.py do too). `can()` receives whatever a view or a
template passes; the rule first finds the object it reads (`case_of`, `referral_of`, ...) and
refuses anything else, so a missing attribute never grants access.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


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


@runtime_checkable
class CaseLike(Protocol):
    """A case: who owns it, who works on it, whether its processing is restricted (the
    registration consent withdrawn), what its consents and open referrals allow."""

    @property
    def agency_id(self) -> Any: ...
    @property
    def assigned_to_id(self) -> Any: ...
    @property
    def processing_restricted(self) -> bool: ...
    @property
    def owner_field_groups(self) -> list[str] | None: ...
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
    """A referral: the case, the agency that sent it, the agency it went to, and its status
    as people see it (a pending referral past its deadline is expired)."""

    @property
    def from_agency_id(self) -> Any: ...
    @property
    def to_agency_id(self) -> Any: ...
    @property
    def effective_status(self) -> str: ...


@runtime_checkable
class TransferLike(CaseRecordLike, Protocol):
    """A transfer of a case's lead (decision 0091): the agency that proposed it, the agency
    asked to take the case, who proposed it, the caseworker the case was assigned to then,
    and its status."""

    @property
    def from_agency_id(self) -> Any: ...
    @property
    def receiving_agency_id(self) -> Any: ...
    @property
    def proposed_by_id(self) -> Any: ...
    @property
    def from_assignee_id(self) -> Any: ...
    @property
    def status(self) -> str: ...


@runtime_checkable
class ServiceRecordLike(CaseRecordLike, Protocol):
    """A service record: the case and the agency that provides the service."""

    @property
    def provider_agency_id(self) -> Any: ...


@runtime_checkable
class PlanStepLike(CaseRecordLike, Protocol):
    """A step of a support plan's action plan: the case and the agency that owns the step."""

    @property
    def owner_agency_id(self) -> Any: ...


@runtime_checkable
class PlanApprovalLike(CaseRecordLike, Protocol):
    """A request for a supervisor's approval of a plan: the case and who requested it."""

    @property
    def requested_by_id(self) -> Any: ...


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


@runtime_checkable
class AccountLike(Protocol):
    """A person's account, as far as approving a change to it goes (decision 0056)."""

    @property
    def id(self) -> Any: ...
    @property
    def agency_id(self) -> Any: ...
    @property
    def approver_role(self) -> str: ...  # "supervisor" or "admin"
    @property
    def pending_request_by_id(self) -> Any: ...


@runtime_checkable
class FormDraftLike(Protocol):
    """A draft of a form (decision 0110): who typed it, in which agency."""

    @property
    def author_id(self) -> Any: ...
    @property
    def agency_id(self) -> Any: ...
    @property
    def form_key(self) -> str: ...


@runtime_checkable
class CaseLinkLike(Protocol):
    """A link between two cases, made or not yet (decision 0114): its two cases."""

    @property
    def case(self) -> CaseLike: ...
    @property
    def other_case(self) -> CaseLike: ...


def link_of(obj: object) -> CaseLinkLike | None:
    return obj if isinstance(obj, CaseLinkLike) else None


def form_draft_of(obj: object) -> FormDraftLike | None:
    return obj if isinstance(obj, FormDraftLike) else None


def account_of(obj: object) -> AccountLike | None:
    return obj if isinstance(obj, AccountLike) else None


def case_of(obj: object) -> CaseLike | None:
    """The case an object belongs to (a case is its own), or None for anything else."""
    if isinstance(obj, CaseRecordLike):
        obj = obj.case
    return obj if isinstance(obj, CaseLike) else None


def referral_of(obj: object) -> ReferralLike | None:
    return obj if isinstance(obj, ReferralLike) and case_of(obj) is not None else None


def transfer_of(obj: object) -> TransferLike | None:
    return obj if isinstance(obj, TransferLike) and case_of(obj) is not None else None


def service_of(obj: object) -> ServiceRecordLike | None:
    return obj if isinstance(obj, ServiceRecordLike) and case_of(obj) is not None else None


def step_of(obj: object) -> PlanStepLike | None:
    return obj if isinstance(obj, PlanStepLike) and case_of(obj) is not None else None


def approval_of(obj: object) -> PlanApprovalLike | None:
    return obj if isinstance(obj, PlanApprovalLike) and case_of(obj) is not None else None


def draft_of(obj: object) -> ReferralDraftLike | None:
    return obj if isinstance(obj, ReferralDraftLike) and case_of(obj) is not None else None
