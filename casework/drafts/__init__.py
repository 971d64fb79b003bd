"""Drafts of forms (issue 16, decision 0110): what a person types into a long form is saved
as they type (by `static/js/drafts.js`), encrypted under the draft's own data key, readable by
its author only, offered again when they return to the form (or from the dashboard), and
discarded when the form is saved or after `DRAFT_RETENTION_HOURS`.

The blueprint `drafts` (/drafts) answers the script: save, find, discard, and the keep-alive
that lets typing count as activity for the idle timeout.
"""

from flask import Blueprint

bp = Blueprint("drafts", __name__, url_prefix="/drafts")

from casework.drafts import routes  # noqa: E402,F401 - registers the views
