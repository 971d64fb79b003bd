from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from casework.auth.passwords import MAX_LENGTH, password_problems


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Continue"))


class CodeForm(FlaskForm):
    code = StringField(
        _l("One-time code"),
        validators=[DataRequired(), Length(min=6, max=32)],
        description=_l(
            "The 6-digit code from your authenticator app, or one of your recovery codes."
        ),
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "text",
            "autofocus": True,
            "spellcheck": "false",
        },
    )
    submit = SubmitField(_l("Verify"))


class StrongPassword:
    """Validator: the product's password rules, with the user's own details as hints."""

    def __init__(self, hints: list[str] | None = None) -> None:
        self.hints = hints or []

    def __call__(self, form: Any, field: Any) -> None:
        problems = password_problems(field.data or "", self.hints)
        if problems:
            raise ValidationError(" ".join(problems))


class NewPasswordForm(FlaskForm):
    """A new password typed twice and checked for strength (the shared part of changing and
    choosing one)."""

    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=_l(
            "12 to 128 characters. A phrase of several unrelated words is easy to "
            "remember and hard to guess."
        ),
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two new passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args: Any, hints: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.new_password.validators = [*self.new_password.validators, StrongPassword(hints)]


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Change password"))


class ChoosePasswordForm(NewPasswordForm):
    """A person choosing their own password through an invitation or reset link."""

    submit = SubmitField(_l("Set my password"))


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token: for POST-only actions such as signing out."""

    submit = SubmitField(_l("Confirm"))
