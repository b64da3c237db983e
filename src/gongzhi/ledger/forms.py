"""Input of the mall's pages: a resident's order, the order's steps, and the staff page's forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.ledger.models import ItemKind


class OrderForm(forms.Form):
    quantity = forms.IntegerField(initial=1)  # the service allows 1 to 20, and says so
    client_key = forms.CharField(max_length=64)
    # Set only by the confirmation page's button: the web never spends points in one tap.
    confirm = forms.BooleanField(required=False)


class OrderPreviewForm(forms.Form):
    quantity = forms.IntegerField(required=False, min_value=1, max_value=20)


class OrderStepForm(forms.Form):
    action = forms.CharField(max_length=16)
    note = forms.CharField(max_length=200, required=False)
    code = forms.CharField(max_length=6, required=False)
    next = forms.CharField(max_length=200, required=False)


# --- the staff page: one form per purpose, told apart by the posted "form" field ----------------------


class ItemForm(forms.Form):
    node = forms.IntegerField(label=_("Where"), min_value=1)
    name = forms.CharField(label=_("Name"), max_length=80)
    price = forms.IntegerField(label=_("Price in points"))
    stock = forms.IntegerField(label=_("Stock"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices, required=False)
    provider = forms.CharField(label=_("Offered by"), max_length=80, required=False)
    limit = forms.IntegerField(label=_("Limit per person"), required=False)
    pickup_place = forms.CharField(label=_("Pick up at"), max_length=120, required=False)
    pickup_hours = forms.CharField(label=_("Pickup hours"), max_length=80, required=False)


class StockForm(forms.Form):
    item = forms.IntegerField(min_value=1)
    delta = forms.IntegerField(label=_("Pieces"))


class OfferForm(forms.Form):
    item = forms.IntegerField(min_value=1)
    # The page posts "1" or "0" (a checkbox widget would read "0" as true).
    active = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


class AwardProposalForm(forms.Form):
    node = forms.IntegerField(label=_("Where"), min_value=1)
    recipient = forms.IntegerField(label=_("Person"), min_value=1, required=False)  # chosen from a search
    username = forms.CharField(label=_("User name"), max_length=150, required=False)
    amount = forms.IntegerField(label=_("Points"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class AwardDecisionForm(forms.Form):
    award = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])


class EarningRuleForm(forms.Form):
    subdistrict = forms.IntegerField(min_value=1)
    # Whole numbers and numbers; their ranges are the service's to check (its message names them).
    points_per_hour = forms.IntegerField(label=_("Points per hour"))
    m_volunteer = forms.FloatField(label=_("Volunteer"))
    m_party_member = forms.FloatField(label=_("Party member"))
    m_leader = forms.FloatField(label=_("Team leader"))
    max_award = forms.IntegerField(label=_("Largest award"))
