"""The manifest written beside each dump, and the checks made on it before a restore."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

FORMAT = "casework-backup-1"
SUFFIXES = {"postgresql": ".pgdump", "sqlite": ".sqlite3"}


class BackupError(Exception):
    """A backup or restore that must not go ahead; the message says why, in words."""


@dataclass(frozen=True)
class Manifest:
    format: str
    dialect: str
    file: str
    bytes: int
    sha256: str
    created_at: str
    revision: str | None
    key_ids: list[str]
    app_version: str
    # The blind-index key the dump's search indexes were computed with (manifests written
    # before it was recorded have none, and are not checked for it).
    index_key_id: str | None = None
    # Every blind-index key the dump's indexes may be under: two while a `keys rotate-index`
    # is unfinished (decision 0077), else the one above (None in manifests written before).
    index_key_ids: list[str] | None = None
    # Attachments whose content is in the dump, and those still files on disk that it does not
    # carry (decision 0073; None in manifests written before).
    attachments: int | None = None
    attachments_on_disk: int | None = None

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")
        path.chmod(0o600)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            document = json.loads(path.read_text())
        except FileNotFoundError:
            raise BackupError(f"no manifest {str(path)!r} beside the dump") from None
        except (OSError, ValueError) as exc:
            raise BackupError(f"manifest {str(path)!r} cannot be read ({exc})") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise BackupError(f"{str(path)!r} is not a {FORMAT} manifest")
        optional = {"index_key_id", "index_key_ids", "attachments", "attachments_on_disk"}
        try:
            return cls(
                **{
                    name: document[name]
                    for name in cls.__dataclass_fields__
                    if name not in optional or name in document
                }
            )
        except KeyError as missing:
            raise BackupError(f"manifest {str(path)!r} lacks {missing}") from None


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".json")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_dump(dump: Path, manifest: Manifest) -> None:
    """The dump is the one the manifest describes: same size and SHA-256."""
    if not dump.is_file():
        raise BackupError(f"dump {str(dump)!r} does not exist")
    size = dump.stat().st_size
    if size != manifest.bytes or sha256_of(dump) != manifest.sha256:
        raise BackupError(
            f"dump {str(dump)!r} does not match its manifest ({size} bytes, expected "
            f"{manifest.bytes}, or a different SHA-256): it is damaged or not this backup"
        )
