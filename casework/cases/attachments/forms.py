"""The upload form of a case's files. Forms check the shape; the operations check the file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import DataRequired

from casework.vocab import ATTACHMENT_KINDS
from casework.web.forms import options

FILE_HINT = _l("PDF, JPEG or PNG. Photos lose their hidden data (place, camera, time).")


class AttachmentForm(FlaskForm):
    kind = SelectField(
        _l("What the file is"),
        choices=lambda: options(ATTACHMENT_KINDS.choices(blank=_l("Choose a kind"))),
        validators=[DataRequired(_l("Choose what the file is."))],
    )
    file = FileField(
        _l("File"), description=FILE_HINT, validators=[FileRequired(_l("Choose a file."))]
    )
