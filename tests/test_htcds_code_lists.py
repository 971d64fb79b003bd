"""Every HTCDS 2.0 code list is the project's code list for it: the same codes, spelled the
same (a copy of the standard's lists is committed, credited, under tests/fixtures/htcds/)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from casework.vocab import (
    CASE_STATUSES,
    CITIZENSHIPS,
    CONTROL_METHODS,
    EDUCATION_LEVELS,
    EVENT_KINDS,
    EXPLOITATION_PLATFORMS,
    EXPLOITATION_TYPES,
    GENDERS,
    ISIC_SECTIONS,
    MARITAL_STATUSES,
    ORGANISATION_TYPES,
    PERPETRATOR_ROLES,
    RECRUITMENT_METHODS,
    RECRUITMENT_PLATFORMS,
    REFERRAL_REASONS,
    SEXUAL_EXPLOITATION_TYPES,
    STATUS_DECIDING_ORGANISATIONS,
    SUPPORT_PLAN_TYPES,
    TRAFFICKER_RELATIONSHIPS,
    TRAFFICKING_STATUSES,
    VULNERABILITIES,
)

FIXTURE = Path(__file__).parent / "fixtures" / "htcds" / "code_lists.csv"


def standard_lists() -> dict[str, list[str]]:
    lists: dict[str, list[str]] = defaultdict(list)
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            lists[row["field"]].append(row["name"])
    return dict(lists)


# The HTCDS field -> the codes Casework holds for it (casework/vocab/, the one home).
PROJECT_LISTS: dict[str, tuple[str, ...]] = {
    "org_Type": ORGANISATION_TYPES.codes,
    "prs_Gender": GENDERS.codes,
    "prs_HighestLevelOfEducation": EDUCATION_LEVELS.codes,
    "prs_Citizenship": CITIZENSHIPS.codes,
    "vic_TraffickingStatus": TRAFFICKING_STATUSES.codes,
    "vic_TraffickingStatusDecisionMakingOrg": STATUS_DECIDING_ORGANISATIONS.codes,
    "vic_RelationshipToTrafficker": TRAFFICKER_RELATIONSHIPS.codes,
    "vic_MethodOfRecruitment": RECRUITMENT_METHODS.codes,
    "vic_MethodsOfControl": CONTROL_METHODS.codes,
    "vic_TypeOfExploitation": EXPLOITATION_TYPES.codes,
    "vic_ForcedLabourIndustry": ISIC_SECTIONS.codes,
    "vic_TypeOfSexExploitation": SEXUAL_EXPLOITATION_TYPES.codes,
    "cas_Status": CASE_STATUSES.codes,
    "hte_Type": EVENT_KINDS.codes,
    "prs_MaritalStatus": MARITAL_STATUSES.codes,
    "vic_RecruitmentWebsitesAndApps": RECRUITMENT_PLATFORMS.codes,
    "vic_ExploitationWebsitesAndApps": EXPLOITATION_PLATFORMS.codes,
    "vic_Vulnerabilities": VULNERABILITIES.codes,
    "per_RoleInProcess": PERPETRATOR_ROLES.codes,
    "cas_ReasonForIncomingReferral": REFERRAL_REASONS.codes,
    "cas_ReasonForOutgoingReferral": REFERRAL_REASONS.codes,
    "spl_Type": SUPPORT_PLAN_TYPES.codes,
}

# Codes Casework adds to a standard list, each with its reason (decision 0097). An exchange in
# the standard's layout writes such a code as a blank.
CASEWORK_ADDITIONS: dict[str, dict[str, str]] = {
    "org_Type": {
        "InternationalOrganisation": "HTCDS's organisation section (a draft in 2.0) has no "
        "type for an intergovernmental organisation such as IOM itself",
    },
}

# Lists of the standard Casework does not hold yet, each with its reason.
NOT_HELD: dict[str, str] = {}


def test_every_list_of_the_standard_is_held_or_said_not_to_be() -> None:
    lists = set(standard_lists())
    assert not set(PROJECT_LISTS) & set(NOT_HELD)
    assert lists == set(PROJECT_LISTS) | set(NOT_HELD), (
        f"unaccounted: {sorted(lists - set(PROJECT_LISTS) - set(NOT_HELD))}; "
        f"not in the standard: {sorted(set(PROJECT_LISTS) | set(NOT_HELD) - lists)}"
    )


@pytest.mark.parametrize("field", sorted(PROJECT_LISTS))
def test_the_project_list_is_the_standard_list(field: str) -> None:
    standard = standard_lists()[field]
    ours = PROJECT_LISTS[field]
    additions = CASEWORK_ADDITIONS.get(field, {})
    assert len(set(ours)) == len(ours), f"{field}: a code twice in {ours}"
    missing = [code for code in standard if code not in ours]
    unknown = [code for code in ours if code not in standard and code not in additions]
    assert (missing, unknown) == ([], []), (
        f"{field}: the standard's codes missing from Casework: {missing}; "
        f"Casework's codes not in the standard: {unknown}"
    )
    assert not set(additions) & set(standard), f"{field}: an addition is a standard code"
    assert set(additions) <= set(ours), f"{field}: an addition Casework does not hold"


def test_the_fixture_is_the_standard_as_published() -> None:
    """The copy holds what the standard says (a sample checked by hand), so a wrong copy
    cannot make a wrong vocabulary pass."""
    lists = standard_lists()
    assert "BachelorsOrEquivalentLevel" in lists["prs_HighestLevelOfEducation"]
    assert "DebtBondage" in lists["vic_MethodsOfControl"]
    assert len(lists["prs_Citizenship"]) == 249
    assert lists["hte_Type"] == ["Recruitment", "Transit", "Exploitation"]
    assert len(lists) == 22
