"""The jobs a person started: a list, one job's progress (also as JSON for the page's
script), and "try again" for a failed one."""

from __future__ import annotations

import uuid

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from casework.core.extensions import db
from casework.domain import WORK_TRANSITIONS, WorkEvent
from casework.jobs import api, bp, registry
from casework.jobs.models import Job
from casework.policy import Action
from casework.web.access import deny, permission
from casework.web.forms import ConfirmForm
from casework.web.views import paginate


def _own_job(job_id: uuid.UUID) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    if job.started_by_id != current_user.id:
        deny(Action.VIEW_OWN_JOBS, job)
    return job


def job_label(name: str) -> str:
    spec = registry.JOBS.get(name)
    return str(spec.label) if spec is not None else name


@bp.route("/")
@permission(Action.VIEW_OWN_JOBS)
def list_jobs() -> str:
    return render_template(
        "jobs/list.html", page=paginate(api.jobs_of(current_user.id)), job_label=job_label
    )


@bp.route("/<uuid:job_id>")
@permission(Action.VIEW_OWN_JOBS)
def view_job(job_id: uuid.UUID) -> str:
    job = _own_job(job_id)
    may_restart = WORK_TRANSITIONS.allows(job.status, WorkEvent.RESTART)
    spec = registry.JOBS.get(job.name)
    labels = spec.result_labels if spec is not None else {}
    results = [
        (str(labels.get(key, key)), value) for key, value in sorted((job.result or {}).items())
    ]
    return render_template(
        "jobs/view.html",
        job=job,
        job_label=job_label,
        form=ConfirmForm(),
        may_restart=may_restart,
        results=results,
    )


@bp.route("/<uuid:job_id>/progress")
@permission(Action.VIEW_OWN_JOBS)
def job_progress(job_id: uuid.UUID) -> Response:
    job = _own_job(job_id)
    return jsonify(
        status=job.status,
        done=job.progress_done,
        total=job.progress_total,
        percent=job.percent,
    )


@bp.route("/<uuid:job_id>/restart", methods=["POST"])
@permission(Action.VIEW_OWN_JOBS)
def restart_job(job_id: uuid.UUID) -> Response:
    job = _own_job(job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not WORK_TRANSITIONS.allows(job.status, WorkEvent.RESTART):
        flash(_("Only a job that failed can be tried again."), "warning")
    else:
        api.restart_job(job)
        flash(_("The job will be tried again."), "success")
    return redirect(url_for("jobs.view_job", job_id=job.id), 303)
