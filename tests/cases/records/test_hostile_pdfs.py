"""Issue 12, item 5: an uploaded PDF keeps no action, script or embedded file at any level.
A corpus of hostile PDFs built with pypdf; each is cleaned, then the result is walked: nothing
active is left anywhere (or the file is refused), and the pages are still there."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from casework.cases.attachments.files import PDF, FileRefused, clean

N = NameObject


def _js(code: str = "app.alert('canary')") -> DictionaryObject:
    return DictionaryObject({N("/S"): N("/JavaScript"), N("/JS"): TextStringObject(code)})


def _action(kind: str, **extra: Any) -> DictionaryObject:
    action = DictionaryObject({N("/Type"): N("/Action"), N("/S"): N(kind)})
    for key, value in extra.items():
        action[N(f"/{key}")] = value
    return action


def _rect() -> ArrayObject:
    return ArrayObject([FloatObject(10), FloatObject(10), FloatObject(60), FloatObject(60)])


def _annotation(writer: PdfWriter, subtype: str, **extra: Any) -> None:
    annotation = DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N(subtype)})
    annotation[N("/Rect")] = _rect()
    for key, value in extra.items():
        annotation[N(f"/{key}")] = value
    page = writer.pages[0]
    annots = page.get("/Annots")
    if annots is None:
        annots = ArrayObject()
        page[N("/Annots")] = annots
    annots.get_object().append(writer._add_object(annotation))


def _embedded_file(writer: PdfWriter) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(b"MZ canary executable")
    stream[N("/Type")] = N("/EmbeddedFile")
    spec = DictionaryObject(
        {
            N("/Type"): N("/Filespec"),
            N("/F"): TextStringObject("canary.exe"),
            N("/EF"): DictionaryObject({N("/F"): writer._add_object(stream)}),
        }
    )
    return writer._add_object(spec)


def _catalogue_open_action(w: PdfWriter) -> None:
    w.root_object[N("/OpenAction")] = _js()


def _catalogue_aa(w: PdfWriter) -> None:
    w.root_object[N("/AA")] = DictionaryObject({N("/WC"): _js()})


def _names_javascript(w: PdfWriter) -> None:
    tree = DictionaryObject(
        {N("/Names"): ArrayObject([TextStringObject("canary"), w._add_object(_js())])}
    )
    w.root_object[N("/Names")] = DictionaryObject({N("/JavaScript"): w._add_object(tree)})


def _names_embedded_files(w: PdfWriter) -> None:
    w.add_attachment("canary.exe", b"MZ canary executable")


def _page_aa(w: PdfWriter) -> None:
    w.pages[0][N("/AA")] = DictionaryObject({N("/O"): _js(), N("/C"): _js()})


def _link_javascript(w: PdfWriter) -> None:
    _annotation(w, "/Link", A=_js())


def _link_launch(w: PdfWriter) -> None:
    _annotation(w, "/Link", A=_action("/Launch", F=TextStringObject("cmd.exe")))


def _link_submit_form(w: PdfWriter) -> None:
    _annotation(w, "/Link", A=_action("/SubmitForm", F=TextStringObject("http://x.example/")))


def _link_import_data(w: PdfWriter) -> None:
    _annotation(w, "/Link", A=_action("/ImportData", F=TextStringObject("data.fdf")))


def _link_goto_then_javascript(w: PdfWriter) -> None:
    jump = _action("/GoTo", D=ArrayObject([w.pages[0].indirect_reference, N("/Fit")]))
    jump[N("/Next")] = ArrayObject([_js()])
    _annotation(w, "/Link", A=jump)


def _annotation_aa(w: PdfWriter) -> None:
    _annotation(w, "/Square", AA=DictionaryObject({N("/E"): _js()}))


def _file_attachment_annotation(w: PdfWriter) -> None:
    _annotation(w, "/FileAttachment", FS=_embedded_file(w), Name=N("/Paperclip"))


def _screen_annotation(w: PdfWriter) -> None:
    _annotation(w, "/Screen", A=_action("/Rendition"))


def _acroform_field_actions(w: PdfWriter) -> None:
    field = DictionaryObject(
        {
            N("/FT"): N("/Tx"),
            N("/T"): TextStringObject("name"),
            N("/Type"): N("/Annot"),
            N("/Subtype"): N("/Widget"),
            N("/Rect"): _rect(),
            N("/AA"): DictionaryObject({N("/K"): _js(), N("/F"): _js()}),
            N("/A"): _js(),
        }
    )
    ref = w._add_object(field)
    w.pages[0][N("/Annots")] = ArrayObject([ref])
    w.root_object[N("/AcroForm")] = DictionaryObject({N("/Fields"): ArrayObject([ref])})


def _acroform_xfa(w: PdfWriter) -> None:
    xfa = DecodedStreamObject()
    xfa.set_data(b"<xdp:xdp><script>app.alert('canary')</script></xdp:xdp>")
    w.root_object[N("/AcroForm")] = DictionaryObject(
        {N("/Fields"): ArrayObject(), N("/XFA"): w._add_object(xfa)}
    )


def _portfolio(w: PdfWriter) -> None:
    w.add_attachment("inner.pdf", b"%PDF-1.4 canary")
    w.root_object[N("/Collection")] = DictionaryObject({N("/View"): N("/D")})


def _nested_in_outline(w: PdfWriter) -> None:
    outline = DictionaryObject({N("/Title"): TextStringObject("Canary"), N("/A"): _js()})
    ref = w._add_object(outline)
    w.root_object[N("/Outlines")] = DictionaryObject(
        {N("/First"): ref, N("/Last"): ref, N("/Count"): NumberObject(1)}
    )


HOSTILE: dict[str, Callable[[PdfWriter], None]] = {
    "catalogue /OpenAction JavaScript": _catalogue_open_action,
    "catalogue /AA": _catalogue_aa,
    "name tree /JavaScript": _names_javascript,
    "name tree /EmbeddedFiles": _names_embedded_files,
    "page /AA": _page_aa,
    "link /A JavaScript": _link_javascript,
    "link /A Launch": _link_launch,
    "link /A SubmitForm": _link_submit_form,
    "link /A ImportData": _link_import_data,
    "link GoTo chaining JavaScript (/Next)": _link_goto_then_javascript,
    "annotation /AA": _annotation_aa,
    "FileAttachment annotation": _file_attachment_annotation,
    "Screen annotation": _screen_annotation,
    "AcroForm field /A and /AA": _acroform_field_actions,
    "AcroForm XFA": _acroform_xfa,
    "portfolio (/Collection)": _portfolio,
    "outline item /A JavaScript": _nested_in_outline,
}

FORBIDDEN_KEYS = {"/OpenAction", "/AA", "/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA"}
FORBIDDEN_VALUES = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/FileAttachment",
    "/Screen",
    "/EmbeddedFile",
    "/Rendition",
}


def _hostile(build: Callable[[PdfWriter], None]) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_blank_page(200, 200)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _everything(data: bytes) -> tuple[set[str], set[str]]:
    """Every dictionary key and every name value reachable in the file (and in every object
    the file holds, reachable or not)."""
    reader = PdfReader(io.BytesIO(data))
    keys: set[str] = set()
    names: set[str] = set()

    def walk(obj: Any, seen: set[int]) -> None:
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                return
            seen.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                keys.add(str(key))
                walk(value, seen)
        elif isinstance(obj, ArrayObject):
            for value in obj:
                walk(value, seen)
        elif isinstance(obj, NameObject):
            names.add(str(obj))

    seen: set[int] = set()
    walk(reader.trailer, seen)
    for number in range(1, len(reader.xref_objStm) + 200):
        try:
            walk(reader.get_object(number), seen)
        except Exception:  # noqa: S112 - a number without an object
            continue
    return keys, names


@pytest.mark.parametrize("build", list(HOSTILE.values()), ids=list(HOSTILE))
def test_every_hostile_pdf_comes_out_inert(build: Callable[[PdfWriter], None]) -> None:
    data = _hostile(build)
    keys, names = _everything(data)
    assert (keys & FORBIDDEN_KEYS) or (names & FORBIDDEN_VALUES), "the corpus file is hostile"
    cleaned = clean(data)
    assert cleaned.content_type == PDF
    keys, names = _everything(cleaned.data)
    assert keys & FORBIDDEN_KEYS == set()
    assert names & FORBIDDEN_VALUES == set()
    assert b"app.alert" not in cleaned.data
    assert b"MZ canary executable" not in cleaned.data
    assert len(PdfReader(io.BytesIO(cleaned.data)).pages) == 2


def test_a_jump_inside_the_document_stays() -> None:
    def internal_link(w: PdfWriter) -> None:
        target = ArrayObject([w.pages[1].indirect_reference, N("/Fit")])
        _annotation(w, "/Link", A=_action("/GoTo", D=target))

    cleaned = clean(_hostile(internal_link))
    page = PdfReader(io.BytesIO(cleaned.data)).pages[0]
    [link] = [a.get_object() for a in page["/Annots"]]
    assert link["/A"]["/S"] == "/GoTo"


def test_a_file_the_walk_cannot_make_inert_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second walk over the rewritten file is the safety net: if anything active were left
    (here: the removal does nothing), the file is refused, not stored."""
    from casework.cases.attachments import files

    monkeypatch.setattr(files, "_disarm", lambda obj, seen: None)
    with pytest.raises(FileRefused) as refused:
        clean(_hostile(_page_aa))
    assert refused.value.reason == "active"
