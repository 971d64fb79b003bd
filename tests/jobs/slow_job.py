"""A job for the tests: counts `steps` slowly, one checkpoint per step, carrying on from the
last checkpoint when it is resumed (as every real job does with what is left to do)."""

from __future__ import annotations

import time

from casework.jobs import registry
from casework.jobs.context import JobContext

COUNT_SLOWLY = "tests.count_slowly"


@registry.job(COUNT_SLOWLY, label="Count slowly (tests)", max_attempts=3, retry_seconds=0.1)
def count_slowly(ctx: JobContext) -> dict[str, int]:
    steps = int(ctx.arguments["steps"])
    first = ctx.done
    ctx.set_remaining(steps - first)
    ctx.checkpoint()
    for _ in range(first, steps):
        time.sleep(float(ctx.arguments.get("pause", 0.3)))
        ctx.advance()
        ctx.checkpoint()
    return {"resumed_from": first, "counted": steps - first}
