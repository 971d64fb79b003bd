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


# ---- issue 12, item 13: what one upload may cost ---------------------------------------------


def _image(fmt: str, width: int, height: int, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), 200).save(out, fmt)
    return out.getvalue()


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The size of every picture Pillow decodes from a file, in order."""
    from PIL import ImageFile

    decoded: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def counting(self: ImageFile.ImageFile) -> object:
        decoded.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting)
    return decoded


def test_a_7000_by_7000_png_is_refused_before_any_pixel_is_decoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from casework.cases.attachments.files import MAX_PIXELS

    data = _image("PNG", 7000, 7000)  # 49 megapixels in about 150 KB
    assert len(data) < 200_000
    decoded = _count_decodes(monkeypatch)
    with pytest.raises(FileRefused) as refused:
        clean(data)
    assert refused.value.reason == "too_large_image"
    assert decoded == []
    assert MAX_PIXELS < 7000 * 7000


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    from casework.cases.attachments.files import MAX_PIXELS

    data = _image("JPEG", 7000, 7000)
    decoded = _count_decodes(monkeypatch)
    cleaned = clean(data)
    with Image.open(io.BytesIO(cleaned.data)) as result:
        width, height = result.size
    assert width * height <= MAX_PIXELS
    assert (width, height) == (3500, 3500)
    assert decoded, "decoded"
    assert all(w * h <= MAX_PIXELS for w, h in decoded), decoded


def test_an_image_within_the_bound_keeps_its_size() -> None:
    cleaned = clean(_image("PNG", 2000, 1500))
    with Image.open(io.BytesIO(cleaned.data)) as result:
        assert result.size == (2000, 1500)


def test_pillow_refuses_a_bomb_whoever_opens_it() -> None:
    from casework.cases.attachments import files

    assert Image.MAX_IMAGE_PIXELS == files.MAX_JPEG_PIXELS // 2
