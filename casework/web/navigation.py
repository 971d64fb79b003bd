"""The navigation: only what the signed-in role may use."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from casework.policy import Action, can


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    url: str
    active: bool
    description: str


# (endpoint, label, description, action). Later features add their own lines.
NAVIGATION: list[tuple[str, object, object, Action]] = [
    ("main.dashboard", _l("Home"), "", Action.VIEW_DASHBOARD),
    ("cases.my_cases", _l("My cases"), _l("The cases assigned to you."), Action.LIST_MY_CASES),
    (
        "cases.agency_cases",
        _l("Agency cases"),
        _l("Every case of your agency: filter, search, assign."),
        Action.LIST_AGENCY_CASES,
    ),
    (
        "cases.new_case",
        _l("Register a case"),
        _l("Record a presumed or identified victim, with their consent."),
        Action.CREATE_CASE,
    ),
    (
        "referrals.inbox",
        _l("Incoming referrals"),
        _l("Referrals to your agency: answer them, see how long each has waited."),
        Action.VIEW_REFERRAL_INBOX,
    ),
    (
        "referrals.sent",
        _l("Sent referrals"),
        _l("Referrals your cases were sent on, and their answers."),
        Action.LIST_SENT_REFERRALS,
    ),
    (
        "transfers.list_transfers",
        _l("Transfers"),
        _l("Cases your agency transferred or was asked to take over."),
        Action.LIST_TRANSFERS,
    ),
    (
        "services.list_services",
        _l("Services"),
        _l("Service records and counselling sessions."),
        Action.VIEW_SERVICES,
    ),
    (
        "accounts.approvals",
        _l("Accounts to approve"),
        _l("New accounts and second-factor resets waiting for your approval."),
        Action.APPROVE_ACCOUNT,
    ),
    (
        "admin.list_agencies",
        _l("Agencies"),
        _l("Create and manage agencies."),
        Action.MANAGE_AGENCIES,
    ),
    (
        "admin.list_users",
        _l("Users"),
        _l("Accounts, roles, password and second-factor resets."),
        Action.MANAGE_USERS,
    ),
    (
        "cases.closure_requests",
        _l("Closure requests"),
        _l("Cases waiting for your decision on closure."),
        Action.APPROVE_CLOSURE,
    ),
    (
        "cases.erasure_due",
        _l("Due for erasure"),
        _l("Closed cases past the retention period."),
        Action.ERASE_CASE,
    ),
    (
        "reports.agency_dashboard",
        _l("Reports"),
        _l("Anonymised figures for your agency."),
        Action.VIEW_AGENCY_REPORTS,
    ),
    (
        "reports.regional_dashboard",
        _l("Reports"),
        _l("Anonymised figures, charts and signed releases."),
        Action.VIEW_REGIONAL_REPORTS,
    ),
    (
        "federation.list_peers",
        _l("Federation"),
        _l("Installations this one trusts, and this one's fingerprint."),
        Action.MANAGE_FEDERATION,
    ),
    ("admin.sign_ins", _l("Sign-ins"), _l("Who signed in, and when."), Action.VIEW_AUDIT),
    (
        "admin.audit_log",
        _l("Audit trail"),
        _l("Every recorded action, verifiable."),
        Action.VIEW_AUDIT,
    ),
]


# The pages below a navigation entry, which mark it as the current one (aria-current).
SECTIONS: dict[str, frozenset[str]] = {
    "cases.my_cases": frozenset(
        {"cases.view_case", "cases.edit_case", "cases.print_case", "cases.add_note"}
    ),
    "reports.agency_dashboard": frozenset({"reports.agency_report"}),
    "reports.regional_dashboard": frozenset({"reports.regional_report", "reports.public_key"}),
    "referrals.inbox": frozenset(
        {"referrals.view_referral", "referrals.decline", "referrals.complete"}
    ),
    "referrals.sent": frozenset({"referrals.new_referral", "referrals.revoke"}),
    "transfers.list_transfers": frozenset(
        {
            "transfers.new_transfer",
            "transfers.view_transfer",
            "transfers.decline",
        }
    ),
    "services.list_services": frozenset(
        {
            "services.new_service",
            "services.view_service",
            "services.edit_service",
            "services.new_session",
            "services.edit_plan",
        }
    ),
    "admin.list_agencies": frozenset(
        {"admin.new_agency", "admin.edit_agency", "admin.set_agency_active"}
    ),
    "federation.list_peers": frozenset(
        {
            "federation.this_installation",
            "federation.add_peer",
            "federation.view_peer",
            "federation.change_peer",
            "federation.outbox_page",
        }
    ),
    "admin.list_users": frozenset(
        {
            "admin.new_user",
            "admin.edit_user",
            "admin.set_user_active",
            "admin.reset_password",
            "admin.reset_second_factor",
        }
    ),
}


def nav_items() -> list[NavItem]:
    items = []
    for endpoint, label, description, action in NAVIGATION:
        if endpoint not in current_app.view_functions or not can(current_user, action):
            continue
        active = request.endpoint == endpoint or request.endpoint in SECTIONS.get(
            endpoint, frozenset()
        )
        items.append(NavItem(endpoint, str(label), url_for(endpoint), active, str(description)))
    return items
