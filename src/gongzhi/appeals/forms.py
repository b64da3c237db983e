from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.appeals.intake import MAX_PHOTOS
from gongzhi.appeals.models import Channel, Rating
from gongzhi.core.forms import PlainForm


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; each is checked and cleaned by the service that stores it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(max)s photos; you chose %(n)s. Leave out %(extra)s and send again.")
                % {"max": MAX_PHOTOS, "n": len(files), "extra": len(files) - MAX_PHOTOS},
                code="too_many",
            )
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


PIN_ERROR = _("The spot on the map could not be read; remove the mark and tap the map again.")


class AppealForm(PlainForm):
    title = forms.CharField(label=_("What is the problem?"), max_length=120)
    body = forms.CharField(label=_("Details"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    node = forms.TypedChoiceField(label=_("Where is it?"), coerce=int)
    channel = forms.ChoiceField(
        label=_("How did it come in?"), choices=Channel.choices, initial=Channel.WEB, required=False
    )
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, empty_value=None, required=False)
    photos = MultiplePhotoField(label=_("Photos (optional, up to 9)"))
    hidden_from_neighbours = forms.BooleanField(label=_("Do not show this to my neighbours"), required=False)
    open_data = forms.BooleanField(
        label=_("Also publish it as open data for city and civic apps"), required=False
    )
    # Set when the resident saw neighbours' similar appeals and files theirs all the same.
    file_anyway = forms.BooleanField(widget=forms.HiddenInput, required=False)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    # A point on the map (GCJ-02, as the tiles), set by tapping the map under "Where is it?".
    lat = forms.FloatField(widget=forms.HiddenInput, min_value=-90, max_value=90, required=False)
    lng = forms.FloatField(widget=forms.HiddenInput, min_value=-180, max_value=180, required=False)

    def clean(self):
        data = super().clean()
        # The spot is set by the map, not typed: a bad value is one message on the map, not two hidden ones.
        if "lat" in self.errors or "lng" in self.errors:
            self.errors.pop("lat", None)
            self.errors.pop("lng", None)
            self.add_error("node", PIN_ERROR)
        elif (data.get("lat") is None) != (data.get("lng") is None):
            self.add_error("node", PIN_ERROR)
        return data

    def __init__(self, *args, places=(), staff=False, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.pk, n.name) for n in places]
        self.fields["category"].choices = [("", _("Not sure (staff will choose)") if not staff else "—")] + [
            (top.name, [(top.pk, top.name)] + [(c.pk, f"{top.name} › {c.name}") for c in children])
            for top, children in categories
        ]
        if not staff:
            # Residents describe the problem and may pick its kind from the compound tree; a category is
            # suggested and staff confirm it.
            del self.fields["channel"]
            self.fields["category"].label = _("What kind of problem is it? (optional)")
        else:
            self.fields["body"].widget.attrs.update(
                {
                    "hx-get": reverse_lazy("appeals:suggest"),
                    "hx-trigger": "input changed delay:700ms",
                    "hx-include": "[name=title],[name=body]",
                    "hx-target": "#suggestion",
                }
            )


class ActionForm(PlainForm):
    action = forms.CharField(max_length=24)
    note = forms.CharField(label=_("Note"), max_length=5000, required=False)
    reply = forms.CharField(label=_("Reply"), max_length=5000, required=False)
    rating = forms.ChoiceField(
        choices=[(k, v) for k, v in Rating.choices if k != Rating.NOT_RATED], required=False
    )
    comment = forms.CharField(max_length=500, required=False)
    transferred_to = forms.CharField(max_length=120, required=False)
    assignee_unit = forms.IntegerField(required=False)
    # "unit:7" (a party of the compound) or "user:12" (a person), as the assign list offers them.
    assignee = forms.RegexField(
        label=_("Assign to"), regex=r"^(unit|user):[0-9]{1,12}$", required=False, max_length=24
    )
    merge_into = forms.IntegerField(label=_("Duplicate of appeal number"), required=False)
    category = forms.IntegerField(required=False)
    reached = forms.BooleanField(required=False)  # a follow-up call: the resident answered
    photos = MultiplePhotoField(label=_("Photos of the work done (optional, up to 9)"))


class PhotoForm(PlainForm):
    photo = forms.FileField(label=_("Add a photo"), error_messages={"required": _("Choose a photo.")})


class BulkForm(PlainForm):
    """Accept several appeals chosen in the queue, or assign them: to one person, or each to its own
    compound's property manager or owners' committee."""

    action = forms.ChoiceField(choices=[("accept", "accept"), ("assign", "assign")])
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=())
    assignee = forms.RegexField(
        regex=r"^(user:[0-9]{1,12}|party:(property_manager|owners_committee))$", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any whole numbers (at most 200): which of them the user may act on is the selector's business.
        picked = [
            i for i in (self.data.getlist("ids") if hasattr(self.data, "getlist") else []) if i.isdigit()
        ]
        self.fields["ids"].choices = [(i, i) for i in picked[:200]]

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("assignee"):
            raise forms.ValidationError(_("Choose who to assign them to."))
        return data


class CategoryForm(PlainForm):
    """Add an entry to a subdistrict's own categories, or retire / bring back one of them."""

    node = forms.IntegerField(required=False, min_value=1)  # which subdistrict's categories
    action = forms.ChoiceField(choices=[("add", "add"), ("retire", "retire"), ("restore", "restore")])
    name = forms.CharField(max_length=60, required=False)
    parent = forms.IntegerField(required=False, min_value=1)
    category = forms.IntegerField(required=False, min_value=1)


class PlaceForm(PlainForm):
    """Which place a page shows (query string)."""

    node = forms.IntegerField(required=False, min_value=1)


class PeriodForm(PlaceForm):
    """The place and period a figures page shows (query string)."""

    days = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, choices=())
    sort = forms.CharField(required=False, max_length=24)

    def __init__(self, *args, periods=(30, 90, 365), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].choices = [(str(d), str(d)) for d in periods]
