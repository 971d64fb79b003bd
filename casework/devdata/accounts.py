"""The demo agencies and accounts: one account per role, with fixed passwords the README
prints (development data only)."""

from __future__ import annotations

from casework.policy import Role

DEMO_AGENCIES: list[dict[str, str]] = [
    {"name": "Bangkok Anti-Trafficking Police Unit", "org_type": "LawEnforcement", "country": "TH"},
    {"name": "Mekong Safe Shelter", "org_type": "NGO", "country": "TH"},
    {"name": "Phnom Penh Counselling Centre", "org_type": "NGO", "country": "KH"},
    {"name": "Manila Legal Aid for Migrants", "org_type": "LegalService", "country": "PH"},
    {
        "name": "Regional Coordination Office",
        "org_type": "InternationalOrganisation",
        "country": "TH",
    },
    # The agency in the country of origin that carries a case on after return (decision 0091).
    {
        "name": "Phnom Penh Reintegration Office",
        "org_type": "CentralGovernmentOrganisation",
        "country": "KH",
    },
]

# (role, email, name, agency index). Passwords are fixed so the README can print them.
DEMO_USERS: list[tuple[Role, str, str, int]] = [
    (Role.CASEWORKER, "caseworker@demo.casework.example", "Somchai Demo", 0),
    (Role.SUPERVISOR, "supervisor@demo.casework.example", "Malee Demo", 0),
    (Role.CASEWORKER, "shelter.caseworker@demo.casework.example", "Dara Demo", 1),
    (Role.SUPERVISOR, "shelter.supervisor@demo.casework.example", "Niran Demo", 1),
    (Role.PARTNER, "partner@demo.casework.example", "Sokha Demo", 2),
    (Role.SUPERVISOR, "counselling.supervisor@demo.casework.example", "Vanna Demo", 2),
    (Role.PARTNER, "legal.partner@demo.casework.example", "Maria Demo", 3),
    (Role.SUPERVISOR, "legal.supervisor@demo.casework.example", "Jose Demo", 3),
    (Role.COORDINATOR, "coordinator@demo.casework.example", "Lan Demo", 4),
    (Role.ADMIN, "admin@demo.casework.example", "Arun Demo", 4),
    (Role.CASEWORKER, "reintegration.caseworker@demo.casework.example", "Chenda Demo", 5),
    (Role.SUPERVISOR, "reintegration.supervisor@demo.casework.example", "Rith Demo", 5),
]


def demo_password(email: str) -> str:
    local = email.split("@", 1)[0].replace(".", "-")
    return f"{local}-orchid-lantern-2026"
