from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii


class PasswordLoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


class CodeLoginForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("The code has six digits.")},
    )

    def clean_phone(self) -> str:
        try:
            return pii.normalize_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class CodeRequestForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)

    clean_phone = CodeLoginForm.clean_phone


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What is it for?"),
        max_length=60,
        help_text=_("For example: the hotline bridge, or my phone app."),
    )
