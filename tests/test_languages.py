"""Which languages are offered: only those whose catalogue translates every string.

The check that fails when an offered language is below 100%: each offered language's compiled
catalogue is read here with Python's own gettext (not the code that decides what to offer) and
must hold a translation of every string of messages.pot, with the same placeholders.
"""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from casework import ROOT
from casework.web.catalogues import coverage, placeholder_problems, placeholders
from casework.web.i18n import LANGUAGE_NAMES, offered_languages

TRANSLATIONS = ROOT / "casework" / "translations"


def _template() -> list:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        return [m for m in read_po(handle) if m.id]


def _catalogue(language: str) -> dict:
    mo = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]


def _offered(app) -> tuple[str, ...]:
    with app.app_context():
        return offered_languages()


@pytest.fixture(scope="module")
def strict_app(tmp_path_factory: pytest.TempPathFactory):
    """An app as deployed: only complete catalogues offered (the suite's app offers every
    wanted language, so that tests of language choice do not wait for translators)."""
    from tests.conftest import build_app

    return build_app(str(tmp_path_factory.mktemp("strict")), OFFER_INCOMPLETE_LANGUAGES=False)


def test_a_language_is_offered_exactly_when_its_catalogue_is_complete(strict_app) -> None:
    offered = _offered(strict_app)
    assert offered[0] == "en"
    for language in strict_app.config["LANGUAGES"][1:]:
        assert (language in offered) == coverage(TRANSLATIONS, language).complete, language


def test_every_offered_language_translates_every_string(strict_app) -> None:
    template = _template()
    assert len(template) > 1000
    for language in _offered(strict_app)[1:]:
        catalogue = _catalogue(language)
        missing, wrong = [], []
        for message in template:
            source = message.id[0] if isinstance(message.id, tuple) else message.id
            key = f"{message.context}\x04{source}" if message.context else source
            if isinstance(message.id, tuple):
                strings = [v for k, v in catalogue.items() if isinstance(k, tuple) and k[0] == key]
            else:
                strings = [catalogue[key]] if key in catalogue else []
            if not strings or not all(strings):
                missing.append(message.id)
                continue
            wrong += [(message.id, p) for p in placeholder_problems(message.id, tuple(strings))]
        assert not missing, f"{language} is offered but leaves {len(missing)}: {missing[:3]}"
        assert not wrong, f"{language}: {wrong[:3]}"


def test_incomplete_languages_are_offered_only_by_the_test_setting(app) -> None:
    assert _offered(app) == app.config["LANGUAGES"]


def test_the_test_setting_is_refused_in_production() -> None:
    from flask import Flask

    from casework.web import i18n

    production = Flask("casework")
    production.config.update(
        ENV_NAME="production", LANGUAGES=("en", "th"), OFFER_INCOMPLETE_LANGUAGES=True
    )
    with pytest.raises(RuntimeError, match="tests only"):
        i18n.init_app(production)


@pytest.mark.parametrize(
    "po", sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")), ids=lambda p: p.parts[-3]
)
def test_translations_keep_their_placeholders(po: Path) -> None:
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale=po.parts[-3])
    problems = [
        (message.id, problem)
        for message in catalogue
        if message.id and message.string and not message.fuzzy
        for problem in placeholder_problems(message.id, message.string)
    ]
    assert problems == []


def test_placeholders_are_found() -> None:
    assert placeholders("%(n)s of %(total)d, 95%% and {name}") == [
        "%%",
        "%(n)s",
        "%(total)d",
        "{name}",
    ]
    assert placeholder_problems("%(n)s cases", "%(m)s กรณี") == [
        "placeholders ['%(m)s'] instead of ['%(n)s']"
    ]
    assert placeholder_problems(("one case", "%(num)d cases"), ("%(num)d กรณี",)) == []


def _catalogue_dir(tmp_path: Path, translated: dict[str, str]) -> Path:
    """A template of two strings and an `xx` catalogue translating `translated`, compiled."""
    pot = 'msgid ""\nmsgstr ""\n\nmsgid "Cases"\nmsgstr ""\n\nmsgid "Open"\nmsgstr ""\n'
    (tmp_path / "messages.pot").write_text(pot, encoding="utf-8")
    folder = tmp_path / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    body = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    for source in ("Cases", "Open"):
        body += f'msgid "{source}"\nmsgstr "{translated.get(source, "")}"\n\n'
    (folder / "messages.po").write_text(body, encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "compile", "-d", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    return tmp_path


def test_a_catalogue_missing_one_string_is_incomplete(tmp_path: Path) -> None:
    found = coverage(_catalogue_dir(tmp_path, {"Cases": "Kes"}), "xx")
    assert not found.complete
    assert found.missing == ("Open",)
    assert found.percent == 50.0


def test_a_complete_catalogue_is_complete(tmp_path: Path) -> None:
    found = coverage(_catalogue_dir(tmp_path, {"Cases": "Kes", "Open": "Buka"}), "xx")
    assert found.complete
    assert found.percent == 100.0


def test_a_language_without_compiled_catalogue_is_incomplete(tmp_path: Path) -> None:
    directory = _catalogue_dir(tmp_path, {"Cases": "Kes", "Open": "Buka"})
    (directory / "xx" / "LC_MESSAGES" / "messages.mo").unlink()
    assert coverage(directory, "xx").missing == ("Cases", "Open")


@pytest.fixture
def wanting_unfinished(tmp_path_factory: pytest.TempPathFactory):
    """An app whose deployment wants a language that has no complete catalogue (`zz`)."""
    from tests.conftest import build_app

    LANGUAGE_NAMES.setdefault("zz", "Zedish")
    app = build_app(
        str(tmp_path_factory.mktemp("instance")),
        LANGUAGES=("en", "th", "zz"),
        OFFER_INCOMPLETE_LANGUAGES=False,
    )
    from casework.core.extensions import db

    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    LANGUAGE_NAMES.pop("zz", None)


def test_an_unfinished_language_is_never_offered(wanting_unfinished) -> None:
    thai = coverage(TRANSLATIONS, "th").complete
    assert _offered(wanting_unfinished) == (("en", "th") if thai else ("en",))
    client = wanting_unfinished.test_client()
    client.set_cookie("casework_lang", "zz")
    page = client.get("/sign-in").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert 'value="zz"' not in page
    assert "Zedish" not in page
    assert ('value="th"' in page) == thai
    page = client.get("/sign-in", headers={"Accept-Language": "zz, th;q=0.5"}).get_data(
        as_text=True
    )
    # the cookie is ignored, the browser's next offered choice taken
    assert f'<html lang="{"th" if thai else "en"}">' in page


def test_choosing_an_unfinished_language_sets_nothing(wanting_unfinished) -> None:
    from tests.conftest import csrf_token

    client = wanting_unfinished.test_client()
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/language", data={"language": "zz", "next": "/sign-in", "csrf_token": token}
    )
    assert response.status_code == 302
    assert "casework_lang" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("language", ["th", "vi", "id", "ms", "km", "my", "fil"])
def test_the_page_is_in_the_language_html_lang_names(client, language: str) -> None:
    client.set_cookie("casework_lang", language)
    page = client.get("/sign-in").get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    english = {
        _catalogue(language)[source]: source
        for source in ("Sign in", "Language", "Change language", "Skip to main content")
    }
    for translated in english:
        assert translated in page
    text = re.sub(r"<[^>]+>", " ", page)
    assert "Skip to main content" not in text
    assert "Change language" not in text
