"""Static checks: no bandit (ruff S) finding is silenced without a reason written beside it."""

from __future__ import annotations

import re
import tomllib

from casework import ROOT

SOURCES = [
    path
    for folder in ("casework", "tests", "tools", "benchmarks", "migrations")
    for path in (ROOT / folder).rglob("*.py")
] + [ROOT / "config.py", ROOT / "wsgi.py"]
NOQA_S = re.compile(r"#\s*noqa:\s*(?P<codes>[A-Z0-9, ]*S\d+[A-Z0-9, ]*)(?P<rest>.*)$")


def _explained(lines: list[str], index: int, rest: str) -> bool:
    """A reason after the code (`# noqa: S603 - why`), or a comment just above the line."""
    if re.match(r"\s*-\s*\w+", rest):
        return True
    above = [line.strip() for line in lines[max(0, index - 2) : index]]
    return any(line.startswith("#") and len(line) > 10 for line in above)


def test_inline_bandit_exemptions_say_why() -> None:
    unexplained = []
    for path in SOURCES:
        lines = path.read_text().splitlines()
        for index, line in enumerate(lines):
            match = NOQA_S.search(line)
            if match and not _explained(lines, index, match["rest"]):
                unexplained.append(f"{path.relative_to(ROOT)}:{index + 1}")
    assert unexplained == []


def test_file_wide_bandit_exemptions_are_explained() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    lint = tomllib.loads(text)["tool"]["ruff"]["lint"]
    assert not [code for code in lint.get("ignore", []) if code.startswith("S")]
    assert "S" in lint["select"]
    section = text.split("[tool.ruff.lint.per-file-ignores]", 1)[1].split("\n[", 1)[0]
    comments = " ".join(line for line in section.splitlines() if line.strip().startswith("#"))
    ignored = {
        code for codes in lint["per-file-ignores"].values() for code in codes if code[0] == "S"
    }
    assert ignored, "the test would pass vacuously"
    assert {code for code in ignored if code not in comments} == set()
