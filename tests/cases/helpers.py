"""Posting the case forms as a browser would: field names as the templates render them."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from casework.cases.models import Case
from casework.core.extensions import db
from tests.conftest import CSRF_RE, csrf_token

TODAY_ISH = "2026-03-14"


def registration_data(**overrides: Any) -> dict[str, Any]:
    """A complete, valid registration form (override any field; None removes it)."""
    data: dict[str, Any] = {
        "consent_confirmed": "y",
        "consent_method": "signed_form",
        "consent_given_on": TODAY_ISH,
        "full_name": "Nguyễn Thị Lan",
        "other_names": "Lan",
        "gender": "Feminine",
        "date_of_birth": "2001-02-03",
        "age_at_identification": "",
        "age_band": "",
        "citizenship-0": "VN",
        "education": "PrimaryEducation",
        "languages": "Vietnamese",
        "documents-0-doc_type": "passport",
        "documents-0-issuing_country": "VN",
        "documents-0-number": "C1234567",
        "phone": "+66 81 234 5678",
        "email": "",
        "address": "",
        "family_contacts": "",
        "trafficking_status": "PossibleVictimOfTrafficking",
        "status_decided_by": "NGO",
        "exploitation_type": ["ForcedLabour"],
        "control_method": ["DebtBondage", "WithholdsDocuments"],
        "forced_labour_industry": "A_AgricultureForestryAndFishing",
        "trafficker_relationship": "Acquainted",
        "age_when_trafficked": "",
        "events-0-kind": "Recruitment",
        "events-0-country": "VN",
        "events-0-occurred_on": "2025-06-01",
        "events-0-description": "Offered a job on a farm",
        "identified_on": TODAY_ISH,
        "identification_channel": "outreach",
        "risk_level": "high",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


SUBMISSION_RE = re.compile(r'name="submission" type="hidden" value="([^"]+)"')


def registration_tokens(client: FlaskClient) -> dict[str, str]:
    """The CSRF token and the one-time submission token of a freshly opened registration form."""
    html = client.get("/cases/new").get_data(as_text=True)
    match = SUBMISSION_RE.search(html) or re.search(r'id="submission"[^>]*value="([^"]+)"', html)
    assert match, "no submission token on /cases/new"
    csrf = CSRF_RE.search(html)
    assert csrf, "no CSRF token on /cases/new"
    return {"csrf_token": csrf.group(1) or csrf.group(2), "submission": match.group(1)}


def post_registration(client: FlaskClient, **overrides: Any) -> Any:
    data = registration_data(**overrides)
    if "csrf_token" not in data or "submission" not in data:
        tokens = registration_tokens(client)
        data.setdefault("csrf_token", tokens["csrf_token"])
        data.setdefault("submission", tokens["submission"])
    return client.post("/cases/new", data=data)


def register(client: FlaskClient, **overrides: Any) -> Case:
    """Register through the form and return the new case (asserting it worked)."""
    response = post_registration(client, **overrides)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    case_id = response.headers["Location"].rsplit("/", 1)[-1]
    db.session.expire_all()
    case = db.session.get(Case, __import__("uuid").UUID(case_id))
    assert case is not None
    return case


def form_fields(html: str) -> dict[str, Any]:
    """The values a browser would send with the case form (id "case-form") on `html`."""
    from html.parser import HTMLParser

    start = html.index('id="case-form"')
    html = html[start : html.index("</form>", start)]
    values: dict[str, Any] = {}

    class Parser(HTMLParser):
        select: str | None = None
        several = False
        textarea: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            name = a.get("name")
            if tag == "input" and name:
                kind = a.get("type", "text")
                if kind in ("checkbox", "radio"):
                    if "checked" in a:
                        values.setdefault(name, []).append(a.get("value", "y"))
                else:
                    values[name] = a.get("value") or ""
            elif tag == "select" and name:
                self.select = name
                self.several = "multiple" in a  # a list box sends every option chosen
                values.setdefault(name, [] if self.several else "")
            elif tag == "option" and self.select and "selected" in a:
                if self.several:
                    values[self.select].append(a.get("value") or "")
                else:
                    values[self.select] = a.get("value") or ""
            elif tag == "textarea" and name:
                self.textarea = name
                values[name] = ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "select":
                self.select = None
            if tag == "textarea":
                self.textarea = None

        def handle_data(self, data: str) -> None:
            if self.textarea:
                if not values[self.textarea]:  # browsers drop the newline after <textarea>
                    data = data.removeprefix("\r\n").removeprefix("\n")
                values[self.textarea] += data

    Parser(convert_charrefs=True).feed(html)
    return {
        k: (v[0] if isinstance(v, list) and len(v) == 1 and k == "consent_confirmed" else v)
        for k, v in values.items()
    }


def search(client: FlaskClient, path: str = "/cases", params: dict[str, Any] | None = None) -> Any:
    """Search a case list as a person does: POST the list's form (the term never goes into a
    URL), follow the redirect to the list, return that page."""
    from urllib.parse import urlsplit

    kind = "agency" if path.rstrip("/").endswith("/agency") else "mine"
    data = {"q": "", "search_in": "any", **(params or {})}
    data.setdefault("csrf_token", csrf_token(client, path))
    response = client.post(f"/cases/search?list={kind}", data=data)
    if response.status_code != 303:
        return response
    target = urlsplit(response.headers["Location"])
    return client.get(target.path, query_string=target.query)
