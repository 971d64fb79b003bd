"""Exceptions raised by casework.crypto.

Messages name the problem and, where useful, a key id or a file path; they never include
plaintext, ciphertext or key bytes, because exception text ends up in logs and error reports.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base class for every error raised by casework.crypto."""


class IntegrityError(CryptoError):
    """A ciphertext did not authenticate: wrong key, tampered, truncated or moved elsewhere.

    Not to be confused with `sqlalchemy.exc.IntegrityError` (a constraint violation).
    """


class KeyNotFound(CryptoError):
    """A ciphertext or wrapped key names a key id that the keyring does not hold."""


class KeyringError(CryptoError):
    """Key material is missing or malformed, or a keyring operation is not allowed."""


class ShreddedError(CryptoError):
    """The record's data key has been destroyed, so its fields and files are gone for good."""


class FileTooLarge(CryptoError):
    """An attachment exceeds the size limit it was encrypted or decrypted under."""
