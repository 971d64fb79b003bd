"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from casework import create_app

app = create_app()
