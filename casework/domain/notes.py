"""Case note categories: what a note is about, which decides who else may read it.

A referral shares field groups (policy.FIELD_GROUPS); a note belongs to at most one. Notes of a
category without a group (case management, police and legal) are never shared: only the
owning agency reads them. Labels are in casework.vocab.
"""

from __future__ import annotations

from enum import StrEnum


class NoteCategory(StrEnum):
    CASE_MANAGEMENT = "case_management"
    HEALTH_RISK = "health_risk"
    TRAFFICKING_CONTEXT = "trafficking_context"
    INVESTIGATION = "investigation"  # police and legal proceedings


# The field group each shared category belongs to (a referral sharing the group shares them).
NOTE_CATEGORY_GROUPS: dict[NoteCategory, str] = {
    NoteCategory.HEALTH_RISK: "health_notes",
    NoteCategory.TRAFFICKING_CONTEXT: "trafficking_context",
}

# Notes written before categories existed (decision 0064): never shared, as nobody chose.
UNCATEGORISED_NOTES = NoteCategory.CASE_MANAGEMENT
