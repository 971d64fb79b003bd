"""`keys rotate-index` and `keys rotate` killed at random points and run again, while people's
names are edited and searched (issue 13, items 1 and 2): every person is findable at every
moment and after the end; every case decrypts.

The audit: an interrupted `rotate-index` left 20,013 people and 9,019 documents unfindable
until someone ran it again, and names edited during a `rotate-index` (2 of 494) could never be
found. Here the command runs in a process of its own (slowed: a few records per batch, each
batch a little late, so that a kill lands inside its work), is killed with SIGKILL at a random
moment, several times, then run to its end; meanwhile this process, like a running app (its
keyring re-read when the key file changes), edits a name and then looks every person up by
name, over and over.

The random moments come from a seed printed on failure (`KILL_SEED=<n>` repeats a run).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from casework import ROOT
from casework.backup.verify import verify_database
from casework.cases import queries
from casework.cases.models import Case, Person
from casework.core.extensions import db
from tests import factories
from tests.faults.test_key_custody import ctx as ctx
from tests.faults.test_key_custody import keyed_app  # noqa: F401 - shared fixture
from tests.test_migrations import postgres_scratch_url  # noqa: F401 - shared fixture

PEOPLE = 24
KILLS = 4
SLOW = 0.4  # seconds per batch of 4 records in the killed process
# How long a whole run takes in the slowed process, about (start, two waits for running apps
# to read the key file, the recompute): kills fall anywhere in it.
LONGEST = {"rotate-index": 11.0, "rotate": 6.0}


@dataclass
class Watch:
    """What the "running app" did and saw while the command ran."""

    names: dict[uuid.UUID, str]
    rng: random.Random
    edits: int = 0
    searches: int = 0
    misses: list[str] = field(default_factory=list)

    def edit_one(self, when: str) -> None:
        case_id = self.rng.choice(sorted(self.names))
        person = db.session.scalars(select(Person).where(Person.case_id == case_id)).one()
        self.edits += 1
        name = f"Edited Person{self.edits}"
        person.full_name = name
        db.session.commit()
        self.names[case_id] = name

    def look_everyone_up(self, when: str) -> None:
        db.session.rollback()
        for case_id, name in self.names.items():
            self.searches += 1
            found = queries._indexed(Person, "full_name", name)
            if case_id not in found:
                self.misses.append(f"{when}: {name!r} (case {case_id}) not found")
        db.session.rollback()

    def while_running(self, process: subprocess.Popen[str], until: float, when: str) -> None:
        while process.poll() is None and time.monotonic() < until:
            self.edit_one(when)
            self.look_everyone_up(when)


def keys_process(app: Flask, *command: str, slow: float = SLOW) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.faults.keys_main",
            app.config["INSTANCE_DIR"],
            app.config["SQLALCHEMY_DATABASE_URI"],
            str(slow),
            *command,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def watch(ctx: Flask) -> Iterator[Watch]:
    seed = int(os.environ.get("KILL_SEED") or random.SystemRandom().randrange(10**6))
    agency = factories.make_agency()
    names = {}
    for n in range(PEOPLE):
        case = factories.make_case(agency, full_name=f"Person Number{n}")
        names[case.id] = f"Person Number{n}"
    db.session.commit()
    result = Watch(names, random.Random(seed))
    yield result
    print(
        f"\nFIGURES seed={seed} edits={result.edits} searches={result.searches} "
        f"misses={len(result.misses)}"
    )


def run_killed_then_finished(
    ctx: Flask, watch: Watch, command: str
) -> tuple[list[float], list[str], int]:
    """`command` killed KILLS times at random moments, then run until it finishes; the
    "app" edits and searches throughout. (kill moments, outputs, runs to finish)."""
    moments = []
    outputs = []
    for _ in range(KILLS):
        moment = watch.rng.uniform(0.5, LONGEST[command])
        process = keys_process(ctx, command, "--no-progress")
        watch.while_running(process, time.monotonic() + moment, f"{command} before a kill")
        if process.poll() is None:
            process.kill()
            moments.append(round(moment, 1))
        outputs.append(process.communicate(timeout=60)[0])
        watch.look_everyone_up(f"after {command} was killed")
    for run in range(1, 4):
        process = keys_process(ctx, command, "--no-progress")
        watch.while_running(process, float("inf"), f"{command} run to its end")
        outputs.append(process.communicate(timeout=60)[0])
        if process.returncode == 0 and (command != "rotate" or "Nothing is left" in outputs[-1]):
            return moments, outputs, run
    raise AssertionError(f"{command} never finished: {outputs[-1]}")


def key_file(app: Flask) -> dict[str, Any]:
    return json.loads(Path(app.config["KEY_FILE"]).read_text())  # type: ignore[no-any-return]


def test_rotate_index_killed_at_random_points_leaves_no_one_unfindable(
    ctx: Flask, watch: Watch
) -> None:
    moments, outputs, runs = run_killed_then_finished(ctx, watch, "rotate-index")
    for output in outputs:
        assert "Traceback" not in output, output
        assert "CRASH" not in output, output
    watch.edit_one("after the end")
    watch.look_everyone_up("after the end")
    assert watch.misses == [], (moments, watch.misses[:10])
    # Finished: one index key again, and every index is the current key's.
    document = key_file(ctx)
    assert "next_index_key" not in document
    assert "previous_index_key" not in document
    verified = verify_database()
    assert verified.stale_indexes == []
    assert verified.unreadable == []
    assert verified.indexes_checked >= PEOPLE
    print(f"\nFIGURES rotate-index kills at {moments} s; runs to finish {runs}")


def test_rotate_killed_at_random_points_loses_nothing(ctx: Flask, watch: Watch) -> None:
    moments, outputs, runs = run_killed_then_finished(ctx, watch, "rotate")
    for output in outputs:
        assert "Traceback" not in output, output
        assert "CRASH" not in output, output
    watch.look_everyone_up("after the end")
    assert watch.misses == [], (moments, watch.misses[:10])
    db.session.expire_all()
    for case_id, name in watch.names.items():
        case = db.session.get_one(Case, case_id)
        assert case.person is not None
        assert case.person.full_name == name
    db.session.rollback()
    print(f"\nFIGURES rotate kills at {moments} s; runs to finish {runs}")
