"""A status is spelled in one place: casework/domain. Anywhere else in casework/ and in the
templates, a quoted status code ('pending', "Active", ...) is a second copy of the rule that
will drift; use the enum (`ReferralStatus.PENDING`) or ask the transitions table
(`referral.allows(ReferralEvent.ACCEPT)`). Migrations are history and may spell codes.
Translated labels (`_("Active")`, `_l("Closed")`) are words for people, not codes.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from casework.domain import CaseStatus, ReferralStatus, ServiceStatus

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "casework"
EXEMPT = (PACKAGE / "domain", PACKAGE / "translations")
STATUS_CODES = frozenset(
    code.value for enum in (CaseStatus, ReferralStatus, ServiceStatus) for code in enum
)
TRANSLATORS = frozenset({"_", "_l", "gettext", "lazy_gettext", "ngettext", "pgettext"})
CONTEXT_TRANSLATORS = frozenset({"pgettext", "lazy_pgettext", "npgettext"})


def _python_literals(path: Path, root: Path = ROOT) -> list[str]:
    """`path:line: 'code'` for each string token that is exactly a status code."""
    found = []
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline))
    for i, token in enumerate(tokens):
        if token.type != tokenize.STRING:
            continue
        text = token.string.lstrip("rRbBuU")
        if len(text) < 2 or text[0] not in "'\"" or text[1:-1] not in STATUS_CODES:
            continue
        translated = i >= 2 and tokens[i - 1].string == "(" and tokens[i - 2].string in TRANSLATORS
        # pgettext("context", "Active"): the message is the second argument.
        in_context = (
            i >= 4
            and tokens[i - 1].string == ","
            and tokens[i - 2].type == tokenize.STRING
            and tokens[i - 3].string == "("
            and tokens[i - 4].string in CONTEXT_TRANSLATORS
        )
        translated = translated or in_context
        if not translated:
            found.append(f"{path.relative_to(root)}:{token.start[0]}: {token.string}")
    return found


TEMPLATE_LITERAL = re.compile(
    r"(?<![\w.])(?P<call>(?:_|_l|gettext|ngettext)\(\s*|pgettext\(\s*(['\"])[^'\"]*\2\s*,\s*)?"
    r"(?P<q>['\"])(?P<code>[A-Za-z_]+)(?P=q)"
)


def _template_literals(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        for match in TEMPLATE_LITERAL.finditer(line):
            if match["code"] in STATUS_CODES and not match["call"]:
                found.append(f"{path.relative_to(root)}:{number}: {match[0]}")
    return found


def _python_files() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if not any(path.is_relative_to(folder) for folder in EXEMPT)
    ]


def test_no_status_code_is_spelled_outside_the_domain() -> None:
    python = [hit for path in _python_files() for hit in _python_literals(path)]
    templates = [
        hit
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for hit in _template_literals(path)
    ]
    assert not python + templates, "use casework.domain's enums or tables:\n" + "\n".join(
        python + templates
    )


def test_the_check_sees_what_it_looks_for(tmp_path: Path) -> None:
    """The scanners catch a literal in code and in a template, and let labels through."""
    module = tmp_path / "module.py"
    module.write_text(
        'if referral.status == "pending":\n'
        "    label = _l('Active')\n"
        "    # 'Closed' in a comment is prose\n"
        '    other = f"{status}_on_closure"\n'
        "    state = 'in_progress'\n",
        "utf-8",
    )
    hits = [hit.split(": ", 1)[1] for hit in _python_literals(module, tmp_path)]
    assert hits == ['"pending"', "'in_progress'"]
    page = tmp_path / "page.html"
    page.write_text(
        "{% if referral.status == 'declined' %}{{ _(\"Active\") }}{% endif %}\n"
        '<td>{{ _("Completed on") }}</td>{% if s == "completed" %}x{% endif %}\n',
        "utf-8",
    )
    hits = [hit.split(": ", 1)[1] for hit in _template_literals(page, tmp_path)]
    assert hits == ["'declined'", '"completed"']
    assert _python_files(), "the scan found the package"
