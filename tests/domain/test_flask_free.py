"""casework.domain and casework.policy load without Flask: codes and permissions are plain
Python, testable and reusable on their own (a command, a worker, another service)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Flask and its extensions refuse to load; the package's own __init__ (the application
# factory, which needs Flask) is skipped, so only the modules under test and what they import
# are loaded.
PROBE = textwrap.dedent(
    """
    import importlib.abc, sys, types

    BLOCKED = ("flask", "flask_babel", "flask_sqlalchemy", "flask_login", "flask_wtf", "wtforms",
               "werkzeug", "jinja2")

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{name} imported")
            return None

    sys.meta_path.insert(0, Refuse())
    package = types.ModuleType("casework")
    package.__path__ = [sys.argv[1] + "/casework"]
    sys.modules["casework"] = package

    import casework.domain as domain
    import casework.policy as policy

    assert domain.REFERRAL_TRANSITIONS.transition("pending", "accept") == "accepted"
    assert policy.can(None, policy.Action.VIEW_CASE) is False
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    assert not loaded, loaded
    print("ok")
    """
)


def test_domain_and_policy_import_without_flask() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_domain_modules_import_only_the_standard_library_and_each_other() -> None:
    """Stricter than 'no Flask': the domain holds codes and tables, nothing else."""
    import ast

    allowed_roots = {"__future__", "collections", "enum", "typing", "dataclasses", "casework"}
    for path in sorted((ROOT / "casework" / "domain").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed_roots, f"{path.name} imports {name}"
                if name.startswith("casework"):
                    assert name.startswith("casework.domain"), f"{path.name} imports {name}"
