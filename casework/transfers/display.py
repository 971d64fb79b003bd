"""What the transfer templates show: status labels and badges, a case's transfers as the
viewer may see them. TEMPLATE_GLOBALS, registered by the app factory (casework.web.templating)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from casework.core.extensions import db
from casework.domain import TransferStatus
from casework.transfers.models import CaseTransfer
from casework.transfers.scopes import visible_transfers
from casework.vocab import TRANSFER_STATUSES

BADGES = {
    TransferStatus.PENDING: "text-bg-warning",
    TransferStatus.ACCEPTED: "text-bg-success",
    TransferStatus.DECLINED: "text-bg-secondary",
    TransferStatus.WITHDRAWN: "text-bg-light",
}


def transfer_status_label(code: str) -> str:
    return str(TRANSFER_STATUSES.label(code))


def transfer_badge(transfer: Any) -> str:
    return BADGES.get(TransferStatus(transfer.status), "text-bg-light")


def case_transfers(case: Any) -> list[CaseTransfer]:
    """The case's transfers the viewer may open, newest first."""
    query = visible_transfers(current_user).where(CaseTransfer.case_id == case.id)
    return list(db.session.execute(query.order_by(CaseTransfer.created_at.desc())).scalars())


def incoming_transfers() -> list[CaseTransfer]:
    """Transfers waiting for the viewer's agency to answer, oldest first (supervisors)."""
    from casework.transfers.queries import incoming

    return list(db.session.execute(incoming(current_user)).scalars())


TEMPLATE_GLOBALS: dict[str, Any] = {
    "incoming_transfers": incoming_transfers,
    "transfer_status_label": transfer_status_label,
    "transfer_badge": transfer_badge,
    "case_transfers": case_transfers,
}
