"""The core every feature stands on: the database, the Flask extensions, settings, logs,
locks, server-side sessions and the start-up checks. It imports no feature and no web code.
"""

from __future__ import annotations

from pathlib import Path

VERSION = "0.1.0"
# The repository (or installed tree): templates/, migrations/ and config.py live here.
ROOT = Path(__file__).resolve().parent.parent.parent
