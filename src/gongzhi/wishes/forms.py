from django import forms
from django.utils.translation import gettext_lazy as _


class WishForm(forms.Form):
    """A wish for the wall: residents for themselves, staff for a resident (walk-in, phone)."""

    compound = forms.TypedChoiceField(label=_("Compound"), coerce=int)
    title = forms.CharField(
        label=_("What do you wish for?"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. a radio to listen to opera")}),
    )
    body = forms.CharField(
        label=_("Details (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    wisher_name = forms.CharField(label=_("For (name of the resident)"), max_length=40, required=False)

    def __init__(self, *args, compounds=(), staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].choices = [(c.pk, c.name) for c in compounds]
        if not staff:
            del self.fields["wisher_name"]


class WishStepForm(forms.Form):
    """A step of a wish from its page (which step, and its note or photo)."""

    action = forms.CharField(max_length=16)
    note = forms.CharField(max_length=300, required=False)
    photo = forms.FileField(required=False)
