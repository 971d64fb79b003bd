"""What the federation templates need: labels of peer statuses and capabilities."""

from __future__ import annotations

from typing import Any

from casework.federation.health import peer_health
from casework.federation.outbox import delivery_status
from casework.vocab.federation import MESSAGE_TYPES, PEER_CAPABILITIES, PEER_STATUSES

TEMPLATE_GLOBALS: dict[str, Any] = {
    "peer_status_label": PEER_STATUSES.label,
    "peer_capability_label": PEER_CAPABILITIES.label,
    "message_type_label": MESSAGE_TYPES.label,
    "delivery_status": delivery_status,
    "federation_health": peer_health,
}
