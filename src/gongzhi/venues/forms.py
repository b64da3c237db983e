from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.venues.models import ClashPolicy, Weekday

REPEAT_CHOICES = [
    ("none", _("Once")),
    ("weekly", _("Every week on the days chosen")),
    ("workdays", _("Every working day")),
]


class BookingForm(forms.Form):
    title = forms.CharField(label=_("Purpose of the booking"), max_length=80)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    attendees = forms.IntegerField(
        label=_("Expected attendees"), min_value=1, max_value=10_000, required=False
    )
    repeat = forms.ChoiceField(label=_("Repeat"), choices=REPEAT_CHOICES, initial="none")
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    until = forms.DateField(
        label=_("Until (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    count = forms.IntegerField(label=_("Or this many times"), min_value=1, max_value=200, required=False)
    on_clash = forms.ChoiceField(
        label=_("If a date clashes"), choices=ClashPolicy.choices, initial="refuse_all"
    )


class StepForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject"), ("cancel", "cancel")])
    note = forms.CharField(max_length=300, required=False)


class SitingForm(forms.Form):
    k = forms.IntegerField(label=_("New stations"), min_value=1, max_value=500, initial=5)
    distance = forms.IntegerField(label=_("Distance (m)"), min_value=50, max_value=5000, initial=500)
    candidates = forms.ChoiceField(
        label=_("Candidate sites"),
        choices=[("compounds", _("Every compound")), ("buildings", _("Every building"))],
        initial="compounds",
    )


class PlanSaveForm(SitingForm):
    title = forms.CharField(label=_("Title"), max_length=80)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    adopt = forms.BooleanField(label=_("Make it the plan for the year"), required=False)


class WeekPlanForm(forms.Form):
    plan = forms.CharField(
        label=_("Activities planned"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
