"""Casework: case management for agencies that assist victims of human trafficking.

Importing the package loads nothing but the standard library: `casework.crypto`, the policy
and the domain codes can be used without Flask. `create_app` (in `casework.app`) is loaded on
first use, so `from casework import create_app` still works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from casework.core import ROOT, VERSION

if TYPE_CHECKING:
    from casework.app import create_app

__version__ = VERSION
__all__ = ["ROOT", "__version__", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from casework.app import create_app

        return create_app
    raise AttributeError(f"module 'casework' has no attribute {name!r}")
