"""Templates without their indentation (casework/web/compact.py, decision 0111)."""

from __future__ import annotations

from jinja2 import DictLoader, Environment

from casework.web.compact import Compact, compact


def test_indentation_and_tag_only_lines_go() -> None:
    source = "<ul>\n  {% for x in xs %}\n    <li>{{ x }}</li>\n  {% endfor %}\n</ul>\n"
    assert compact(source) == "<ul>\n{% for x in xs %}<li>{{ x }}</li>\n{% endfor %}</ul>\n"
    env = Environment(loader=DictLoader({"a.html": source}), extensions=[Compact], autoescape=True)
    assert env.get_template("a.html").render(xs=[1, 2]) == "<ul>\n<li>1</li>\n<li>2</li>\n</ul>"


def test_text_between_words_keeps_a_break() -> None:
    assert compact("  one\n  {% if a %}two{% endif %}\n  three\n") == (
        "one\n{% if a %}two{% endif %}\nthree\n"
    )


def test_what_must_keep_its_whitespace_does() -> None:
    # A string literal spanning lines inside a tag (a translation's msgid would change).
    tag = '{{ _("first line\n    second line") }}\n'
    assert compact(tag) == tag
    # A <pre> or <textarea> the template writes itself.
    pre = "<pre>\n  indented\n    more\n</pre>\n  after\n"
    assert compact(pre) == "<pre>\n  indented\n    more\n</pre>\nafter\n"
    area = "<textarea name=x>\n  kept\n</textarea>\n"
    assert compact(area) == area


def test_only_html_templates_are_changed() -> None:
    source = "Dear reader,\n    indented on purpose\n"
    env = Environment(
        loader=DictLoader({"mail.txt": source}), extensions=[Compact], autoescape=True
    )
    assert env.get_template("mail.txt").render() == source.rstrip("\n")
