"""The life cycle of work done outside requests: a job (a long operation, a daily run) and a
message in an outbox (an e-mail to send).

Queued work is claimed by one worker (running, with a lease), then succeeds, or goes back to
the queue to be tried again later (a failed attempt with attempts left, or a worker that died
while its lease ran out), or fails for good once its attempts are used up. A person (or an
operator) may queue failed work again.
"""

from __future__ import annotations

from enum import StrEnum

from casework.domain.lifecycle import Transitions


class WorkStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WorkEvent(StrEnum):
    CLAIM = "claim"  # a worker takes it (conditional update: only one wins)
    SUCCEED = "succeed"
    RETRY = "retry"  # an attempt failed and attempts are left: back in the queue, later
    RECOVER = "recover"  # its worker died (lease expired): back in the queue
    FAIL = "fail"  # attempts used up
    RESTART = "restart"  # queued again by a person after it failed


# Not finished: a worker has something to do.
UNFINISHED_WORK_STATUSES = frozenset({WorkStatus.QUEUED, WorkStatus.RUNNING})

WORK_TRANSITIONS = Transitions(
    "work",
    WorkStatus,
    WorkEvent,
    {
        (WorkStatus.QUEUED, WorkEvent.CLAIM): WorkStatus.RUNNING,
        (WorkStatus.RUNNING, WorkEvent.SUCCEED): WorkStatus.SUCCEEDED,
        (WorkStatus.RUNNING, WorkEvent.RETRY): WorkStatus.QUEUED,
        (WorkStatus.RUNNING, WorkEvent.RECOVER): WorkStatus.QUEUED,
        (WorkStatus.RUNNING, WorkEvent.FAIL): WorkStatus.FAILED,
        (WorkStatus.FAILED, WorkEvent.RESTART): WorkStatus.QUEUED,
    },
    initial=[WorkStatus.QUEUED],
)
