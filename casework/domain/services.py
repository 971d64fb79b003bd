"""A service record's life cycle.

A service is planned, then in progress, and ends completed or discontinued. Recording a
counselling session starts a planned service. An ended service can be taken up again (in
progress), so a provider can correct a record or resume a service; it never goes back to
planned once it has left it (sessions and a start date may hang on it). A new record may
start in any status: providers also record services delivered before they were entered.
See docs/decisions/0042-service-record-life-cycle.md.
"""

from __future__ import annotations

from enum import StrEnum

from casework.domain.lifecycle import Transitions


class ServiceStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"


class ServiceEvent(StrEnum):
    START = "start"
    COMPLETE = "complete"
    DISCONTINUE = "discontinue"
    RESUME = "resume"  # an ended service taken up again


# Not yet ended: still something to do (dashboard tasks, due dates).
UNFINISHED_SERVICE_STATUSES = frozenset({ServiceStatus.PLANNED, ServiceStatus.IN_PROGRESS})

SERVICE_TRANSITIONS = Transitions(
    "service record",
    ServiceStatus,
    ServiceEvent,
    {
        (ServiceStatus.PLANNED, ServiceEvent.START): ServiceStatus.IN_PROGRESS,
        **{
            (s, ServiceEvent.COMPLETE): ServiceStatus.COMPLETED for s in UNFINISHED_SERVICE_STATUSES
        },
        **{
            (s, ServiceEvent.DISCONTINUE): ServiceStatus.DISCONTINUED
            for s in UNFINISHED_SERVICE_STATUSES
        },
        (ServiceStatus.COMPLETED, ServiceEvent.RESUME): ServiceStatus.IN_PROGRESS,
        (ServiceStatus.DISCONTINUED, ServiceEvent.RESUME): ServiceStatus.IN_PROGRESS,
    },
    initial=list(ServiceStatus),
)
