"""Exports with metadata, the signed release package and `flask release verify`."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.encryption import keys
from casework.reports.exports import (
    LabelledTable,
    ReportDocument,
    to_csv,
    to_json,
    to_xlsx,
)
from casework.reports.package import (
    VerificationError,
    build_package,
    public_key_pem,
    verify_package,
)

METADATA = {
    "report": "Quarterly regional report",
    "scope": "Region",
    "period": "2026-Q1",
    "k": 10,
    "rounding_base": 5,
    "epsilon": None,
    "software_version": "0.1.0",
}


def document() -> ReportDocument:
    table = LabelledTable(
        template="victims_by_gender",
        title="Victims identified, by gender",
        row_heading="Gender",
        column_heading="Month",
        row_codes=("F", "M", "_total"),
        row_labels=("Female", "=cmd|' /C calc'!A0", "Total"),
        column_codes=("2026-01", "_total"),
        column_labels=("January 2026", "Total"),
        values=((15, 15), (None, None), (20, 20)),
        notes=("2 cells are hidden (x).",),
        release_id="r1",
    )
    return ReportDocument(
        title="Quarterly regional report",
        generated_at=datetime(2026, 4, 2, 9, 30, tzinfo=UTC),
        metadata=METADATA,
        tables=(table,),
    )


def test_csv_has_metadata_hidden_marks_and_no_formulas() -> None:
    text = to_csv(document()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["k", "10"] in rows
    assert ["rounding_base", "5"] in rows
    assert ["generated_at", "2026-04-02T09:30:00+00:00"] in rows
    assert ["'=cmd|' /C calc'!A0", "x", "x"] in rows
    assert ["Female", "15", "15"] in rows


def test_json_has_metadata_and_nulls_for_hidden_cells() -> None:
    data = json.loads(to_json(document()))
    assert data["metadata"]["k"] == 10
    assert data["metadata"]["epsilon"] is None
    assert data["tables"][0]["values"][1] == [None, None]
    assert data["tables"][0]["rows"][0] == {"code": "F", "label": "Female"}


def test_xlsx_is_a_workbook_with_metadata_and_same_bytes_each_time() -> None:
    data = to_xlsx(document())
    assert data == to_xlsx(document())
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        assert "software_version" in strings
        assert "rounding_base" in strings
        assert ">x<" in strings


def package(key: Ed25519PrivateKey) -> bytes:
    doc = document()
    files = {"report.csv": to_csv(doc), "report.xlsx": to_xlsx(doc), "report.json": to_json(doc)}
    return build_package(files, METADATA, key)


def rezip(data: bytes, change: dict[str, bytes | None]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in change:
                replacement = change[info.filename]
                if replacement is not None:
                    dst.writestr(info, replacement)
            else:
                dst.writestr(info, src.read(info))
        for name, content in change.items():
            if name not in src.namelist() and content is not None:
                dst.writestr(name, content)
    return out.getvalue()


def test_package_verifies_and_is_reproducible() -> None:
    key = Ed25519PrivateKey.generate()
    data = package(key)
    assert data == package(key)
    result = verify_package(data, key.public_key())
    assert result.files == ("report.csv", "report.json", "report.xlsx")
    assert result.manifest["metadata"]["period"] == "2026-Q1"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"report.csv": b"k,9\r\n"}, "report.csv has been changed"),
        ({"report.json": None}, "missing"),
        ({"extra.txt": b"hello"}, "extra"),
        ({"manifest.json": b'{"format": "casework-release/1", "files": {}}'}, "signature"),
        ({"manifest.sig": b"AAAA\n"}, "signature"),
        ({"manifest.sig": None}, "missing"),
    ],
)
def test_tampered_packages_fail(change: dict[str, bytes | None], message: str) -> None:
    key = Ed25519PrivateKey.generate()
    with pytest.raises(VerificationError, match=message):
        verify_package(rezip(package(key), change), key.public_key())


def test_package_signed_by_another_key_fails() -> None:
    with pytest.raises(VerificationError, match="signature"):
        verify_package(
            package(Ed25519PrivateKey.generate()), Ed25519PrivateKey.generate().public_key()
        )


@settings(max_examples=30, deadline=None)
@given(position=st.integers(0, 10**9), flip=st.integers(1, 255))
def test_any_changed_byte_fails_verification(position: int, flip: int) -> None:
    key = Ed25519PrivateKey.generate()
    data = bytearray(package(key))
    data[position % len(data)] ^= flip
    with pytest.raises(VerificationError):
        verify_package(bytes(data), key.public_key())


def test_not_a_zip_fails() -> None:
    with pytest.raises(VerificationError, match="not a zip"):
        verify_package(b"hello", Ed25519PrivateKey.generate().public_key())


def test_cli_verifies_with_the_instance_key_and_a_given_pem(app: Flask, tmp_path: Path) -> None:
    signing = keys.keyring().signing_private_key()
    good = tmp_path / "release.zip"
    good.write_bytes(package(signing))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["release", "verify", str(good)])
    assert result.exit_code == 0, result.output
    assert "Release verified" in result.output

    shown = runner.invoke(args=["release", "public-key"])
    assert shown.exit_code == 0
    pem = shown.output.split("Fingerprint")[0]
    assert pem == public_key_pem(signing.public_key())
    pem_file = tmp_path / "key.pem"
    pem_file.write_text(pem)
    result = runner.invoke(args=["release", "verify", str(good), "--public-key", str(pem_file)])
    assert result.exit_code == 0, result.output

    bad = tmp_path / "tampered.zip"
    bad.write_bytes(rezip(good.read_bytes(), {"report.csv": b"k,9\r\n"}))
    result = runner.invoke(args=["release", "verify", str(bad)])
    assert result.exit_code == 1
    assert "NOT verified" in result.output
