"""The agency a case is handed to (a referral, a transfer): another agency, active."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _

from casework.agencies.models import Agency
from casework.core.db import parse_uuid
from casework.core.errors import OperationError
from casework.core.extensions import db


def other_active_agency(
    owner_id: uuid.UUID, agency_id: Any, error: type[OperationError] = OperationError
) -> Agency:
    """The active agency `agency_id` names, if it is not the owner `owner_id`; otherwise
    `error` (the feature's own input error) on the form's `to_agency_id` field."""
    ident = parse_uuid(agency_id)
    agency = db.session.get(Agency, ident) if ident else None
    if agency is None or not agency.active:
        raise error(_("Choose an active agency."), "to_agency_id")
    if agency.id == owner_id:
        raise error(_("Choose another agency than the one that owns the case."), "to_agency_id")
    return agency
