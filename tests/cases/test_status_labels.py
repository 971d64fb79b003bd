"""One source for the words of a status: the case lists' status filter offers each label once
(issue 16: "Closed" was listed twice, once as the status and once as the group)."""

from __future__ import annotations

import re

import casework.vocab as vocab
from casework.cases.filters import CaseFilterForm
from casework.domain import CASE_STATUS_GROUPS, CLOSED_CASE_STATUSES, OPEN_CASE_STATUSES
from casework.policy import Role
from casework.vocab.base import Vocabulary
from tests import factories


def test_the_status_filter_offers_each_label_once(app) -> None:
    with app.test_request_context():
        labels = [label for _code, label in CaseFilterForm(assignees=[]).status.choices]
    assert len(labels) == len(set(labels)), labels
    assert labels.count("Closed") == 1


def test_no_vocabulary_offers_one_label_for_two_choices(app) -> None:
    """Every code list a form offers tells its choices apart (the audit trail's event words
    are not offered as choices: two codes may share words there)."""
    with app.test_request_context():
        for name in dir(vocab):
            words = getattr(vocab, name)
            if not isinstance(words, Vocabulary) or words is vocab.EVENTS:
                continue
            labels = [str(term.label) for term in words]
            assert len(labels) == len(set(labels)), (name, labels)


def test_the_groups_are_the_domains_sets() -> None:
    assert CASE_STATUS_GROUPS == {"open": OPEN_CASE_STATUSES, "closed": CLOSED_CASE_STATUSES}


def test_filtering_by_a_group_or_a_status(login_as, agencies) -> None:
    client, _supervisor = login_as(Role.SUPERVISOR, agency=agencies.a)
    made = {
        status: factories.make_case(agencies.a, status=status).reference
        for status in ("Active", "FollowUp", "Closed", "ClosedReferred")
    }

    def shown(status: str) -> set[str]:
        response = client.get("/cases/agency", query_string={"status": status})
        assert response.status_code == 200
        return set(re.findall(r"[A-Z]{2}-\d{4}-\d{6}", response.get_data(as_text=True)))

    assert shown("closed") == {made["Closed"], made["ClosedReferred"]}
    assert shown("open") == {made["Active"], made["FollowUp"]}
    assert shown("Closed") == {made["Closed"]}
