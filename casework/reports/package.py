"""The signed regional release: a zip of the CSV, XLSX and JSON exports and a manifest.

`manifest.json` lists every file with its size and SHA-256 and the release's metadata;
`manifest.sig` is the Ed25519 signature of the manifest's exact bytes by the instance's
signing key (part of the keyring). `verify_package` checks the signature, that the zip holds
exactly the files the manifest lists, and each file's hash: any change, addition or removal
fails. Entries are stored uncompressed with a fixed date, in a fixed order, so the same
release always gives the same bytes; verification rebuilds the archive from the verified
files and compares it byte for byte, so a change to the zip container itself (a header, a
comment, a date) fails too.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "casework-release/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
MAX_MEMBER_BYTES = 50 * 1024 * 1024  # far above any release; stops a zip bomb
MAX_MEMBERS = 16


class VerificationError(Exception):
    """The package is not an intact release signed by the expected key."""


@dataclass(frozen=True)
class VerifiedRelease:
    manifest: dict[str, Any]
    files: tuple[str, ...]


def public_key_fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, in hex groups, for reading out over the phone."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()
    return ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        raise VerificationError("the public key file is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise VerificationError("the public key is not an Ed25519 key")
    return key


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, FIXED_DATE)
    info.compress_type = zipfile.ZIP_STORED  # deflate output may differ between zlib builds
    info.external_attr = 0o644 << 16
    return info


def build_package(
    files: dict[str, bytes], metadata: dict[str, Any], signing_key: Ed25519PrivateKey
) -> bytes:
    """The signed zip of `files` (name -> bytes) with `metadata` in its manifest."""
    if MANIFEST in files or SIGNATURE in files:
        raise ValueError("file names clash with the manifest")
    manifest = {
        "format": FORMAT,
        "metadata": metadata,
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted(files.items())
        },
        "signing_key_fingerprint": public_key_fingerprint(signing_key.public_key()),
    }
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    signature = base64.b64encode(signing_key.sign(manifest_bytes)) + b"\n"
    return _archive(manifest_bytes, signature, files)


def _archive(manifest: bytes, signature: bytes, files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(_entry(MANIFEST), manifest)
        archive.writestr(_entry(SIGNATURE), signature)
        for name, data in sorted(files.items()):
            archive.writestr(_entry(name), data)
    return out.getvalue()


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_MEMBER_BYTES:
        raise VerificationError(f"{info.filename} is too large")
    with archive.open(info) as handle:
        data = handle.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise VerificationError(f"{info.filename} is too large")
    return data


def verify_package(data: bytes, public_key: Ed25519PublicKey) -> VerifiedRelease:
    """Check a release package; `VerificationError` names the first problem found."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise VerificationError("not a zip file") from None
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if len(infos) > MAX_MEMBERS:
            raise VerificationError("too many files in the package")
        if len(set(names)) != len(names):
            raise VerificationError("the package holds two files of the same name")
        members = {info.filename: info for info in infos}
        if MANIFEST not in members or SIGNATURE not in members:
            raise VerificationError("the manifest or its signature is missing")
        try:
            contents = {name: _read(archive, info) for name, info in members.items()}
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            NotImplementedError,
            RuntimeError,
            ValueError,
        ):
            # A damaged or unusual archive (bad compressed data, encryption, odd methods).
            raise VerificationError("the zip file is damaged") from None
    manifest_bytes = contents.pop(MANIFEST)
    signature_bytes = contents.pop(SIGNATURE)
    try:
        signature = base64.b64decode(signature_bytes.strip(), validate=True)
        public_key.verify(signature, manifest_bytes)
    except (InvalidSignature, ValueError):
        raise VerificationError(
            "the signature does not match the manifest (changed, or signed by another key)"
        ) from None
    # Signed, so written by the key holder; still checked, never trusted blindly.
    manifest = json.loads(manifest_bytes)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise VerificationError("unknown package format")
    listed = manifest.get("files")
    if not isinstance(listed, dict) or not all(
        isinstance(e, dict) and {"size", "sha256"} <= set(e) for e in listed.values()
    ):
        raise VerificationError("unknown package format")
    if set(listed) != set(contents):
        extra = sorted(set(contents) - set(listed))
        missing = sorted(set(listed) - set(contents))
        raise VerificationError(f"files differ from the manifest: extra {extra}, missing {missing}")
    for name, entry in sorted(listed.items()):
        data_bytes = contents[name]
        if (
            len(data_bytes) != entry["size"]
            or hashlib.sha256(data_bytes).hexdigest() != entry["sha256"]
        ):
            raise VerificationError(f"{name} has been changed since the release was signed")
    if _archive(manifest_bytes, signature_bytes, contents) != data:
        raise VerificationError("the zip container has been altered (its files are intact)")
    return VerifiedRelease(manifest=manifest, files=tuple(sorted(listed)))
