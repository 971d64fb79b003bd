"""The refusal of a case record's operation (a consent, an attachment, assignment, closure,
erasure). Case details have their own, `operations.CaseInputError`; both are OperationErrors."""

from __future__ import annotations

from casework.core.errors import OperationError


class RecordError(OperationError):
    """A case record's operation refused: the message is for the person."""
