"""The referral tests' world, shared."""

from tests.referrals.conftest import world

__all__ = ["world"]
