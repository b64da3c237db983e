from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Half-hour slots a resident picks from (large buttons are easier than a clock on a phone).
SLOTS = [time(h, m) for h in range(8, 20) for m in (0, 30)]


class OrderForm(forms.Form):
    """Ordering a service: when, where, for whom, a note and a photo."""

    day = forms.DateField(label=_("Which day?"), widget=forms.DateInput(attrs={"type": "date"}))
    slot = forms.TypedChoiceField(
        label=_("What time?"),
        choices=[(t.strftime("%H:%M"), t.strftime("%H:%M")) for t in SLOTS],
        coerce=time.fromisoformat,
        initial="09:00",
    )
    for_whom = forms.CharField(
        label=_("For whom? (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. my mother")}),
    )
    address = forms.CharField(
        label=_("Address (building and flat)"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. building 3, unit 2, flat 501")}),
    )
    note = forms.CharField(
        label=_("Anything the provider should know (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.ImageField(label=_("Photo (optional)"), required=False)

    def wished_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.cleaned_data["day"], self.cleaned_data["slot"]))


class OrderStepForm(forms.Form):
    """A step of an order from its page."""

    action = forms.CharField(max_length=16)
    note = forms.CharField(max_length=300, required=False)
    when = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    rating = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(1, 6)], coerce=int, required=False, empty_value=None
    )
    hours = forms.DecimalField(max_digits=4, decimal_places=2, min_value=0, max_value=24, required=False)
    price_paid = forms.DecimalField(
        max_digits=7, decimal_places=2, min_value=0, max_value=99999, required=False
    )


class TaskUpdateForm(forms.Form):
    task = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    evidence = forms.CharField(label=_("What was done (evidence)"), max_length=500)


class ProviderStepForm(forms.Form):
    provider = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    action = forms.ChoiceField(choices=[("list", "list"), ("reject", "reject"), ("suspend", "suspend")])
    note = forms.CharField(max_length=300, required=False)
    licence_checked = forms.BooleanField(required=False)
