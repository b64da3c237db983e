"""Input of the volunteering pages. The templates keep what was typed (they show the posted values)."""

from django import forms
from django.utils.translation import gettext_lazy as _

WEEKDAY_VALUES = [(str(n), str(n)) for n in range(1, 8)]  # ISO: Monday is 1


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=80)
    node = forms.IntegerField(
        label=_("Where"), min_value=1, error_messages={"required": _("Choose where: open a level or search.")}
    )
    team = forms.IntegerField(label=_("Team"), min_value=1, required=False)
    place = forms.CharField(label=_("Meeting point"), max_length=120, required=False)
    day = forms.DateField(label=_("Date"))
    start = forms.TimeField(label=_("From"))
    end = forms.TimeField(label=_("Until"))
    capacity = forms.IntegerField(label=_("Places"))
    description = forms.CharField(label=_("Details (optional)"), max_length=2000, required=False)
    directions = forms.CharField(label=_("How to get there"), max_length=300, required=False)
    bring = forms.CharField(label=_("What to bring"), max_length=200, required=False)

    def __init__(self, *args, team_required: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team_required = team_required

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end <= start:
            self.add_error("end", _("The end is after the start."))
        if self.team_required and not data.get("team") and "team" not in self.errors:
            self.add_error("team", _("Choose your team: a team leader publishes activities for the team."))
        return data


class RosterForm(forms.Form):
    title = forms.CharField(label=_("Duty"), max_length=80)
    team = forms.IntegerField(label=_("Team"), min_value=1)
    node = forms.IntegerField(label=_("Where"), min_value=1)
    place = forms.CharField(label=_("Meeting point"), max_length=120, required=False)
    weekdays = forms.MultipleChoiceField(label=_("Weekdays"), choices=WEEKDAY_VALUES, required=False)
    start = forms.TimeField(label=_("From"))
    end = forms.TimeField(label=_("Until"))
    capacity = forms.IntegerField(label=_("Places per shift"))


class RosterGenerateForm(forms.Form):
    roster = forms.IntegerField(min_value=1)
    days = forms.IntegerField(label=_("How far ahead"), required=False)


class RosterActiveForm(forms.Form):
    roster = forms.IntegerField(min_value=1)
    # The page posts "1" or "0" (a checkbox widget would read "0" as true).
    active = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


class ActivityStepForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("join", "leave", "locate", "cancel_activity")],
        error_messages={"invalid_choice": _("Unknown action.")},
    )
    lat = forms.FloatField(required=False)  # where on Earth: the service checks
    lng = forms.FloatField(required=False)
    reason = forms.CharField(max_length=200, required=False)


class SignupStepForm(forms.Form):
    action = forms.CharField(max_length=12, required=False)
    hours = forms.DecimalField(label=_("Hours"), required=False)  # the service checks 0–24 and rounds
    attendance = forms.CharField(max_length=8, required=False)


class PartyReportForm(forms.Form):
    compound = forms.IntegerField(label=_("Compound"), min_value=1)
    display_name = forms.CharField(label=_("Name shown"), max_length=40)
    workplace = forms.CharField(label=_("Workplace"), max_length=120, required=False)
    pledge = forms.CharField(label=_("Pledge"), max_length=300)
