"""The policy's predicates read typed protocols; the real models fit them, so what the matrix
in tests/test_policy.py proves on fakes holds for cases, referrals, service records and
attachments. A draft referral is a ReferralDraft, not a stand-in object."""

from __future__ import annotations

import uuid

from casework.cases.models import Attachment, Case
from casework.core.db import utcnow
from casework.domain import ReferralStatus
from casework.policy import (
    Action,
    CaseLike,
    CaseRecordLike,
    ReferralDraft,
    ReferralDraftLike,
    ReferralLike,
    ServiceRecordLike,
    can,
    case_of,
    draft_of,
    referral_of,
    service_of,
)
from casework.referrals.models import Referral
from casework.services.models import ServiceRecord
from tests.test_policy import FakeCase, actor


def test_the_models_fit_the_protocols() -> None:
    case = Case(agency_id=uuid.uuid4())
    referral = Referral(
        case=case,
        from_agency_id=case.agency_id,
        to_agency_id=uuid.uuid4(),
        status=ReferralStatus.PENDING,
        created_at=utcnow(),  # as every stored referral has: its status reads the deadline
    )
    service = ServiceRecord(case=case, provider_agency_id=uuid.uuid4())
    attachment = Attachment(case=case)
    assert isinstance(case, CaseLike)
    assert not isinstance(case, CaseRecordLike)
    assert isinstance(referral, ReferralLike)
    assert isinstance(service, ServiceRecordLike)
    assert isinstance(attachment, CaseRecordLike)
    assert case_of(case) is case
    for record in (referral, service, attachment):
        assert case_of(record) is case
    assert referral_of(referral) is referral
    assert service_of(service) is service
    assert referral_of(service) is None
    assert service_of(referral) is None
    assert referral_of(case) is None


def test_a_draft_is_its_own_kind_of_object() -> None:
    case = FakeCase(uuid.uuid4())
    draft = ReferralDraft(case, uuid.uuid4())
    assert isinstance(draft, ReferralDraftLike)
    assert draft_of(draft) is draft
    assert draft_of(case) is None, "a case names no receiver"
    assert referral_of(draft) is None, "a draft is not a referral: no sender, no status"


def test_anything_else_is_refused_whatever_it_carries() -> None:
    """An object that has some of the attributes a predicate reads, but not the protocol."""
    user = actor("supervisor")

    class HalfCase:
        agency_id = user.agency_id
        assigned_to_id = user.id

    class RecordOfHalfCase:
        case = HalfCase()
        to_agency_id = user.agency_id
        from_agency_id = user.agency_id
        provider_agency_id = user.agency_id

    for action in Action:
        if can(user, action, object()):
            continue  # a rule that is True reads no object
        assert not can(user, action, HalfCase()), action
        assert not can(user, action, RecordOfHalfCase()), action
