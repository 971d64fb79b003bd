"""Unambiguous byte encodings for associated data and key-derivation contexts."""

from __future__ import annotations

import struct

_LENGTH = struct.Struct(">I")


def length_prefixed(*parts: bytes) -> bytes:
    """Concatenate `parts`, each preceded by its 4-byte big-endian length.

    Plain concatenation would make ("ab", "c") and ("a", "bc") the same associated data, so
    a ciphertext could be accepted in a place it was not written for.
    """
    out = bytearray()
    for part in parts:
        if len(part) > 0xFFFFFFFF:
            raise ValueError("component too long to encode")
        out += _LENGTH.pack(len(part))
        out += part
    return bytes(out)
