"""The one base class of every refusal an operation can give a person.

Operations raise an `OperationError` (or a feature's subclass: `CaseInputError`,
`ReferralError`...) when the input cannot be taken or the action is not possible (a closed
case, a referral already answered). The message is meant for the person and is translated;
`field` names the form field it belongs to, or None for the whole form. Views show it on the
form (`casework.web.views.show_operation_error`) or as a flash message; one the view does not
catch still becomes a clear page (`casework.web.errors`), never a server error.

This module imports nothing, so operations and pure functions can raise it without the web
layer.
"""

from __future__ import annotations


class OperationError(Exception):
    """An operation refused: `message` for the person, `field` where to show it."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field

    def back_to(self) -> str | None:
        """Where to take the person, with the message, when no view caught this refusal
        (None: a page with the message). Only needs a request where it is called."""
        return None
