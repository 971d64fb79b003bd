"""Federation (issue 17, decision 0170): national installations that trust each other.

* `identity`: this installation's keys (in the keyring) and its signed identity document.
* `models`: the peers directory (address, public keys, fingerprint, what each may send).
* `operations`: add (after the fingerprint ceremony), suspend, resume, remove, follow a key
  rotation; every change audited.
* `client`: fetching a peer's identity document over HTTPS.
* `routes` (/federation): the public identity document, and the administrator's pages.
* `cli`: `flask federation ...`.
"""

from flask import Blueprint

bp = Blueprint("federation", __name__, url_prefix="/federation")

from casework.federation import routes  # noqa: E402,F401 - registers the views
