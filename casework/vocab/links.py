"""How two cases are linked (issue 14, decision 0114). HTCDS 2.0 links a person to an
organisation (a recruitment or exploitation location, a perpetrator's organisation) but has
no code list for links between people's cases, so these codes are the project's own, spelt in
the standard's style."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.vocab.base import Vocabulary

CASE_LINK_KINDS = Vocabulary(
    "case_link_kind",
    [
        ("FamilyMember", _l("Family member")),
        ("SameEventOrPlace", _l("Same event or place of exploitation")),
        ("SameRecruiter", _l("Same recruiter")),
    ],
)
