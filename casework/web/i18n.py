"""Language: the reader's choice (a cookie set from the footer), else the browser's."""

from __future__ import annotations

from flask import current_app, has_request_context, request

LANGUAGE_COOKIE = "casework_lang"
LANGUAGE_NAMES = {
    "en": "English",
    "th": "ไทย",
    "vi": "Tiếng Việt",
    "id": "Bahasa Indonesia",
    "km": "ខ្មែរ",
    "my": "မြန်မာ",
    "tl": "Filipino",
    "ms": "Bahasa Melayu",
}


def select_locale() -> str | None:
    if not has_request_context():  # CLI commands: the default locale
        return None
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages)
