"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import sys

from casework import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as refusal:
    # A refusal to start (weak production settings, unreadable keys, a full disk) is one
    # clear line for the operator, not a traceback. Exit status 3 is gunicorn's "worker
    # failed to boot", so the server stops instead of restarting workers forever.
    print(f"casework: {refusal}", file=sys.stderr)
    raise SystemExit(3) from None
