"""Hooks for other features (notifications, referrals) on a case's life events.

Receivers get the case and keyword arguments with ids and codes only; they run inside the
request's transaction (they may add rows; they must not commit).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the case; kwargs: actor, assignee (users), previous_id (uuid or None)
case_assigned = _signals.signal("case-assigned")
# sender: the case; kwargs: actor, requested_by_id
closure_requested = _signals.signal("closure-requested")
# sender: the case; kwargs: actor, status (Closed or ClosedReferred)
case_closed = _signals.signal("case-closed")
# sender: the case; kwargs: actor, consent
consent_withdrawn = _signals.signal("consent-withdrawn")
