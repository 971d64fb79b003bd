"""What a signed-in role can reach: every link and form, found by following the pages the way a
person (or a scanner) does, from the start page. Built from the live HTML, so endpoints added
later are fuzzed without changing the fuzz tests; one page per route (from `app.url_map`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

# Never submitted: they end or change the session the fuzzing runs in.
SKIPPED = ("/sign-out", "/language", "/sign-in/cancel", "/static/", "/bootstrap/")


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str  # path with query string
    page: str  # where it was found
    endpoint: str
    fields: list[Field] = field(default_factory=list)

    @property
    def csrf(self) -> str | None:
        return next((f.value for f in self.fields if f.name == "csrf_token"), None)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[str, str, list[Field]]] = []
        self._form: list[Field] | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = []
            self.forms.append((a.get("method", "get").upper(), a.get("action", ""), self._form))
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind not in {"submit", "button", "reset", "image"}:
                self._form.append(Field(a["name"], kind, a.get("value", "")))
        elif tag == "textarea":
            self._form.append(Field(a["name"], "textarea"))
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.append(self._select)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def endpoint_of(app: Flask, url: str, method: str = "GET") -> str | None:
    try:
        endpoint, _ = app.url_map.bind("localhost").match(urlsplit(url).path, method=method)
    except HTTPException:
        return None
    return str(endpoint)


@dataclass
class Reach:
    pages: dict[str, str] = field(default_factory=dict)  # endpoint -> one URL
    links: list[str] = field(default_factory=list)  # GET URLs with a query string
    forms: list[Form] = field(default_factory=list)


def discover(app: Flask, client: FlaskClient, start: str = "/", limit: int = 150) -> Reach:
    """Follow links from `start`; one page per route; collect links with queries and forms."""
    reach = Reach()
    queue, seen = [start], set()
    form_keys: set[tuple[str, str]] = set()
    while queue and len(seen) < limit:
        url = queue.pop(0).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or url in seen or parts.path.startswith(SKIPPED):
            continue
        seen.add(url)
        endpoint = endpoint_of(app, url)
        if endpoint is None:
            continue
        if parts.query and url not in reach.links and len(reach.links) < 60:
            reach.links.append(url)
        if endpoint in reach.pages:
            continue
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        reach.pages[endpoint] = url
        page = _Page()
        page.feed(response.get_data(as_text=True))
        for href in page.links:
            queue.append(urljoin(url, href))
        for method, action, fields in page.forms:
            target = urljoin(url, action) if action else url
            target_parts = urlsplit(target)
            if target_parts.path.startswith(SKIPPED):
                continue
            path = target_parts.path + (f"?{target_parts.query}" if target_parts.query else "")
            form_endpoint = endpoint_of(app, path, method if method == "POST" else "GET")
            if form_endpoint is None or (method, form_endpoint) in form_keys:
                continue
            form_keys.add((method, form_endpoint))
            reach.forms.append(Form(method, path, url, form_endpoint, fields))
    return reach


def query_fields(url: str) -> list[Field]:
    return [Field(name, "text", value) for name, value in parse_qsl(urlsplit(url).query, True)]
