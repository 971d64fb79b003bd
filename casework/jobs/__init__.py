"""Work outside requests: a job queue (Huey, decision 0150) over our own tables.

The durable truth is in our tables (`jobs`, and each feature's outbox such as
`outbound_emails`), written in the same transaction as the change; the queue carries ids and
delivers them idempotently; a sweeper puts back whatever was left behind. See `api` for what
features call, `engine` for the modes (eager, in-process, worker), `runner` and `sweeper`.
The blueprint `jobs` (/jobs) shows a person the jobs they started and their progress.
"""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

from casework.jobs import routes  # noqa: E402,F401 - registers the views
