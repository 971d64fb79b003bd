"""Consents of a case: one dated record per purpose; withdrawal takes effect at once."""
