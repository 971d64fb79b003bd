"""Hypothesis profiles for the fuzzing: `ci` (default, a few minutes for the whole suite) and
`deep` (FUZZ_PROFILE=deep, a long run). Applied to the fuzz tests only."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fuzz-ci",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz-deep",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fuzz_settings() -> settings:
    return settings.get_profile(f"fuzz-{os.environ.get('FUZZ_PROFILE', 'ci')}")
