"""What an uploaded file really is, and a copy of it without its metadata.

The type is decided from the content, never from the name or the browser's word: a file must
start like a PDF, JPEG or PNG *and* parse as one. Images are decoded and re-encoded from
their pixels alone (Pillow), so EXIF (GPS position, camera serial, time), XMP, IPTC, ICC and
text chunks are gone; the EXIF orientation is applied first so the picture stays upright.
PDFs are rewritten by pypdf without the document information dictionary and the XMP stream,
and without anything that acts or carries another file, at every level (issue 12, item 5):
every object reachable from the catalogue is walked; actions (`/A` other than a jump inside
the document, `/AA`, `/OpenAction`, `/JS`, chained `/Next`), JavaScript and embedded-file
name trees, file attachment, media and 3D annotations, embedded file streams (`/EF`), XFA
forms and portfolios are removed; the rewritten file is walked again, and refused if anything
active is left. Office documents (DOCX, ODT) are refused: they carry author metadata, revision
history and macros that cannot be cleaned as simply, and can be saved as PDF.

No Flask here: the functions take and return bytes.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG"}
# What one upload may cost a worker (issue 12, item 13): pixels decide the memory and the time
# of decoding and re-encoding. A picture is decoded at no more than MAX_PIXELS (16 MP, 4 bytes
# each at most: 64 MB, about a second). A JPEG up to MAX_JPEG_PIXELS is decoded at a reduced
# scale straight from its file (libjpeg's DCT scaling: Pillow's `draft`), so a 48-megapixel
# phone photo costs what a 12-megapixel one does; a PNG above MAX_PIXELS, or a JPEG above
# MAX_JPEG_PIXELS, is refused from its header before a single pixel is decoded.
MAX_PIXELS = 16_000_000
MAX_JPEG_PIXELS = 8 * 8 * MAX_PIXELS  # libjpeg scales down by 1/8 at most
# Pillow's own guard, for every image opened in this process: it refuses (DecompressionBomb
# Error) anything over twice this, whoever opens it; our own checks above come first.
Image.MAX_IMAGE_PIXELS = MAX_JPEG_PIXELS // 2
# PDF entries that act (on opening, on a page, a field or an annotation) or carry other files,
# wherever they are; and the annotation kinds that only exist to carry or play something.
_ACTIVE_KEYS = ("/OpenAction", "/AA", "/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA")
_CATALOGUE_ONLY = ("/Collection",)  # a portfolio: the file is a wrapper of other files
_SAFE_ACTIONS = ("/GoTo",)  # a jump to a page of the same document
_CARRIER_ANNOTATIONS = ("/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D")


# pypdf's warnings about a malformed file can quote pieces of it: keep them out of the logs.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class FileRefused(Exception):
    """The file is not an accepted type, or does not parse as the type it claims."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "type", "damaged", "encrypted", "too_large_image", "active"


@dataclass(frozen=True)
class CleanFile:
    data: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def sniff(data: bytes) -> str | None:
    """The content type the first bytes announce (PDF, JPEG, PNG), or None."""
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def clean(data: bytes) -> CleanFile:
    """A metadata-free copy of `data`; `FileRefused` unless it is a well-formed PDF, JPEG or
    PNG."""
    content_type = sniff(data)
    if content_type is None:
        raise FileRefused("type")
    if content_type == PDF:
        return CleanFile(_clean_pdf(data), PDF)
    return CleanFile(_clean_image(data, content_type), content_type)


def _clean_image(data: bytes, content_type: str) -> bytes:
    fmt = _PILLOW_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            # Over MAX_IMAGE_PIXELS Pillow warns: the checks below decide, not the warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            original = Image.open(io.BytesIO(data), formats=[fmt])
        with original:
            # A "decompression bomb" (a huge pixel count in a small file) is refused from its
            # header, before any pixel is decoded.
            pixels_in_file = original.width * original.height
            if pixels_in_file > (MAX_JPEG_PIXELS if fmt == "JPEG" else MAX_PIXELS):
                raise FileRefused("too_large_image")
            if pixels_in_file > MAX_PIXELS:
                _decode_smaller(original)
            original.load()
            upright = ImageOps.exif_transpose(original)
            pixels = _pixels_only(upright, fmt)
    except Image.DecompressionBombError as exc:
        raise FileRefused("too_large_image") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise FileRefused("damaged") from exc
    out = io.BytesIO()
    if fmt == "JPEG":
        pixels.save(out, "JPEG", quality=90, optimize=True)
    else:
        pixels.save(out, "PNG", optimize=True)
    return out.getvalue()


