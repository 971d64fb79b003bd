"""What transfers do when a case's life changes (casework.cases.signals). Connected once at
start-up; receivers run inside the request's transaction and never commit."""

from __future__ import annotations

from typing import Any

from casework.cases import signals
from casework.transfers.operations import end_transfer_of_closed_case


def on_case_closed(case: Any, *, actor: Any, **_: Any) -> None:
    """ "Closed" withdraws a pending transfer; "Closed (referred)" lets it go on."""
    end_transfer_of_closed_case(actor, case)


def connect() -> None:
    signals.case_closed.connect(on_case_closed, weak=False)
