"""Report settings are checked when the application starts."""

from __future__ import annotations

import pytest

from casework import create_app
from casework.reports.settings import ReportSettingsError, check_report_settings
from config import load_config


def settings(**overrides: object) -> dict[str, object]:
    return {**load_config("testing"), **overrides}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"REPORT_ROUNDING_BASE": 1}, "REPORT_ROUNDING_BASE"),
        ({"REPORT_ROUNDING_BASE": 10}, "REPORT_ROUNDING_BASE"),
        ({"REPORT_COUNTING_RULE": "everyone"}, "REPORT_COUNTING_RULE"),
        ({"REPORT_VICTIM_STATUSES": "Victim"}, "REPORT_VICTIM_STATUSES"),
        ({"REPORT_COUNTRIES": "TH XX"}, "REPORT_COUNTRIES"),
        ({"REPORT_DP_BUDGET": 0}, "REPORT_DP_BUDGET"),
    ],
)
def test_weak_or_wrong_report_settings_are_refused(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ReportSettingsError, match=message):
        check_report_settings(settings(**overrides))


def test_the_application_refuses_to_start_with_rounding_base_1() -> None:
    with pytest.raises(ReportSettingsError, match="REPORT_ROUNDING_BASE"):
        create_app({"ENV_NAME": "testing", "REPORT_ROUNDING_BASE": 1})


def test_the_defaults_pass() -> None:
    check_report_settings(settings())
