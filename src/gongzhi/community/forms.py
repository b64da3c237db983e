from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.community.models import PriceKind, ProviderKind, ServiceCategory, ServicePlace, TypeLevel

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


def _choices(form: forms.Form, name: str, choices: list) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PlanForm(forms.Form):
    """Drafting a plan: its place (the place picker), title, years, one step a year and its actions."""

    node = forms.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose the plan's place.")},
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    summary = forms.CharField(label=_("Summary (optional)"), max_length=500, required=False)
    start_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2100)
    years = forms.IntegerField(label=_("Years"), min_value=1, max_value=10, initial=3)
    steps = forms.CharField(
        label=_("Steps, one a year (one per line; optional)"),
        max_length=700,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    actions = forms.CharField(
        label=_("Actions (one per line)"),
        max_length=1300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def step_names(self) -> list[str] | None:
        return _lines(self.cleaned_data["steps"]) or None

    def action_names(self) -> list[str]:
        return _lines(self.cleaned_data["actions"])


class PlanActionForm(forms.Form):
    name = forms.CharField(label=_("New action"), max_length=60)


class PlanTransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[("launch", "launch"), ("close", "close"), ("reopen", "reopen")])


class TaskForm(forms.Form):
    """A task of a plan: under an action (and a step), the owning place, a person or a unit, dates, a
    weight, and optionally a platform figure it follows with a baseline and a target."""

    action = forms.TypedChoiceField(label=_("Plan action"), coerce=int)
    step = forms.TypedChoiceField(
        label=_("Plan step (optional)"), coerce=int, required=False, empty_value=None
    )
    node = forms.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose the place that owns the task.")},
    )
    title = forms.CharField(label=_("Task"), max_length=100)
    starts_on = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    weight = forms.IntegerField(label=_("Weight (1–100)"), min_value=1, max_value=100, initial=1)
    owner_user = forms.TypedChoiceField(
        label=_("Person responsible (optional)"), coerce=int, required=False, empty_value=None
    )
    owner_label = forms.CharField(label=_("Unit or team (optional)"), max_length=60, required=False)
    figure = forms.ChoiceField(label=_("Follows a platform figure (optional)"), required=False)
    indicator = forms.CharField(label=_("Indicator name"), max_length=60, required=False)
    baseline = forms.FloatField(label=_("Baseline"), min_value=-1e12, max_value=1e12, required=False)
    target = forms.FloatField(label=_("Target"), min_value=-1e12, max_value=1e12, required=False)

    def __init__(self, *args, plan, people, figures, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        _choices(self, "action", [(a.pk, a.name) for a in plan.actions.all()])
        _choices(self, "step", [("", "—")] + [(s.pk, s.name) for s in plan.steps.all()])
        _choices(self, "owner_user", [("", "—")] + [(u.pk, f"{u}（{where}）") for u, where in people])
        _choices(
            self, "figure", [("", "—")] + [(f.key, f"{f.label} · {f.name}（{f.shown}）") for f in figures]
        )


class ProviderForm(forms.Form):
    """A provider as staff put it in the directory (awaiting review) or correct it."""

    node = forms.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        widget=forms.HiddenInput,
        required=False,
        error_messages={"required": _("Choose where the provider is based.")},
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ProviderKind.choices)
    name = forms.CharField(label=_("Name"), max_length=60)
    organisation = forms.CharField(label=_("Organisation (optional)"), max_length=60, required=False)
    licence_no = forms.CharField(
        label=_("Qualification or licence number (doctors, teachers, lawyers)"), max_length=40, required=False
    )
    intro = forms.CharField(
        label=_("Introduction (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    volunteer = forms.BooleanField(
        label=_("Serves as a volunteer (free services earn hours and points)"), required=False
    )
    username = forms.CharField(
        label=_("Account that answers the orders (user name, optional)"), max_length=150, required=False
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"], self.fields["username"], self.fields["node"]
        else:
            self.fields["node"].required = True


class ServiceForm(forms.Form):
    """A service of a provider: what, where, when, for whom, what to bring, the price, the area served."""

    area = forms.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose the area the service serves.")},
    )
    title = forms.CharField(label=_("Service"), max_length=60)
    category = forms.ChoiceField(label=_("Category"), choices=ServiceCategory.choices)
    place = forms.ChoiceField(label=_("Where"), choices=ServicePlace.choices)
    venue = forms.CharField(label=_("Venue (if at a venue)"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Description (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"), coerce=int, choices=[], widget=forms.CheckboxSelectMultiple
    )
    opens = forms.TimeField(
        label=_("From (optional)"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes = forms.TimeField(
        label=_("Until (optional)"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    eligibility = forms.CharField(label=_("Who may use it (optional)"), max_length=200, required=False)
    documents = forms.CharField(label=_("What to bring (optional)"), max_length=300, required=False)
    price_kind = forms.ChoiceField(label=_("Price kind"), choices=PriceKind.choices)
    price = forms.DecimalField(
        label=_("Price (yuan)"), max_digits=7, decimal_places=2, min_value=0, max_value=99999, required=False
    )
    follows_workdays = forms.BooleanField(
        label=_("Follows the working-day calendar (closed on public holidays, open on make-up workdays)"),
        required=False,
    )
    orderable = forms.BooleanField(label=_("Can be ordered online"), required=False)
    active = forms.BooleanField(label=_("Shown in the directory"), required=False, initial=True)

    def __init__(self, *args, weekdays, editing: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        _choices(self, "weekdays", weekdays)
        if not editing:
            del self.fields["active"]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("area", None)
        data.pop("active", None)
        return data


class TypeForm(forms.Form):
    subdistrict = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    level = forms.ChoiceField(label=_("For"), choices=TypeLevel.choices)
    name = forms.CharField(label=_("Type"), max_length=40)
    priorities = forms.CharField(label=_("Priorities (optional)"), max_length=300, required=False)


class TypingForm(forms.Form):
    place = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    type = forms.TypedChoiceField(label=_("Type"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, types, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        _choices(
            self,
            "type",
            [("", _("No type"))]
            + [(t.pk, f"{t.name}（{t.node.name} · {t.get_level_display()}）") for t in types],
        )


class CapForm(forms.Form):
    capnode = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    cap = forms.DecimalField(
        label=_("Low-cost cap (yuan)"), max_digits=6, decimal_places=2, min_value=0, max_value=9999
    )


class ClosureForm(forms.Form):
    starts_on = forms.DateField(label=_("Closed from"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Closed until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Why (optional)"), max_length=60, required=False)
