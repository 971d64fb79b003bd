"""Code lists of a case's life: why a closure is sent back, why data was erased."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.vocab.base import Vocabulary

# Why a supervisor sends a closure request back (a code, never free text).
CLOSURE_REJECTIONS = Vocabulary(
    "closure_rejection",
    [
        ("services_ongoing", _l("Services are still ongoing")),
        ("risk_unresolved", _l("The risk to the person is not resolved")),
        ("reason_incorrect", _l("The reason for closure does not fit")),
        ("records_incomplete", _l("Consents or records are incomplete")),
        ("other", _l("Other: discuss with the caseworker")),
    ],
)

# Why identifying data was erased (audit detail and timeline).
ERASURE_REASONS = Vocabulary(
    "erasure_reason",
    [
        ("supervisor_request", _l("Erased by a supervisor")),
        ("retention", _l("Retention period over")),
    ],
)
