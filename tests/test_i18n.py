"""Every user-facing string in the templates goes through gettext.

Strips Jinja blocks, expressions and comments, then looks for letters left in text nodes and
in the attributes people read (title, alt, placeholder, aria-label): any found is a string
that cannot be translated.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from casework import ROOT

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
JINJA = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "value"}
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# Text that is the same in every language.
ALLOWED = {"Casework"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "code"}:
            self._skip += 1
        for name, value in attrs:
            readable = name in READ_ATTRIBUTES and not (tag == "input" and name == "value")
            if readable and value and LETTER.search(value):
                self.found.append(f"{name}={value!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "code"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        text = data.strip()
        if not self._skip and text and LETTER.search(text) and text not in ALLOWED:
            self.found.append(text)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_text_is_translatable(template) -> None:
    source = JINJA.sub(" ", template.read_text(encoding="utf-8"))
    collector = _TextCollector()
    collector.feed(source)
    assert collector.found == [], f"untranslated text in {template.name}: {collector.found}"


def test_thai_reader_gets_thai_pages(client) -> None:
    client.set_cookie("casework_lang", "th")
    page = client.get("/sign-in").get_data(as_text=True)
    assert '<html lang="th">' in page
    assert "เข้าสู่ระบบ" in page  # "Sign in"


def test_browser_language_is_used_without_a_choice(client) -> None:
    page = client.get("/sign-in", headers={"Accept-Language": "th-TH,th;q=0.9"})
    assert '<html lang="th">' in page.get_data(as_text=True)


def test_language_form_sets_the_cookie(client) -> None:
    from tests.conftest import csrf_token

    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/language", data={"language": "th", "next": "/sign-in", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert "casework_lang=th" in response.headers["Set-Cookie"]
    page = client.get("/sign-in").get_data(as_text=True)
    assert "เข้าสู่ระบบ" in page


def test_the_translation_catalogue_holds_every_string(tmp_path) -> None:
    """`make translations` was run: every marked string is in messages.pot, so translators
    see it (a string missing there could never be translated)."""
    import subprocess
    import sys

    from babel.messages.pofile import read_po

    from casework import ROOT

    fresh = tmp_path / "fresh.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
    options = ["-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(fresh), "."]
    subprocess.run(
        [*command, *options],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    with (ROOT / "casework" / "translations" / "messages.pot").open("rb") as handle:
        have = {message.id for message in read_po(handle) if message.id}
    assert len(wanted) > 100, "the extraction found the strings"
    missing = sorted(str(m) for m in wanted - have)
    assert not missing, f"run `make translations`: {missing[:5]}"