def _decode_smaller(image: Image.Image) -> None:
    """Ask the JPEG decoder for the picture at the largest scale (1/2, 1/4, 1/8) that holds
    at most MAX_PIXELS, before anything is decoded."""
    scale = 2
    while image.width * image.height > MAX_PIXELS * scale * scale:
        scale *= 2
    image.draft(image.mode, (image.width // scale, image.height // scale))
    if image.width * image.height > MAX_PIXELS:  # the decoder could not scale enough
        raise FileRefused("too_large_image")


def _pixels_only(image: Image.Image, fmt: str) -> Image.Image:
    """A new image holding only the pixels: no info dictionary, EXIF, ICC or text chunks."""
    keep = ("RGB", "L") if fmt == "JPEG" else ("RGB", "RGBA", "L", "LA")
    if image.mode not in keep:
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha and fmt == "PNG" else "RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _clean_pdf(data: bytes) -> bytes:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise FileRefused("encrypted")
        if len(reader.pages) == 0:
            raise FileRefused("damaged")
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        writer.xmp_metadata = None
        root = writer.root_object
        for key in _CATALOGUE_ONLY:
            if key in root:
                del root[NameObject(key)]
        _disarm(root, set())
        # What was cut off (a script, an embedded file's bytes) must not stay in the file as
        # unreferenced objects: a second copy takes only what the document still reaches.
        first = io.BytesIO()
        writer.write(first)
        writer = PdfWriter(clone_from=PdfReader(first))
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
        if _active_parts(PdfReader(io.BytesIO(out.getvalue())).trailer["/Root"], set()):
            raise FileRefused("active")
    except FileRefused:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise FileRefused("damaged") from exc
    return out.getvalue()


def _is_active_action(action: Any) -> bool:
    """An action dictionary that does anything but jump inside the document (JavaScript,
    Launch, SubmitForm, ImportData, URI, GoToR...), or chains one (`/Next`)."""
    action = action.get_object() if action is not None else None
    if not isinstance(action, DictionaryObject):
        return action is not None
    if action.get("/S") not in _SAFE_ACTIONS:
        return True
    following = action.get("/Next")
    if following is None:
        return False
    following = following.get_object()
    chain = following if isinstance(following, ArrayObject) else [following]
    return any(_is_active_action(step) for step in chain)


def _disarm(obj: Any, seen: set[int]) -> None:
    """Remove, in place, everything active from `obj` and all it reaches."""
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for key in _ACTIVE_KEYS:
            if key in obj:
                del obj[NameObject(key)]
        if "/A" in obj and _is_active_action(obj["/A"]):
            del obj[NameObject("/A")]
        annotations = obj.get("/Annots")
        if annotations is not None:
            kept = ArrayObject(a for a in annotations.get_object() if not _is_carrier(a))
            obj[NameObject("/Annots")] = kept
        for key, value in list(obj.items()):
            if key not in ("/Parent", "/P"):  # back links: reached from the top anyway
                _disarm(value, seen)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            _disarm(value, seen)


def _is_carrier(annotation: Any) -> bool:
    annotation = annotation.get_object()
    return isinstance(annotation, DictionaryObject) and (
        annotation.get("/Subtype") in _CARRIER_ANNOTATIONS
    )


def _active_parts(obj: Any, seen: set[int]) -> list[str]:
    """What is still active in `obj` and all it reaches (empty after `_disarm`)."""
    found: list[str] = []
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return found
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        found += [key for key in (*_ACTIVE_KEYS, *_CATALOGUE_ONLY) if key in obj]
        if "/A" in obj and _is_active_action(obj["/A"]):
            found.append("/A")
        if obj.get("/Subtype") in _CARRIER_ANNOTATIONS:
            found.append(str(obj["/Subtype"]))
        if obj.get("/S") in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData"):
            found.append(str(obj["/S"]))
        for key, value in obj.items():
            if key not in ("/Parent", "/P"):
                found += _active_parts(value, seen)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            found += _active_parts(value, seen)
    return found
