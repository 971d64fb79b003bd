"""Field-level encryption wired into the application and its models.

`casework.crypto` holds the primitives (no Flask, no SQLAlchemy). This package binds them to
the app: the keyring is found through the current app at use (never at import), data keys
live wrapped in `data_keys`, and `encrypted()` makes a model attribute that is stored
encrypted and read as ordinary text.
"""
