"""Agencies: the organisations that share Casework."""
