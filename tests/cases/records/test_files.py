"""files.clean: the type from the content, a metadata-free copy, bombs and fakes refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from casework.cases.attachments.files import JPEG, PDF, PNG, FileRefused, clean, sniff
from tests.cases.records.conftest import pdf_with_metadata, png_bytes


def test_sniffing_reads_the_content_not_the_name() -> None:
    assert sniff(png_bytes()) == PNG
    assert sniff(pdf_with_metadata()) == PDF
    assert sniff(b"\xff\xd8\xff\xe0rest") == JPEG
    assert sniff(b"GIF89a") is None
    assert sniff(b"PK\x03\x04") is None  # DOCX, ODT, ZIP: refused


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # 64 megapixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(FileRefused) as refused:
        clean(out.getvalue())
    assert refused.value.reason == "too_large_image"


def test_png_text_chunks_and_palettes() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Canary Author")
    info.add_text("Comment", "GPS 13.75N 100.5E")
    image = Image.new("P", (6, 4))
    image.putpalette([255, 0, 0] * 256)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, transparency=0)
    cleaned = clean(out.getvalue())
    assert cleaned.content_type == PNG
    assert b"Canary" not in cleaned.data
    assert b"GPS" not in cleaned.data
    result = Image.open(io.BytesIO(cleaned.data))
    assert result.mode == "RGBA"
    assert result.text == {}


def test_cmyk_jpeg_comes_back_as_rgb_without_icc() -> None:
    out = io.BytesIO()
    Image.new("CMYK", (5, 5), (0, 255, 255, 0)).save(out, "JPEG", icc_profile=b"canary-icc")
    cleaned = clean(out.getvalue())
    result = Image.open(io.BytesIO(cleaned.data))
    assert result.mode == "RGB"
    assert "icc_profile" not in result.info
    assert b"canary-icc" not in cleaned.data


def test_an_encrypted_pdf_is_refused() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(FileRefused) as refused:
        clean(out.getvalue())
    assert refused.value.reason == "encrypted"
