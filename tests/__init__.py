"""Casework's test suite. Importing it first gives an xdist worker services of its own
(tests/workers.py, decision 0051), before any module reads the environment."""

from tests.workers import isolate_worker

isolate_worker()
