"""Pages without the templates' indentation (issue 16, decision 0111).

The templates are indented for their readers; sent as they are, the indentation was a tenth of
the registration page (5.8 KB of 51 KB). `Compact` is a Jinja extension that removes it from
the template *source* when a template is loaded, before Jinja compiles it, so what a person
typed (a value shown again in a `<textarea>`) is never touched: only the template's own text
changes. For each line of an `.html` template it drops

- the leading spaces and tabs, unless the line starts inside a Jinja tag (a `{{ ... }}`,
  `{% ... %}` or `{# ... #}` spanning lines, whose string literals would change) or inside a
  `<pre>` or `<textarea>` the template writes itself;
- the line break after a line that holds nothing but statement or comment tags
  (`{% if ... %}`, `{% endfor %}`, `{% if a %}{% set b = ... %}{% endif %}`, `{# ... #}`):
  such a line renders nothing but that break.

HTML collapses whitespace between inline words, and a removed indentation never stands between
two words on one line, so pages read the same. Templates of other kinds (text) are left as
they are. Jinja's own `trim_blocks` was not used: it also removes the break after a tag in the
middle of a line of text, joining words.
"""

from __future__ import annotations

import re

from jinja2.ext import Extension

_TAG_OPEN = re.compile(r"\{\{|\{%|\{#")
_TAG_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}
_KEEP_OPEN = re.compile(r"<(pre|textarea)\b", re.IGNORECASE)
_ONLY_TAGS = re.compile(r"^(?:\{%[^%{}]*%\}|\{#[^#{}]*#\})+$")


def compact(source: str) -> str:
    """The template source without its indentation (see the module's docstring)."""
    out: list[str] = []
    inside: str | None = None  # the closing mark of a Jinja tag still open
    kept: str | None = None  # a <pre> or <textarea> still open
    for line in source.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        if inside is None and kept is None:
            body = body.lstrip(" \t")
            if ending and _ONLY_TAGS.match(body.rstrip(" \t")):
                ending = ""
        out.append(body + ending)
        inside, kept = _state_after(body, inside, kept)
    return "".join(out)


def _state_after(line: str, inside: str | None, kept: str | None) -> tuple[str | None, str | None]:
    """Which Jinja tag (by its closing mark) and which kept element are open after `line`."""
    position = 0
    while position < len(line):
        if inside is not None:
            end = line.find(inside, position)
            if end < 0:
                return inside, kept
            position, inside = end + 2, None
            continue
        opened = _TAG_OPEN.search(line, position)
        text = line[position : opened.start() if opened else len(line)]
        kept = _markup_state(text, kept)
        if opened is None:
            break
        inside, position = _TAG_CLOSE[opened.group()], opened.end()
    return inside, kept


def _markup_state(text: str, kept: str | None) -> str | None:
    position = 0
    while True:
        if kept is not None:
            end = text.lower().find(f"</{kept}", position)
            if end < 0:
                return kept
            position, kept = end + len(kept) + 2, None
            continue
        opened = _KEEP_OPEN.search(text, position)
        if opened is None:
            return None
        kept, position = opened.group(1).lower(), opened.end()


class Compact(Extension):
    """Jinja extension: `compact()` applied to every `.html` template's source as it loads."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name is None or not name.endswith(".html"):
            return source
        return compact(source)
