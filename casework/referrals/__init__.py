"""Referrals across agencies and borders."""
