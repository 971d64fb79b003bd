"""`flask --app wsgi seed --cases N [--seed S]`: a realistic case load (refused in production)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm


@click.command("seed")
@click.option("--cases", "count", type=click.IntRange(1, 10_000_000), required=True)
@click.option("--seed", "seed", type=int, default=2026, show_default=True, help="Random seed.")
@click.option("--batch", "batch_size", type=click.IntRange(100, 50_000), default=2000)
@with_appcontext
def seed_command(count: int, seed: int, batch_size: int) -> None:
    """Generate COUNT realistic, encrypted cases with referrals, services and consents."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Generated data is refused in production.")
    from casework.devdata.seed.loader import seed_cases

    started = time.perf_counter()
    with tqdm(total=count, unit="case", desc="Seeding", disable=None) as bar:
        written = seed_cases(count, seed=seed, batch_size=batch_size, progress=bar.update)
    elapsed = time.perf_counter() - started
    click.echo(f"Seeded {count} cases ({written} rows) in {elapsed:.1f} s.")
