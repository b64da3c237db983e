"""Forms that speak plainly: every field's errors in short sentences of our own (in the user's language),
instead of the framework's stock wording ("Ensure this value has at most 120 characters")."""

from typing import Any

from django import forms
from django.core import validators
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "required": _("Please fill this in."),
    "invalid": _("This is not in the right form."),
    "invalid_choice": _("Choose one of the options offered."),
    "invalid_list": _("Choose one of the options offered."),
    "missing": _("No file was sent."),
    "empty": _("The file is empty."),
}
NUMBER_INVALID = _("Enter a number.")


class PlainForm(forms.Form):
    """A form whose fields keep their own messages where they set them and otherwise use ours."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            plain_messages(field)


def _stock(field: forms.Field) -> dict[str, Any]:
    stock: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        stock.update(getattr(cls, "default_error_messages", {}))
    return stock


def plain_messages(field: forms.Field) -> forms.Field:
    """Replace the stock messages of ``field`` (those it did not set itself) and its length and range
    validators' messages with plain ones."""
    stock = _stock(field)
    for key, message in list(field.error_messages.items()):
        if stock.get(key) is not message:
            continue  # set by the field's definition
        if key == "invalid" and isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
            field.error_messages[key] = NUMBER_INVALID
        elif key in MESSAGES:
            field.error_messages[key] = MESSAGES[key]
    replaced = []
    for v in field.validators:
        if type(v) is validators.MaxLengthValidator:
            v = validators.MaxLengthValidator(
                v.limit_value, _("At most %(limit_value)d characters; this has %(show_value)d.")
            )
        elif type(v) is validators.MinLengthValidator:
            v = validators.MinLengthValidator(
                v.limit_value, _("At least %(limit_value)d characters; this has %(show_value)d.")
            )
        elif type(v) is validators.MaxValueValidator:
            v = validators.MaxValueValidator(v.limit_value, _("At most %(limit_value)s."))
        elif type(v) is validators.MinValueValidator:
            v = validators.MinValueValidator(v.limit_value, _("At least %(limit_value)s."))
        replaced.append(v)
    field.validators = replaced
    return field
