"""Conventions every page keeps (issue 16, point 7): errors after a failed submit announced and
linked to their fields, a strong visible focus, and empty lists that say what to do next."""

from __future__ import annotations

import re

from casework import ROOT
from casework.policy import Role
from tests.conftest import csrf_token

TEMPLATES = ROOT / "templates"
CSS = ROOT / "casework" / "static" / "casework.css"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_paged_list_says_what_to_do_when_empty() -> None:
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = str(path.relative_to(TEMPLATES))
        source = path.read_text(encoding="utf-8")
        listed = "page.items" in source
        if listed and "empty_state(" not in source:
            missing.append(name)
    assert missing == [], f"lists without the shared empty state (_macros.html): {missing}"


def test_an_empty_list_names_the_next_step(login_as) -> None:
    client, _account = login_as(Role.CASEWORKER)
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'class="empty-state' in page
    assert "There is nothing to do now." in page
    filtered = client.get("/referrals/sent?urgency=emergency").get_data(as_text=True)
    assert "Change or clear the filters above to see more." in filtered
    unfiltered = client.get("/referrals/sent").get_data(as_text=True)
    assert "open their case and choose" in unfiltered


def test_a_failed_submit_is_summarised_announced_and_linked(login_as) -> None:
    client, _account = login_as(Role.ADMIN)
    path = "/admin/users/new"
    answer = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    summary = re.search(r'<div class="alert alert-danger"([^>]*)>(.*?)</div>', page, re.S)
    assert summary, "an error summary above the form"
    assert 'role="alert"' in summary[1]
    assert 'id="error-summary"' in summary[1]
    assert 'tabindex="-1"' in summary[1]
    targets = re.findall(r'<a class="alert-link" href="#([^"]+)">', summary[2])
    assert targets, "each error links to its field"
    for ident in targets:
        field = re.search(rf'<(?:input|select|textarea|fieldset)[^>]*id="{ident}"[^>]*>', page)
        assert field, ident
        if not field[0].startswith("<fieldset"):
            assert 'aria-invalid="true"' in field[0], ident
        described = re.search(r'aria-describedby="([^"]+)"', field[0])
        assert described, ident
        for part in described[1].split():
            assert f'id="{part}"' in page, part
    assert re.search(r'<script src="[^"]*/js/forms\.js', page)  # moves the focus


def test_the_focus_is_a_strong_outline_on_every_control() -> None:
    css = CSS.read_text(encoding="utf-8")
    rule = re.search(r"((?::focus-visible|\.form-control:focus)[^{]*)\{([^}]*)\}", css)
    assert rule, "a focus rule"
    selectors, body = rule[1], rule[2]
    for needed in (".form-control:focus", ".form-select:focus", ".form-check-input:focus"):
        assert needed in selectors, f"{needed}: Bootstrap's faint glow must be replaced"
    outline = re.search(r"outline:\s*(\d+)px\s+solid\s+(#[0-9a-fA-F]{6})\s*!important", body)
    assert outline, body
    assert int(outline[1]) >= 3
    assert contrast(outline[2], "#ffffff") >= 3
    assert "box-shadow: none !important" in body
    navbar = re.search(
        r"\.cw-navbar :focus-visible[^{]*\{[^}]*outline-color:\s*(#[0-9a-fA-F]{6})", css
    )
    assert navbar
    assert contrast(navbar[1], "#0b3d91") >= 3  # on the dark navigation bar
