"""Accounts that need a second person's approval (decision 0056): a new case-handling account,
a changed one, a second factor's reset. Supervisors decide for their agency; another
administrator where no supervisor can. An administrator never sees or sets a credential."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/accounts")

from casework.accounts import routes  # noqa: E402,F401
