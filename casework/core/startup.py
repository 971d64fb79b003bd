"""Checks at start: refuse clearly, naming the problem, rather than fail on a later request.

The folders the application writes to (encrypted attachments, local session files, a SQLite
database) are probed with a small write that is flushed to disk: a full disk, a read-only
mount or a missing permission stops the start with a one-line reason.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from config import ConfigError

PROBE_BYTES = 4096  # one page: enough that a full filesystem refuses it


def folders_written(app: Flask) -> dict[str, Path]:
    """Each setting that names a folder the app writes to, with that folder."""
    cfg = app.config
    folders = {"ATTACHMENT_DIR": Path(cfg["ATTACHMENT_DIR"])}
    # Sessions live in files without Redis, and while Redis is down (session_store); tests
    # keep them in memory.
    if not cfg["TESTING"] and cfg.get("SESSION_TYPE") in (None, "redis", "cachelib"):
        folders["SESSION_FILE_DIR"] = Path(cfg["SESSION_FILE_DIR"])
    url = make_url(cfg["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folders["DATABASE_URL (SQLite folder)"] = Path(str(url.database)).resolve().parent
    return folders


def probe_folder(folder: Path) -> str | None:
    """None if a page can be written (and flushed) in `folder`, else the reason in words."""
    probe = folder / f".write-check-{secrets.token_hex(6)}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(descriptor, b"\0" * PROBE_BYTES)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as error:
        return _reason(error)
    finally:
        with contextlib.suppress(OSError):  # the reason above is the one to report
            probe.unlink(missing_ok=True)
    return None


def _reason(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full (no space left on the device)"
    if error.errno == errno.EROFS:
        return "the filesystem is read-only"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return error.strerror or type(error).__name__


def check_folders(app: Flask) -> None:
    """Refuse to start when a folder the application writes to cannot be written."""
    problems = [
        f"cannot write to {setting} {str(folder)!r}: {reason}"
        for setting, folder in folders_written(app).items()
        if (reason := probe_folder(folder)) is not None
    ]
    if problems:
        raise ConfigError("Refusing to start: " + "; ".join(problems))


def secure_sqlite_file(app: Flask) -> None:
    """A SQLite database file readable by its owner only (0600): created so before SQLite
    would create it world-readable (0644 under the usual umask), tightened if it exists.
    SQLite gives its journal and WAL files the database file's permissions."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    if str(url.database).startswith("file:"):
        return  # a URI filename: opened as SQLite decides
    path = Path(str(url.database)).resolve()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    else:
        os.close(descriptor)  # an empty file is an empty SQLite database
