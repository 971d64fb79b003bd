"""casework.crypto stays framework-independent: no Flask, SQLAlchemy or Fernet inside."""

from __future__ import annotations

import ast
from pathlib import Path

import casework

PACKAGE = Path(casework.__file__).parent / "crypto"
FORBIDDEN = ("flask", "werkzeug", "sqlalchemy", "flask_sqlalchemy", "sqlalchemy_utils")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_framework_imports() -> None:
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        for name in imported_modules(path):
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
            assert "fernet" not in name.lower(), f"{path.name} uses Fernet"
