"""Forms that parse the pages' input (the services check the rules)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.web import form_errors_message
from gongzhi.deliberation.errors import DeliberationError
from gongzhi.deliberation.models import CaseKind, OwnerKind, Reaction, Seat, Threshold, VoteKind

DATE = {"type": "date"}
DATETIME = {"type": "datetime-local"}


def parsed(form_class: type[forms.Form], data: Any, files: Any = None) -> dict[str, Any]:
    """The cleaned data, or a DeliberationError with every problem in one line (shown as a message)."""
    form = form_class(data, files)
    if not form.is_valid():
        raise DeliberationError.invalid(form_errors_message(form))
    return form.cleaned_data


class MeetingMoveForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("New time"), widget=forms.DateTimeInput(attrs=DATETIME))


class ProposeForm(forms.Form):
    council = forms.IntegerField(label=_("Council"), min_value=1, max_value=2**63 - 1)
    title = forms.CharField(label=_("Topic"), max_length=80)
    body = forms.CharField(label=_("Details"), max_length=2000, required=False, widget=forms.Textarea)


class FromAppealForm(forms.Form):
    appeal = forms.IntegerField(label=_("Appeal number"), min_value=1, max_value=2**63 - 1)
    council = forms.IntegerField(label=_("Council"), min_value=1, max_value=2**63 - 1, required=False)
    kind = forms.ChoiceField(label=_("Kind of dispute"), choices=CaseKind.choices, required=False)
    at_risk = forms.BooleanField(label=_("Risk of escalation"), required=False)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    seat = forms.ChoiceField(label=_("Seat"), choices=Seat.choices)
    unit = forms.CharField(label=_("Organisation"), max_length=60, required=False)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=80)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs=DATETIME))
    place = forms.CharField(label=_("Place"), max_length=80)


class StepForm(forms.Form):
    action = forms.CharField(max_length=20)
    note = forms.CharField(max_length=300, required=False)
    decision = forms.CharField(max_length=2000, required=False)
    council = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    meeting = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


class CommentForm(forms.Form):
    reaction = forms.ChoiceField(label=_("Your view"), choices=Reaction.choices)
    body = forms.CharField(label=_("Comment"), max_length=300, required=False)


class RatingForm(forms.Form):
    score = forms.IntegerField(label=_("Rating"), min_value=1, max_value=5)
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)


class VoteForm(forms.Form):
    topic = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = forms.ChoiceField(label=_("Kind of vote"), choices=VoteKind.choices)
    question = forms.CharField(label=_("Question"), max_length=120)
    options = forms.CharField(
        label=_("Options (one a line)"), max_length=700, required=False, widget=forms.Textarea
    )
    threshold = forms.ChoiceField(label=_("Passes with"), choices=Threshold.choices, required=False)
    secret = forms.BooleanField(label=_("Secret ballot"), required=False)
    major = forms.BooleanField(label=_("Major matter (¾)"), required=False)


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=100)
    owner_kind = forms.ChoiceField(label=_("Kind"), choices=OwnerKind.choices)
    owner_name = forms.CharField(label=_("Carried out by"), max_length=60)
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs=DATE))


class ProgressForm(forms.Form):
    item = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    evidence = forms.FileField(label=_("Photo"), required=False)


class CaseForm(forms.Form):
    node = forms.IntegerField(label=_("Place"), min_value=1, max_value=2**63 - 1)
    kind = forms.ChoiceField(label=_("Kind of dispute"), choices=CaseKind.choices)
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[
            ("walk_in", _("Walk-in")),
            ("police", _("Referred by the police")),
            ("court", _("Referred by a court")),
        ],
    )
    title = forms.CharField(label=_("Case"), max_length=80)
    facts = forms.CharField(label=_("Facts and disputed matters"), max_length=3000, widget=forms.Textarea)
    claims = forms.CharField(label=_("Claims"), max_length=2000, required=False, widget=forms.Textarea)
    applicant = forms.CharField(label=_("Applicant"), max_length=40)
    applicant_phone = forms.CharField(label=_("Applicant's mobile"), max_length=20, required=False)
    respondent = forms.CharField(label=_("Respondent"), max_length=40, required=False)
    respondent_phone = forms.CharField(label=_("Respondent's mobile"), max_length=20, required=False)
    at_risk = forms.BooleanField(label=_("Risk of escalation"), required=False)


class AgreeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Agreement"),
        choices=[("written", _("Written agreement")), ("oral", _("Oral agreement recorded"))],
    )
    responsibilities = forms.CharField(
        label=_("Each side's responsibilities"), max_length=2000, required=False, widget=forms.Textarea
    )
    terms = forms.CharField(label=_("Agreed terms"), max_length=3000, widget=forms.Textarea)
    performance = forms.CharField(label=_("How and where it is performed"), max_length=300, required=False)
    perform_by = forms.DateField(label=_("Performed by"), required=False, widget=forms.DateInput(attrs=DATE))
    sealed_by = forms.CharField(label=_("Seal"), max_length=60, required=False)


class ReferForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Referred to"),
        choices=[
            ("litigation", _("Litigation")),
            ("arbitration", _("Arbitration")),
            ("administrative", _("An administrative body")),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SessionForm(forms.Form):
    at = forms.DateTimeField(label=_("When"), widget=forms.DateTimeInput(attrs=DATETIME))
    place = forms.CharField(label=_("Place"), max_length=80)
    present = forms.CharField(label=_("Who came"), max_length=200)
    notes = forms.CharField(label=_("Notes"), max_length=3000, required=False, widget=forms.Textarea)


class FollowUpForm(forms.Form):
    due = forms.DateField(label=_("Visit on"), widget=forms.DateInput(attrs=DATE))


class FollowUpDoneForm(forms.Form):
    visit = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    performed = forms.BooleanField(label=_("Being performed"), required=False)
    note = forms.CharField(label=_("What the parties said"), max_length=300)
