from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.alliances.models import CapacityKind, Category, Urgency
from gongzhi.appeals.models import Rating


class NeedForm(forms.Form):
    """A need for a compound or community (or from an appeal: its number)."""

    node = forms.TypedChoiceField(label=_("Place"), coerce=int)
    appeal = forms.IntegerField(
        label=_("From appeal no. (optional)"), required=False, min_value=1, max_value=2**62
    )
    wish = forms.IntegerField(
        label=_("From wish no. (optional)"), required=False, min_value=1, max_value=2**62
    )
    hot = forms.BooleanField(required=False, widget=forms.HiddenInput)  # the appeal stands for a hot issue
    title = forms.CharField(label=_("What is needed"), max_length=60, required=False)
    description = forms.CharField(
        label=_("Details"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), choices=Urgency.choices, coerce=int, initial=Urgency.NORMAL
    )
    quantity_kind = forms.ChoiceField(label=_("Counted in"), choices=CapacityKind.choices)
    quantity = forms.IntegerField(label=_("How much"), min_value=1, max_value=100_000_000, initial=1)
    beneficiaries = forms.CharField(label=_("Who benefits"), max_length=60, required=False)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(p.pk, p.name) for p in places]


class ResourceForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    title = forms.CharField(label=_("What the unit offers"), max_length=60)
    description = forms.CharField(
        label=_("Details"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    capacity_kind = forms.ChoiceField(label=_("Counted in"), choices=CapacityKind.choices)
    capacity = forms.IntegerField(label=_("How much"), min_value=1, max_value=100_000_000)
    radius_km = forms.FloatField(label=_("Serves within (km)"), min_value=0, max_value=100, initial=3)
    available_from = forms.DateField(
        label=_("Available from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    available_until = forms.DateField(
        label=_("Available until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class ProjectStepForm(forms.Form):
    action = forms.CharField(max_length=16)
    note = forms.CharField(max_length=300, required=False)
    unit = forms.IntegerField(required=False, min_value=1, max_value=2**62)
    milestone = forms.IntegerField(required=False, min_value=1, max_value=2**62)


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How was it?"),
        choices=[
            (c.value, c.label) for c in (Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED)
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("A word (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AgreementForm(forms.Form):
    """A member unit's co-building agreement: term, content and the signed document."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    content = forms.CharField(
        label=_("What it covers"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    document = forms.FileField(label=_("Signed document (PDF or photo)"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class PledgeForm(forms.Form):
    """A unit's pledge to a drive: money, or goods with their value in yuan."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    amount = forms.IntegerField(label=_("Amount or value (yuan)"), min_value=1, max_value=10_000_000_000)
    item = forms.CharField(label=_("Goods (if in kind)"), max_length=40, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=100_000_000, required=False)
    destination = forms.CharField(label=_("Where it goes"), max_length=80, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class TransferForm(forms.Form):
    """Transfer an appeal to a co-building unit of its subdistrict."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    note = forms.CharField(
        label=_("Note to the unit"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class TransferReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("What the unit did"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ProjectActivityForm(forms.Form):
    """A volunteering activity for a project."""

    title = forms.CharField(label=_("Activity"), max_length=80)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000, initial=10)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)


class MallOfferForm(forms.Form):
    """A unit's item in the points mall."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    name = forms.CharField(label=_("Item"), max_length=80)
    price = forms.IntegerField(label=_("Price in points"), min_value=1, max_value=10_000_000)
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=10_000_000, initial=0)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class UnitAccountForm(forms.Form):
    """An account acting for a unit: a person's name and mobile number (they sign in with a code)."""

    name = forms.CharField(label=_("name"), max_length=40)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        help_text=_("They sign in with a code sent to this number."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


class PledgePlaceForm(forms.Form):
    """Where received goods went: a compound or community, a volunteering activity, or a mall item's stock
    (one choice, grouped)."""

    pledge = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    to = forms.ChoiceField(label=_("Where the goods went"))

    def __init__(self, *args, places=(), activities=(), items=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups: list = [("", _("Choose…"))]
        if places:
            groups.append((_("Compound or community"), [(f"node:{p.pk}", p.name) for p in places]))
        if activities:
            groups.append(
                (
                    _("Volunteering activity"),
                    [(f"activity:{a.pk}", f"{a.title}（{a.starts_at:%m-%d}）") for a in activities],
                )
            )
        if items:
            groups.append((_("Points mall stock"), [(f"item:{i.pk}", i.name) for i in items]))
        self.fields["to"].choices = groups

    def destination(self) -> tuple[str, int]:
        kind, _sep, pk = self.cleaned_data["to"].partition(":")
        return kind, int(pk)
