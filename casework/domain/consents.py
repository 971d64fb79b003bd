"""Consent purposes: what a person agreed to (codes; labels in casework.vocab)."""

from __future__ import annotations

from enum import StrEnum


class ConsentPurpose(StrEnum):
    REGISTRATION = "registration"
    SHARING = "sharing"
    REFERRAL = "referral"
    STATISTICS = "statistics"


# Purposes that name the agency the consent covers: sharing with it, referring to it.
AGENCY_CONSENT_PURPOSES = frozenset({ConsentPurpose.SHARING, ConsentPurpose.REFERRAL})

# The consent to registration and data processing. Once withdrawn (and until it is given
# again) the case is restricted: shared with no one, matched by nothing, open only to its
# agency's supervisors until it is erased (decision 0063; the policy enforces it).
PROCESSING_CONSENT_PURPOSE = ConsentPurpose.REGISTRATION
