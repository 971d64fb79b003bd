"""Code lists of a case's life: closure decisions, erasure reasons and the timeline entries
the consent, attachment, assignment, closure and erasure operations write."""

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

# Timeline entries written here (the case page shows their labels).
RECORD_EVENTS = Vocabulary(
    "record_event",
    [
        ("consent.recorded", _l("Consent recorded")),
        ("consent.withdrawn", _l("Consent withdrawn")),
        ("consent.form_attached", _l("Signed consent form attached")),
        ("attachment.added", _l("File attached")),
        ("attachment.deleted", _l("File deleted")),
        ("case.assigned", _l("Case assigned")),
        ("closure.requested", _l("Closure requested")),
        ("closure.approved", _l("Closure approved: case closed")),
        ("closure.rejected", _l("Closure request sent back")),
        ("case.reopened", _l("Case re-opened")),
        ("case.erased", _l("Identifying data erased")),
    ],
)
