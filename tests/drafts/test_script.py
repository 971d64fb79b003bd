"""drafts.js keeps what was typed in the page and on the server only: no browser storage
(issue 16: no plaintext in the browser's storage), no inline script (CSP), from our static
folder (no CDN)."""

from __future__ import annotations

import re

from casework import ROOT

SCRIPT = ROOT / "casework" / "static" / "js" / "drafts.js"


def _code() -> str:
    """The script without its comments."""
    text = SCRIPT.read_text(encoding="utf-8")
    return re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", "", text, flags=re.S))


def test_the_script_uses_no_browser_storage() -> None:
    code = _code()
    for storage in ("localStorage", "sessionStorage", "indexedDB", "document.cookie", "caches"):
        assert storage not in code, storage


def test_the_script_sends_values_only_in_request_bodies() -> None:
    code = _code()
    assert "X-CSRFToken" in code
    assert 'method: "POST"' in code
    # The only query string it builds names the form's path, never a value.
    assert re.findall(r'"\?[a-z]+="', code) == ['"?form="']
