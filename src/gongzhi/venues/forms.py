from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.venues.models import BookableBy, ClashPolicy, SpaceKind, VenueLevel, Weekday

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


class VenueForm(forms.Form):
    node = forms.IntegerField(label=_("Place it serves"), min_value=1, max_value=2**31 - 1)
    name = forms.CharField(label=_("Name"), max_length=80)
    level = forms.ChoiceField(label=_("Level"), choices=VenueLevel.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lat = forms.FloatField(
        label=_("Latitude (GCJ-02)"), min_value=-90, max_value=90, required=False,
        help_text=_("Leave empty to use the place's own location."),
    )  # fmt: skip
    lng = forms.FloatField(label=_("Longitude (GCJ-02)"), min_value=-180, max_value=180, required=False)
    floor_area_m2 = forms.IntegerField(
        label=_("Floor area (m²)"), min_value=1, max_value=1_000_000, required=False
    )
    opens_at = forms.TimeField(
        label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), initial="08:30"
    )
    closes_at = forms.TimeField(
        label=_("Closes"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), initial="20:30"
    )
    open_on_rest_days = forms.BooleanField(label=_("Open on rest days"), required=False, initial=True)
    operator = forms.CharField(label=_("Run by"), max_length=80, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SpaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind of area"), choices=SpaceKind.choices)
    capacity = forms.IntegerField(label=_("Holds (people)"), min_value=1, max_value=10_000, initial=20)
    equipment = forms.CharField(label=_("Equipment"), max_length=200, required=False)
    bookable_by = forms.ChoiceField(
        label=_("Who may book"), choices=BookableBy.choices, initial=BookableBy.ORGANISATIONS
    )
    needs_approval = forms.BooleanField(label=_("Bookings need approval"), required=False, initial=True)
    max_days_ahead = forms.IntegerField(
        label=_("Bookable up to this many days ahead"), min_value=1, max_value=366, initial=90
    )
