"""Per-field cost of casework.crypto's field encryption against bare AES-GCM, side by side.

    .venv/bin/python benchmarks/crypto_bench.py [--iterations 200000] [--rounds 5]

Each case runs for iterations/rounds calls per round, the cases interleaved round by round
so that drift (frequency scaling, other load) hits them alike; the table shows the median
time per call over rounds and its ratio to the baseline. Goal: encrypt_field and
decrypt_field at most 1.5x bare `AESGCM(key).encrypt/decrypt` on the same 40-byte value
(both build the cipher from key bytes and draw a 96-bit nonce, as any field encryption must).
The "prebuilt cipher" rows show the floor: one AESGCM object reused, which a field API
taking key bytes cannot do without caching key objects.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casework.crypto import FieldContext, decrypt_field, encrypt_field, new_data_key

VALUE = b"Nguyen Thi Lan, born 1998, Hai Phong, VN"  # 40 bytes
assert len(VALUE) == 40


def cases() -> dict[str, Callable[[int], None]]:
    key = new_data_key()
    value, text = VALUE, VALUE.decode()
    row, agency = uuid.uuid4(), uuid.uuid4()
    context = FieldContext("persons", "family_name", row, agency)
    nonce = os.urandom(12)
    bare_ct = AESGCM(key).encrypt(nonce, value, None)
    field_ct = encrypt_field(key, value, context)
    cipher = AESGCM(key)
    urandom = os.urandom

    def bare_encrypt(n: int) -> None:
        for _ in range(n):
            AESGCM(key).encrypt(urandom(12), value, None)

    def field_encrypt(n: int) -> None:
        for _ in range(n):
            encrypt_field(key, value, context)

    def field_encrypt_text(n: int) -> None:
        for _ in range(n):
            encrypt_field(key, text, context)

    def field_encrypt_new_context(n: int) -> None:
        for _ in range(n):
            encrypt_field(key, value, FieldContext("persons", "family_name", row, agency))

    def prebuilt_encrypt(n: int) -> None:
        for _ in range(n):
            cipher.encrypt(urandom(12), value, None)

    def bare_decrypt(n: int) -> None:
        for _ in range(n):
            AESGCM(key).decrypt(nonce, bare_ct, None)

    def field_decrypt(n: int) -> None:
        for _ in range(n):
            decrypt_field(key, field_ct, context)

    def prebuilt_decrypt(n: int) -> None:
        for _ in range(n):
            cipher.decrypt(nonce, bare_ct, None)

    return {
        "bare encrypt": bare_encrypt,
        "encrypt_field (bytes)": field_encrypt,
        "encrypt_field (str)": field_encrypt_text,
        "encrypt_field + new FieldContext": field_encrypt_new_context,
        "prebuilt cipher encrypt": prebuilt_encrypt,
        "bare decrypt": bare_decrypt,
        "decrypt_field": field_decrypt,
        "prebuilt cipher decrypt": prebuilt_decrypt,
    }


def measure(iterations: int, rounds: int) -> dict[str, float]:
    """Median nanoseconds per call of each case."""
    runs = cases()
    per_round = max(1, iterations // rounds)
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for run in runs.values():
        run(1000)  # warm up
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            run(per_round)
            samples[name].append((time.perf_counter() - start) / per_round * 1e9)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ns = measure(args.iterations, args.rounds)
    print(f"{args.iterations} calls per case, {len(VALUE)}-byte value, {args.rounds} rounds")
    print(f"{'case':<36}{'ns/call':>10}{'vs bare':>10}")
    for name, value in ns.items():
        baseline = ns["bare decrypt" if "decrypt" in name else "bare encrypt"]
        print(f"{name:<36}{value:>10.0f}{value / baseline:>9.2f}x")
    verdict = [
        ("encrypt", ns["encrypt_field (bytes)"] / ns["bare encrypt"]),
        ("decrypt", ns["decrypt_field"] / ns["bare decrypt"]),
    ]
    for what, ratio in verdict:
        print(f"{what}: {ratio:.2f}x bare ({'within' if ratio <= 1.5 else 'OVER'} the 1.5x goal)")


if __name__ == "__main__":
    main()
