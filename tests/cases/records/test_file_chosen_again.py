"""A file chosen on a form that comes back with a mistake elsewhere is not kept by the browser:
the page says plainly, next to the field, that it must be chosen again (issue 16)."""

from __future__ import annotations

import io

from tests.cases.records.conftest import World, png_bytes, post_form

AGAIN = "The file you chose was not kept"


def test_the_consent_form_says_the_signed_form_must_be_chosen_again(world: World) -> None:
    client = world.as_caseworker()
    path = f"/cases/{world.case.id}/consents/new"
    assert AGAIN not in client.get(path).get_data(as_text=True)
    refused = post_form(
        client,
        path,
        {
            "purpose": "sharing",  # names no agency: refused
            "given_on": "2026-03-20",
            "method": "signed_form",
            "signed_form": (io.BytesIO(png_bytes()), "form.png"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert AGAIN in page
    assert 'aria-describedby="signed_form-hint signed_form-again"' in page


def test_no_message_when_no_file_was_chosen(world: World) -> None:
    client = world.as_caseworker()
    refused = post_form(
        client,
        f"/cases/{world.case.id}/consents/new",
        {"purpose": "sharing", "given_on": "2026-03-20", "method": "signed_form"},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert AGAIN not in refused.get_data(as_text=True)
