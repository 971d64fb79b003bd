"""What happened, in words: the one table of labels for timeline entries and audit events.

Operations write codes (`counselling.risk_flagged`, `sign_in.password_failed`) to the case
timeline and the audit trail; pages show these labels, translated, never the codes.
`tests/test_event_labels.py` finds every code the code base writes and fails on one without a
label here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.vocab.base import Vocabulary

EVENTS = Vocabulary(
    "events",
    [
        # Cases
        ("case.registered", _l("Case registered")),
        ("case.updated", _l("Case details changed")),
        ("case.viewed", _l("Case opened")),
        ("case.possible_duplicate", _l("Possible duplicate found at registration")),
        ("case.possible_duplicate_handled", _l("Possible duplicate handled")),
        ("case.duplicate_check_refused", _l("Duplicate check refused")),
        ("case.duplicate_checks_throttled", _l("Duplicate checks paused: too many without a case")),
        ("case.note_added", _l("Note added")),
        ("note.added", _l("Note added")),
        ("case.assigned", _l("Case assigned")),
        ("case.closure_requested", _l("Closure requested")),
        ("case.closure_approved", _l("Closure approved")),
        ("case.closure_rejected", _l("Closure request declined")),
        ("case.closed", _l("Case closed")),
        ("case.reopened", _l("Case re-opened")),
        ("case.erased", _l("Identifying data erased")),
        ("cases.import_checked", _l("Cases file checked for import (HTCDS)")),
        ("cases.imported", _l("Cases imported from a file (HTCDS)")),
        ("cases.exported", _l("Cases exported to a file (HTCDS)")),
        ("consent.recorded", _l("Consent recorded")),
        ("consent.withdrawn", _l("Consent withdrawn")),
        ("consent.form_attached", _l("Signed consent form attached")),
        ("attachment.added", _l("File attached")),
        ("attachment.deleted", _l("File deleted")),
        ("attachment.read", _l("File opened")),
        # Referrals
        ("referral.created", _l("Referral sent")),
        ("referral.accepted", _l("Referral accepted")),
        ("referral.declined", _l("Referral declined")),
        ("referral.completed", _l("Referral completed")),
        ("referral.revoked", _l("Referral revoked")),
        ("referral.expired", _l("Referral expired")),
        ("referral.completed_on_closure", _l("Referral ended: the case was closed")),
        ("referral.revoked_on_closure", _l("Referral withdrawn: the case was closed")),
        (
            "referral.revoked_on_consent_withdrawal",
            _l("Referral withdrawn: the consent to registration was withdrawn"),
        ),
        ("referral.expiry_run", _l("Unanswered referrals checked for expiry")),
        # Services
        ("service.recorded", _l("Service recorded")),
        ("service.updated", _l("Service record updated")),
        ("support_plan.created", _l("Support plan made")),
        ("support_plan.updated", _l("Support plan changed")),
        ("plan_step.added", _l("Plan step added")),
        ("plan_step.changed", _l("Plan step changed")),
        ("plan_step.started", _l("Plan step started")),
        ("plan_step.completed", _l("Plan step done")),
        ("plan_step.cancelled", _l("Plan step cancelled")),
        ("plan_step.reopened", _l("Plan step re-opened")),
        ("plan_step.reminded", _l("Reminder sent: plan step due")),
        ("plan_step.reminder_run", _l("Plan steps due checked for reminders")),
        ("plan_approval.requested", _l("Plan approval requested")),
        ("plan_approval.approved", _l("Plan approved")),
        ("plan_approval.declined", _l("Plan approval declined")),
        ("plan_approval.superseded", _l("Plan changed since its approval")),
        ("counselling.session_recorded", _l("Counselling session recorded")),
        ("counselling.risk_flagged", _l("Risk flagged in counselling")),
        ("notification.read", _l("Notification read")),
        ("task.snoozed", _l("Task snoozed")),
        ("task.done", _l("Task marked done")),
        ("notification.read_all", _l("All notifications marked read")),
        # Signing in and accounts
        ("sign_in.success", _l("Signed in")),
        ("sign_in.password_ok", _l("Password accepted, second step pending")),
        ("sign_in.password_failed", _l("Sign-in failed: wrong password")),
        ("sign_in.second_factor_failed", _l("Sign-in failed: wrong code")),
        ("sign_in.enrolment_failed", _l("Authenticator set-up failed: wrong code")),
        ("sign_in.recovery_code_used", _l("Signed in with a recovery code")),
        ("sign_in.refused_inactive", _l("Sign-in refused: account deactivated")),
        ("sign_in.refused_locked", _l("Sign-in refused: account locked")),
        ("sign_in.throttled", _l("Sign-in refused: too many attempts")),
        ("sign_out", _l("Signed out")),
        ("account.locked", _l("Account locked after failed sign-ins")),
        ("account.password_changed", _l("Password changed")),
        ("account.password_change_failed", _l("Password change refused")),
        ("account.password_rehashed", _l("Password storage upgraded")),
        ("account.approval_requested", _l("Account change sent for approval")),
        ("account.approved", _l("Account change approved")),
        ("account.refused", _l("Account change refused")),
        ("account.invitation_link_issued", _l("Invitation to choose a password sent")),
        ("account.invitation_link_used", _l("Password chosen from the invitation")),
        ("account.password_reset_link_issued", _l("Link to choose a new password sent")),
        ("account.password_reset_link_used", _l("New password chosen from the link")),
        ("account.password_link_refused", _l("Password link refused")),
        ("account.current_password_failed", _l("Wrong current password")),
        ("account.code_check_failed", _l("Wrong one-time code")),
        ("account.session_ended_after_failures", _l("Signed out after too many wrong entries")),
        ("sign_in.refused_no_factor", _l("Sign-in refused: no second factor")),
        ("mfa.reset_requested", _l("Authenticator reset requested")),
        ("mfa.reset_approved", _l("Authenticator reset approved")),
        ("mfa.reset_refused", _l("Authenticator reset refused")),
        ("mfa.enrolment_started", _l("Authenticator set-up started")),
        ("mfa.enrolled", _l("Authenticator set up")),
        ("mfa.recovery_codes_issued", _l("Recovery codes issued")),
        ("mfa.reset", _l("Authenticator reset")),
        # Administration
        ("user.created", _l("Account created")),
        ("user.updated", _l("Account changed")),
        ("user.deactivated", _l("Account deactivated")),
        ("user.reactivated", _l("Account reactivated")),
        ("user.password_reset", _l("Password reset by an administrator")),
        ("agency.created", _l("Agency created")),
        ("agency.updated", _l("Agency changed")),
        ("agency.deactivated", _l("Agency deactivated")),
        ("agency.reactivated", _l("Agency reactivated")),
        ("audit.viewed", _l("Audit trail viewed")),
        ("access.denied", _l("Access refused")),
        ("access.not_found", _l("Missing record requested")),
        # Keys and encryption
        ("keys.rotated", _l("Encryption key rotated")),
        ("keys.index_rotated", _l("Search index key rotated")),
        ("keys.retired", _l("Old encryption key retired")),
        ("crypto.shredded", _l("Case key destroyed")),
        ("crypto.integrity_failure", _l("Encrypted data failed its integrity check")),
        # Federation (other Casework installations)
        ("federation.keys_created", _l("Federation keys created")),
        ("federation.keys_rotated", _l("Federation keys rotated")),
        ("federation.key_retired", _l("Old federation key retired")),
        ("federation.peer_added", _l("Installation added and trusted")),
        ("federation.peer_suspended", _l("Installation suspended")),
        ("federation.peer_resumed", _l("Installation trusted again")),
        ("federation.peer_removed", _l("Installation removed")),
        ("federation.peer_refused", _l("Installation refused")),
        ("federation.peer_capabilities_changed", _l("What an installation may send changed")),
        ("federation.peer_keys_updated", _l("Installation's new keys accepted")),
        ("federation.peer_keys_refused", _l("Installation's new keys refused")),
        ("federation.message_queued", _l("Message to an installation queued")),
        ("federation.message_delivered", _l("Message delivered to an installation")),
        ("federation.message_refused_by_peer", _l("Message refused by the other installation")),
        ("federation.message_retried", _l("Message to an installation sent again")),
        ("federation.message_dead", _l("Message given up after every attempt")),
        ("federation.message_received", _l("Message received from an installation")),
        ("federation.message_refused", _l("Message from an installation refused")),
        ("federation.message_duplicate", _l("Message received twice, ignored")),
        ("federation.receipts_forgotten", _l("Expired message receipts forgotten")),
        # Reports
        ("report.released", _l("Report tables released")),
        ("report.published", _l("Report published")),
        ("report.scope.set", _l("Report scope chosen")),
        ("report.export.read", _l("Report tables downloaded")),
        ("report.package.read", _l("Report package downloaded")),
        ("report.synthetic.read", _l("Synthetic data set downloaded")),
        # Drafts of forms (decision 0110)
        ("form_draft.created", _l("Draft of a form kept")),
        ("form_draft.discarded", _l("Draft of a form discarded")),
        # Development data
        ("demo.loaded", _l("Demonstration data loaded")),
        ("demo.cases_loaded", _l("Demonstration cases loaded")),
        ("seed.loaded", _l("Test data loaded")),
    ],
)

OUTCOMES = Vocabulary(
    "outcomes",
    [
        ("success", _l("Done")),
        ("failure", _l("Failed")),
        ("denied", _l("Refused")),
        ("locked", _l("Account locked")),
        ("throttled", _l("Too many attempts")),
        ("unknown_account", _l("Unknown account")),
    ],
)

# What an audit event's target is (its table), in words.
TARGET_KINDS = Vocabulary(
    "target_kinds",
    [
        ("cases", _l("Case")),
        ("users", _l("Account")),
        ("agencies", _l("Agency")),
        ("referrals", _l("Referral")),
        ("consents", _l("Consent")),
        ("attachments", _l("File")),
        ("case_notes", _l("Note")),
        ("service_records", _l("Service record")),
        ("support_plans", _l("Support plan")),
        ("plan_steps", _l("Plan step")),
        ("plan_approvals", _l("Plan approval")),
        ("counselling_sessions", _l("Counselling session")),
        ("notifications", _l("Notification")),
        ("task_marks", _l("Task")),
        ("report_releases", _l("Report release")),
        ("report_publications", _l("Report publication")),
        ("jobs", _l("Job")),
        ("form_drafts", _l("Draft of a form")),
        ("people", _l("Person")),
        ("identity_documents", _l("Identity document")),
    ],
)


def event_label(code: str) -> str:
    """The words for an event code (the code itself only for a code no table knows)."""
    return EVENTS.label(code)
