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
