"""Language: which languages are offered, and the reader's choice among them.

A language is offered only when the catalogue the app serves (the compiled `.mo`) translates
every string of the template (`messages.pot`): a page is never half English under a `<html
lang>` that claims another language. `config.LANGUAGES` lists the languages a deployment wants,
in the order of the picker; `offered_languages()` is the part of that list that is complete,
worked out once per app. The reader's choice is a cookie set from the footer, else the browser's
languages; anything not offered falls back to English.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request

from casework.web.catalogues import coverage

LANGUAGE_COOKIE = "casework_lang"
SOURCE_LANGUAGE = "en"
LANGUAGE_NAMES = {
    "en": "English",
    "th": "ไทย",
    "vi": "Tiếng Việt",
    "id": "Bahasa Indonesia",
    "km": "ខ្មែរ",
    "my": "မြန်မာ",
    "fil": "Filipino",
    "ms": "Bahasa Melayu",
}
_EXTENSION = "casework_languages"


def translations_dir(app: Flask) -> Path:
    return Path(app.root_path) / "translations"


def init_app(app: Flask) -> None:
    """Work out once which of the wanted languages are offered (complete)."""
    if app.config.get("OFFER_INCOMPLETE_LANGUAGES") and app.config.get("ENV_NAME") == "production":
        raise RuntimeError("OFFER_INCOMPLETE_LANGUAGES is for tests only")
    directory = translations_dir(app)
    offered = [SOURCE_LANGUAGE]
    for language in app.config["LANGUAGES"]:
        if language == SOURCE_LANGUAGE:
            continue
        found = coverage(directory, language)
        if found.complete or app.config.get("OFFER_INCOMPLETE_LANGUAGES"):
            offered.append(language)
        else:
            app.logger.info(
                f"language not offered: {language} is {found.percent:.1f}% translated "
                f"({len(found.missing)} strings missing)"
            )
    app.extensions[_EXTENSION] = tuple(offered)


def offered_languages() -> tuple[str, ...]:
    """The languages this app offers, English first."""
    offered: tuple[str, ...] = current_app.extensions.get(_EXTENSION, (SOURCE_LANGUAGE,))
    return offered


def offered_language_names() -> dict[str, str]:
    """Code -> the language's own name, for the picker (only languages offered)."""
    return {code: LANGUAGE_NAMES.get(code, code) for code in offered_languages()}


def select_locale() -> str | None:
    if not has_request_context():  # CLI commands: the default locale
        return None
    languages = offered_languages()
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages, default=SOURCE_LANGUAGE)
