"""The demo cases: invented people, named in the scripts of the region.

Every person here is invented. Dates are relative to the day the demo is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from casework.domain import CaseStatus


@dataclass(frozen=True)
class DemoCase:
    name: str
    born: str  # ISO date
    gender: str
    citizenship: str
    identified_days_ago: int
    channel: str
    exploitation: tuple[str, ...]
    assigned: str | None = None  # demo account email
    risk: str = "medium"
    status: str = CaseStatus.ACTIVE
    closure_reason: str | None = None
    closed_days_ago: int | None = None
    closure_requested: bool = False  # a pending request by the assignee
    phone: str | None = None
    passport: str | None = None
    # (purpose, named agency or None); the method follows the person's age
    consents: tuple[tuple[str, str | None], ...] = (("registration", None),)
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    marital_status: str | None = None
    children: int | None = None
    vulnerability_details: str | None = None
    perpetrator_details: str | None = None


POLICE = "Bangkok Anti-Trafficking Police Unit"
SHELTER = "Mekong Safe Shelter"
COUNSELLING = "Phnom Penh Counselling Centre"
LEGAL = "Manila Legal Aid for Migrants"
REINTEGRATION = "Phnom Penh Reintegration Office"
POLICE_WORKER = "caseworker@demo.casework.example"
SHELTER_WORKER = "shelter.caseworker@demo.casework.example"

DEMO_CASES: dict[str, tuple[DemoCase, ...]] = {
    POLICE: (
        DemoCase(
            "สมหญิง แก้วมณี",
            "1998-07-12",
            "Feminine",
            "TH",
            40,
            "hotline",
            ("SexualExploitation",),
            POLICE_WORKER,
            risk="high",
            phone="+66 81 555 0142",
            consents=(("registration", None), ("statistics", None), ("sharing", SHELTER)),
            codes={"sexual_exploitation_type": ("PrivateSexualServices",)},
        ),
        DemoCase(
            "Nguyễn Thị Hoa",
            "2010-02-03",
            "Feminine",
            "VN",
            75,
            "labour_inspection",
            ("ForcedLabour", "ChildLabour"),
            POLICE_WORKER,
            risk="critical",
            passport="C7421956",
            status=CaseStatus.FOLLOW_UP,
            consents=(("registration", None), ("referral", COUNSELLING)),
        ),
        DemoCase(
            "សុខ ចាន់ធី",
            "1990-11-20",
            "Masculine",
            "KH",
            12,
            "outreach",
            ("ForcedLabour",),
            None,
            phone="+855 12 555 019",
            codes={
                "control_method": ("DebtBondage", "WithholdsDocuments"),
                "vulnerability": ("Poverty", "Migration"),
                "perpetrator_role": ("BrokerTravelAgent", "Exploiter"),
            },
            marital_status="Married",
            children=2,
            vulnerability_details="Family debt after a failed harvest; no work in the village.",
            perpetrator_details="A broker in Poipet arranged the papers; the boat owner kept them.",
        ),
        DemoCase(
            "အောင်ကျော်",
            "1993-05-09",
            "Masculine",
            "MM",
            150,
            "police",
            ("ForcedLabour",),
            POLICE_WORKER,
            closure_reason="declined_services",
            closure_requested=True,
            consents=(("registration", None), ("statistics", None)),
            codes={"citizenship": ("TH",)},  # a second citizenship (HTCDS: several)
        ),
        DemoCase(
            "Maria Cristina Dela Cruz",
            "1995-04-18",
            "Feminine",
            "PH",
            820,
            "other_agency",
            ("Servitude",),
            POLICE_WORKER,
            risk="low",
            status=CaseStatus.CLOSED,
            closure_reason="goals_met",
            closed_days_ago=700,
        ),
        DemoCase(
            "Trần Văn Minh",
            "1986-09-30",
            "Masculine",
            "VN",
            3400,
            "police",
            ("ForcedLabour",),
            None,
            risk="low",
            status=CaseStatus.CLOSED,
            closure_reason="returned_reintegrated",
            closed_days_ago=3000,
        ),
        DemoCase(  # returned home: transferred to the Reintegration Office (devdata/transfers.py)
            "ស្រី ពៅ",
            "1999-08-21",
            "Feminine",
            "KH",
            210,
            "police",
            ("ForcedLabour",),
            POLICE_WORKER,
            phone="+66 89 555 0177",
            consents=(("registration", None), ("statistics", None), ("sharing", REINTEGRATION)),
            codes={"control_method": ("WithholdsDocuments",)},
        ),
        DemoCase(  # returning soon: the consent is there, the transfer is yours to make
            "ចាន់ ដារ៉ា",
            "1996-01-09",
            "Masculine",
            "KH",
            35,
            "labour_inspection",
            ("ForcedLabour",),
            POLICE_WORKER,
            phone="+66 86 555 0133",
            consents=(("registration", None), ("sharing", REINTEGRATION)),
        ),
        DemoCase(  # registered at night, nobody assigned yet: the supervisor's home page
            "Trần Thị Mai",
            "2004-02-11",
            "Feminine",
            "VN",
            1,
            "hotline",
            ("SexualExploitation",),
            None,
            risk="critical",
        ),
    ),
    SHELTER: (
        DemoCase(
            "นภัสสร ศรีสุข",
            "2009-08-21",
            "Feminine",
            "TH",
            30,
            "other_agency",
            ("SexualExploitation",),
            SHELTER_WORKER,
            risk="high",
            consents=(("registration", None), ("sharing", COUNSELLING)),
            codes={
                "sexual_exploitation_type": ("RemoteInteractiveServices",),
                "recruitment_platform": ("Facebook",),
                "exploitation_platform": ("Telegram",),
                "vulnerability": ("AbuseSocialMedia", "Poverty"),
                "perpetrator_role": ("RecruiterOrIntermediary", "Exploiter"),
            },
            marital_status="Single",
            children=0,
            vulnerability_details="Contacted through a modelling page; sending money home.",
            perpetrator_details="An online 'agent' recruited her; the streams were sold abroad.",
        ),
        DemoCase(
            "ស្រីនិច្ច ហេង",
            "2001-01-15",
            "Feminine",
            "KH",
            55,
            "self_referral",
            ("ForcedMarriage",),
            SHELTER_WORKER,
            phone="+855 97 555 3310",
            consents=(("registration", None), ("referral", COUNSELLING), ("statistics", None)),
        ),
        DemoCase(
            "Juan Miguel Santos",
            "1999-12-02",
            "Masculine",
            "PH",
            400,
            "outreach",
            ("ForcedLabour",),
            SHELTER_WORKER,
            status=CaseStatus.CLOSED_REFERRED,
            closure_reason="referred_elsewhere",
            closed_days_ago=200,
        ),
    ),
    COUNSELLING: (
        DemoCase(
            "ចាន់ សុភា",
            "1997-03-27",
            "Feminine",
            "KH",
            20,
            "other_agency",
            ("ForcedLabour",),
            None,
            consents=(("registration", None), ("statistics", None)),
        ),
        DemoCase(
            "Lê Thị Thu",
            "2000-06-14",
            "Feminine",
            "VN",
            90,
            "hotline",
            ("SexualExploitation",),
            None,
            status=CaseStatus.FOLLOW_UP,
            risk="low",
        ),
    ),
    REINTEGRATION: (
        DemoCase(
            "សុខ លីណា",
            "2001-05-02",
            "Feminine",
            "KH",
            60,
            "other_agency",
            ("SexualExploitation",),
            "reintegration.caseworker@demo.casework.example",
            consents=(("registration", None), ("statistics", None)),
        ),
    ),
    LEGAL: (
        DemoCase(
            "Rowena Bautista",
            "1991-09-30",
            "Feminine",
            "PH",
            45,
            "self_referral",
            ("ForcedLabour",),
            None,
            consents=(("registration", None), ("statistics", None)),
            codes={"control_method": ("WithholdsDocuments", "DebtBondage")},
        ),
        DemoCase(
            "Jose Ramon Cruz",
            "1986-01-17",
            "Masculine",
            "PH",
            150,
            "other_agency",
            ("ForcedLabour",),
            None,
            status=CaseStatus.FOLLOW_UP,
            risk="low",
        ),
    ),
}
