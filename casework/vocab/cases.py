"""Case, person and trafficking-context code lists, written from HTCDS 2.0 (IOM, CC BY 4.0).

Codes are HTCDS value names where the standard has them, so exports line up with other
HTCDS systems; Casework's own lists (channels, risk, consent) use short lower-case codes.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Lazy, with a context (one English word, two meanings: "Active" case, "Active" account). Named
# `pgettext` so that the extraction's default keywords find the context.
from flask_babel import lazy_pgettext as pgettext

from casework.domain import CaseStatus, CaseStatusGroup, ConsentPurpose, NoteCategory
from casework.vocab.base import Vocabulary
from casework.vocab.countries import CITIZENSHIPS

CASE_STATUSES = Vocabulary.of(
    "case_status",
    CaseStatus,
    {
        CaseStatus.ACTIVE: pgettext("case status", "Active"),
        CaseStatus.FOLLOW_UP: _l("Follow-up"),
        CaseStatus.CLOSED: _l("Closed"),
        CaseStatus.CLOSED_REFERRED: _l("Closed (referred)"),
    },
)

# The groups the case lists filter by, labelled apart from every single status above (one
# place for the words of a status: "Closed" is one status, never also a group).
CASE_STATUS_GROUP_LABELS = Vocabulary.of(
    "case_status_group",
    CaseStatusGroup,
    {
        CaseStatusGroup.OPEN: _l("Open (active or follow-up)"),
        CaseStatusGroup.CLOSED: _l("All closed (closed or referred)"),
    },
)

CLOSURE_REASONS = Vocabulary(
    "closure_reason",
    [
        ("goals_met", _l("Support plan goals met")),
        ("referred_elsewhere", _l("Referred to another agency that now leads")),
        ("returned_reintegrated", _l("Returned and reintegrated")),
        ("declined_services", _l("The person declined further services")),
        ("lost_contact", _l("Contact lost")),
        ("not_a_victim", _l("Assessed as not a victim of trafficking")),
        ("deceased", _l("Deceased")),
        ("other", _l("Other")),
    ],
)

IDENTIFICATION_CHANNELS = Vocabulary(
    "identification_channel",
    [
        ("hotline", _l("Hotline")),
        ("police", _l("Police")),
        ("labour_inspection", _l("Labour inspection")),
        ("outreach", _l("Outreach")),
        ("self_referral", _l("Self-referral")),
        ("other_agency", _l("Another agency")),
    ],
)

# The order of risk on the home queues (decision 0116): the highest first.
RISK_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
HIGH_RISKS = frozenset({"critical", "high"})
RISK_LEVELS = Vocabulary(
    "risk_level",
    [
        ("low", _l("Low")),
        ("medium", _l("Medium")),
        ("high", _l("High")),
        ("critical", _l("Critical")),
    ],
)

TRAFFICKING_STATUSES = Vocabulary(
    "trafficking_status",
    [
        ("PossibleVictimOfTrafficking", _l("Possible victim of trafficking")),
        ("ActualVictimOfTrafficking", _l("Actual victim of trafficking")),
        ("NotAVictimOfTrafficking", _l("Not a victim of trafficking")),
    ],
)

STATUS_DECIDING_ORGANISATIONS = Vocabulary(
    "status_deciding_organisation",
    [
        ("Police", _l("Police")),
        ("NGO", _l("NGO")),
        ("CourtOrProsecution", _l("Court or prosecution")),
        ("NonPoliceGovernmentalOrganization", _l("Non-police governmental organisation")),
        ("Other", _l("Other")),
    ],
)

GENDERS = Vocabulary(
    "gender",
    [
        ("Feminine", _l("Female")),
        ("Masculine", _l("Male")),
        ("TransgenderFeminine", _l("Transgender female")),
        ("TransgenderMasculine", _l("Transgender male")),
        ("NonConforming", _l("Gender non-conforming")),
        ("NonSpecifiedUnknown", _l("Not specified or unknown")),
    ],
)

# CTDC's age bands (the Counter Trafficking Data Collaborative's k-anonymised releases).
AGE_BANDS = Vocabulary(
    "age_band",
    [
        ("0-8", _l("0 to 8")),
        ("9-17", _l("9 to 17")),
        ("18-20", _l("18 to 20")),
        ("21-23", _l("21 to 23")),
        ("24-26", _l("24 to 26")),
        ("27-29", _l("27 to 29")),
        ("30-38", _l("30 to 38")),
        ("39-47", _l("39 to 47")),
        ("48+", _l("48 and over")),
    ],
)
_BAND_LIMITS: tuple[tuple[int, str], ...] = (
    (8, "0-8"),
    (17, "9-17"),
    (20, "18-20"),
    (23, "21-23"),
    (26, "24-26"),
    (29, "27-29"),
    (38, "30-38"),
    (47, "39-47"),
)


def age_band(age: int | None) -> str | None:
    """The CTDC age band of an age in whole years (None when the age is unknown)."""
    if age is None or age < 0:
        return None
    for upper, band in _BAND_LIMITS:
        if age <= upper:
            return band
    return "48+"


def band_bounds(band: str) -> tuple[int, int | None]:
    """(lowest, highest) age of a band; highest is None for the open band."""
    low, _, high = band.rstrip("+").partition("-")
    return int(low), (int(high) if high else None)


# HTCDS 2.0 prs_HighestLevelOfEducation: the ISCED 2011 levels, spelled as the standard spells
# them. Level 0 is labelled as ISCED's attainment level ("less than primary", which includes no
# schooling at all); an unknown level is left blank (decision 0097).
EDUCATION_LEVELS = Vocabulary(
    "education",
    [
        ("EarlyChildhoodEducation", _l("Less than primary education, or none (ISCED 0)")),
        ("PrimaryEducation", _l("Primary education")),
        ("LowerSecondaryEducation", _l("Lower secondary education")),
        ("UpperSecondaryEducation", _l("Upper secondary education")),
        ("PostSecondaryNonTertiaryEducation", _l("Post-secondary non-tertiary education")),
        ("ShortCycleTertiaryEducation", _l("Short-cycle tertiary education")),
        ("BachelorsOrEquivalentLevel", _l("Bachelor's or equivalent")),
        ("MastersOrEquivalentLevel", _l("Master's or equivalent")),
        ("DoctoralOrEquivalentLevel", _l("Doctoral or equivalent")),
    ],
)

DOCUMENT_TYPES = Vocabulary(
    "document_type",
    [
        ("passport", _l("Passport")),
        ("national_id", _l("National identity card")),
        ("birth_certificate", _l("Birth certificate")),
        ("work_permit", _l("Work permit")),
        ("seafarer_book", _l("Seafarer's identity document")),
        ("refugee_document", _l("Refugee or asylum document")),
        ("other", _l("Other document")),
    ],
)

RECRUITMENT_METHODS = Vocabulary(
    "recruitment_method",
    [
        ("AtAPlaceOfBusiness", _l("At a place of business")),
        ("AtAnEducationalInstitution", _l("At an educational institution")),
        ("AtWork", _l("At work")),
        ("ThroughOnlineSocialNetworks", _l("Through online social networks")),
        ("ThroughAnOnlineAdvertisement", _l("Through an online advertisement")),
        ("ThroughATelevisionAdvert", _l("Through a television advert")),
        ("ThroughANewspaperAdvert", _l("Through a newspaper advert")),
        ("ThroughFamilyOrFamilyEvents", _l("Through family or family events")),
        ("ThroughFriendsOrSocialEvents", _l("Through friends or social events")),
        ("Other", _l("Other")),
    ],
)

CONTROL_METHODS = Vocabulary(
    "control_method",
    [
        ("PhysicalThreats", _l("Physical threats")),
        ("ThreatsLawEnforcement", _l("Threats of law enforcement")),
        ("ThreatensChildrenFamily", _l("Threats to children or family")),
        ("DebtBondage", _l("Debt bondage")),
        ("FalsePromises", _l("False promises")),
        ("PhysicalAbuse", _l("Physical abuse")),
        ("SexualAbuse", _l("Sexual abuse")),
        ("TakesEarnings", _l("Takes earnings")),
        ("RestrictsFinancialAccess", _l("Restricts financial access")),
        ("RestrictsMedicalCare", _l("Restricts medical care")),
        ("WithholdsNecessities", _l("Withholds necessities")),
        ("PsychologicalAbuse", _l("Psychological abuse")),
        ("PsychoactiveSubstance", _l("Psychoactive substances")),
        ("ExcessiveWorkingHours", _l("Excessive working hours")),
        ("WithholdsDocuments", _l("Withholds documents")),
        ("Other", _l("Other")),
    ],
)

EXPLOITATION_TYPES = Vocabulary(
    "exploitation_type",
    [
        ("ForcedLabour", _l("Forced labour")),
        ("SexualExploitation", _l("Sexual exploitation")),
        ("ChildLabour", _l("Child labour")),
        ("ForcedMarriage", _l("Forced marriage")),
        ("Servitude", _l("Servitude")),
        ("ForcedMilitaryByNonStateActors", _l("Forced military service (non-state actors)")),
        ("OrganRemoval", _l("Organ removal")),
        ("ForcedBegging", _l("Forced begging")),
        ("ForcedAdoption", _l("Forced adoption")),
        ("Surrogacy", _l("Surrogacy")),
        ("Other", _l("Other")),
    ],
)

SEXUAL_EXPLOITATION_TYPES = Vocabulary(
    "sexual_exploitation_type",
    [
        ("Prostitution", _l("Prostitution")),
        ("Pornography", _l("Pornography")),
        ("RemoteInteractiveServices", _l("Remote interactive services")),
        ("PrivateSexualServices", _l("Private sexual services")),
    ],
)

# ISIC Rev. 4 sections, as HTCDS 2.0 lists them for forced labour.
ISIC_SECTIONS = Vocabulary(
    "forced_labour_industry",
    [
        ("A_AgricultureForestryAndFishing", _l("Agriculture, forestry and fishing")),
        ("B_MiningAndQuarrying", _l("Mining and quarrying")),
        ("C_Manufacturing", _l("Manufacturing")),
        ("D_ElectricityGasSteamAndAirConditioningSupply", _l("Electricity and gas supply")),
        ("E_WaterSupplySewerageWasteManagement", _l("Water supply and waste management")),
        ("F_Construction", _l("Construction")),
        ("G_WholesaleAndRetailTradeRepairOfMotorVehicles", _l("Wholesale and retail trade")),
        ("H_TransportationAndStorage", _l("Transportation and storage")),
        ("I_AccommodationAndFoodServiceActivities", _l("Accommodation and food services")),
        ("J_InformationAndCommunication", _l("Information and communication")),
        ("K_FinancialAndInsuranceActivities", _l("Financial and insurance activities")),
        ("L_RealEstateActivities", _l("Real estate activities")),
        ("M_ProfessionalScientificAndTechnicalActivities", _l("Professional and technical")),
        ("N_AdministrativeAndSupportServiceActivities", _l("Administrative and support")),
        ("O_PublicAdministrationAndDefence", _l("Public administration and defence")),
        ("P_Education", _l("Education")),
        ("Q_HumanHealthAndSocialWorkActivities", _l("Human health and social work")),
        ("R_ArtsEntertainmentAndRecreation", _l("Arts, entertainment and recreation")),
        ("S_OtherServiceActivities", _l("Other service activities")),
        ("T_ActivitiesOfHouseholdsAsEmployers", _l("Households as employers (domestic work)")),
        ("U_ActivitiesOfExtraterritorialOrganizations", _l("Extraterritorial organisations")),
    ],
)

TRAFFICKER_RELATIONSHIPS = Vocabulary(
    "trafficker_relationship",
    [
        ("Familial", _l("Family member")),
        ("Acquainted", _l("Acquaintance")),
        ("Unaquainted", _l("Stranger")),  # sic: HTCDS 2.0 spells the value name this way
    ],
)

# HTCDS 2.0 prs_MaritalStatus.
MARITAL_STATUSES = Vocabulary(
    "marital_status",
    [
        ("Single", _l("Single")),
        ("Married", _l("Married")),
        ("Widowed", _l("Widowed")),
        ("Divorced", _l("Divorced")),
        ("Separated", _l("Separated")),
        ("RegisteredPartnership", _l("Registered partnership")),
    ],
)

# HTCDS 2.0 vic_RecruitmentWebsitesAndApps and vic_ExploitationWebsitesAndApps: one list of
# platforms, kept as two facts (where the person was recruited, where exploited).
_PLATFORMS = [
    # Proper names, the same in every language; only "Other" is translated.
    ("Facebook", "Facebook"),
    ("Instagram", "Instagram"),
    ("WhatsApp", "WhatsApp"),
    ("Telegram", "Telegram"),
    ("FacebookMessenger", "Facebook Messenger"),
    ("Viber", "Viber"),
    ("SnapChat", "Snapchat"),
    ("Line", "LINE"),
    ("4Sale", "4Sale"),
    ("WeChat", "WeChat"),
    ("QQ", "QQ"),
    ("QZone", "Qzone"),
    ("TikTok", "TikTok"),
    ("Twitter", "Twitter (X)"),
    ("Other", _l("Other")),
]
RECRUITMENT_PLATFORMS = Vocabulary("recruitment_platform", _PLATFORMS)
EXPLOITATION_PLATFORMS = Vocabulary("exploitation_platform", _PLATFORMS)

# HTCDS 2.0 vic_Vulnerabilities.
VULNERABILITIES = Vocabulary(
    "vulnerability",
    [
        ("Addiction", _l("Addiction")),
        ("SocialGroup", _l("Belonging to a marginalised social group")),
        ("Discrimination", _l("Discrimination")),
        ("Poverty", _l("Poverty")),
        ("DisabilityAndPhysicalHealth", _l("Disability and physical health")),
        ("MentalHealth", _l("Mental health")),
        ("Migration", _l("Migration")),
        ("Homelessness", _l("Homelessness")),
        ("AbuseSocialMedia", _l("Abuse on social media")),
        ("AbusePhysical", _l("Physical abuse")),
        ("Education", _l("Education")),
        ("WorkEnvironment", _l("Work environment")),
    ],
)

# HTCDS 2.0 per_RoleInProcess: what the perpetrators did in the trafficking process.
PERPETRATOR_ROLES = Vocabulary(
    "perpetrator_role",
    [
        ("TravellingPartner", _l("Travelling partner")),
        ("Transporter", _l("Transporter")),
        ("RecruiterOrIntermediary", _l("Recruiter or intermediary")),
        ("BrokerTravelAgent", _l("Broker or travel agent")),
        ("TransferredIndividual", _l("Transferred the person")),
        ("HarbouredIndividual", _l("Harboured the person")),
        ("SoldIndividual", _l("Sold the person")),
        ("BoughtIndividual", _l("Bought the person")),
        ("ReceivedIndividual", _l("Received the person")),
        ("ControlledIndividual", _l("Controlled the person")),
        ("Smuggler", _l("Smuggler")),
        ("Abuser", _l("Abuser")),
        ("Kidnapper", _l("Kidnapper")),
        ("Exploiter", _l("Exploiter")),
        ("Other", _l("Other")),
    ],
)

# HTCDS 2.0 hte_Type: the stages of a historic trafficking event.
RECRUITMENT_EVENT = "Recruitment"
TRANSIT_EVENT = "Transit"
EXPLOITATION_EVENT = "Exploitation"
EVENT_KINDS = Vocabulary(
    "trafficking_event",
    [
        (RECRUITMENT_EVENT, _l("Recruitment")),
        (TRANSIT_EVENT, _l("Transit")),
        (EXPLOITATION_EVENT, _l("Exploitation")),
    ],
)

CONSENT_PURPOSES = Vocabulary.of(
    "consent_purpose",
    ConsentPurpose,
    {
        ConsentPurpose.REGISTRATION: _l("Registration and data processing"),
        ConsentPurpose.SHARING: _l("Sharing with a named agency"),
        ConsentPurpose.REFERRAL: _l("Referral for a service"),
        ConsentPurpose.STATISTICS: _l("Inclusion in anonymised statistics"),
    },
)

NOTE_CATEGORIES = Vocabulary.of(
    "note_category",
    NoteCategory,
    {
        NoteCategory.CASE_MANAGEMENT: _l("Case management (this agency only)"),
        NoteCategory.HEALTH_RISK: _l("Health and risk"),
        NoteCategory.TRAFFICKING_CONTEXT: _l("Trafficking context"),
        NoteCategory.INVESTIGATION: _l("Police and legal (this agency only)"),
    },
)

CONSENT_METHODS = Vocabulary(
    "consent_method",
    [
        ("signed_form", _l("Signed form")),
        ("verbal_witnessed", _l("Verbal, with a witness")),
        ("guardian", _l("Given by a guardian (minor)")),
    ],
)

ATTACHMENT_KINDS = Vocabulary(
    "attachment_kind",
    [
        ("consent_form", _l("Consent form")),
        ("identity_document", _l("Identity document")),
        ("medical", _l("Medical record")),
        ("legal", _l("Legal document")),
        ("other", _l("Other")),
    ],
)

# Multi-valued coded facts of a case, stored as CaseCode rows: vocabulary name -> list.
CASE_CODE_LISTS: dict[str, Vocabulary] = {
    vocab.name: vocab
    for vocab in (
        CITIZENSHIPS,
        RECRUITMENT_METHODS,
        CONTROL_METHODS,
        EXPLOITATION_TYPES,
        SEXUAL_EXPLOITATION_TYPES,
        RECRUITMENT_PLATFORMS,
        EXPLOITATION_PLATFORMS,
        VULNERABILITIES,
        PERPETRATOR_ROLES,
    )
}
