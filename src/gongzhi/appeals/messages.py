"""What an appeal's steps tell whom: the resident (in the app, and by text message for the steps that ask
something of them or close the matter; by text message only when staff filed for someone without an
account), the party it is assigned to, the next tier's handlers, and the neighbours who follow it.

Titles are message ids (``gettext_noop``), translated when shown, so everyone reads them in their own
language."""

from django.utils.translation import gettext_noop

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.appeals.models import Appeal, AppealSubscription, Tier
from gongzhi.appeals.routing import handlers_of
from gongzhi.appeals.rules import PARTY_ROLE, works_on
from gongzhi.notifications.services import notify, notify_person

# The resident: (title, also by text message).
RESIDENT_MESSAGES: dict[str, tuple[str, bool]] = {
    "accept": (gettext_noop("Your appeal has been accepted"), True),
    "accept:community": (gettext_noop("The community has taken up your appeal"), True),
    "accept:subdistrict": (gettext_noop("The subdistrict has taken up your appeal"), True),
    "escalate:community": (gettext_noop("Your appeal was passed up to the community"), False),
    "escalate:subdistrict": (gettext_noop("Your appeal was passed up to the subdistrict"), False),
    "assign:property_manager": (gettext_noop("Your appeal was handed to the property manager"), False),
    "assign:owners_committee": (gettext_noop("Your appeal was handed to the owners' committee"), False),
    "assign:person": (gettext_noop("Your appeal was handed to a named person to handle"), False),
    "request_info": (gettext_noop("Please add information to your appeal"), True),
    "propose": (gettext_noop("The work on your appeal is done: please check and rate it"), False),
    "resolve": (gettext_noop("Your appeal has been resolved: please rate how it was handled"), True),
}
FOLLOWER_MESSAGES = {
    "accept": gettext_noop("An appeal you follow was taken up"),
    "escalate": gettext_noop("An appeal you follow was passed up a level"),
    "resolve": gettext_noop("An appeal you follow was resolved"),
}


def _resident_user(appeal: Appeal) -> User | None:
    if appeal.resident is not None and appeal.resident.user_id:
        return appeal.resident.user
    submitter = appeal.submitted_by
    if submitter is not None and not works_on.test(submitter, appeal):
        return submitter
    return None


def _resident_message(appeal: Appeal, action: str) -> str | None:
    if action == "accept":
        return "accept" if appeal.tier == Tier.COMPOUND else f"accept:{appeal.tier}"
    if action == "escalate":
        return f"escalate:{appeal.tier}"
    if action == "assign":
        return f"assign:{appeal.assignee_unit.kind}" if appeal.assignee_unit is not None else "assign:person"
    return action if action in RESIDENT_MESSAGES else None


def party_members(appeal: Appeal) -> list[User]:
    """The people of the party the appeal is assigned to (or the person it is assigned to)."""
    if appeal.assignee_user is not None:
        return [appeal.assignee_user]
    unit = appeal.assignee_unit
    if unit is None:
        return []
    # unscoped: who works for the party at (or above) the unit's compound
    bindings = RoleBinding.objects.filter(
        role=PARTY_ROLE[unit.kind],
        node__path__in=[*unit.node.ancestor_paths(), unit.node.path],
        user__is_active=True,
    ).select_related("user")
    return list({b.user_id: b.user for b in bindings}.values())


def tell(appeal: Appeal, action: str, actor: User | None) -> None:
    link = f"/appeals/{appeal.pk}/"
    key = f"appeal:{appeal.pk}:{action}:{appeal.version}"
    message = _resident_message(appeal, action)
    if message is not None:
        title, by_text = RESIDENT_MESSAGES[message]
        resident = _resident_user(appeal)
        if resident is None and appeal.resident is not None and not appeal.resident.user_id:
            if by_text:  # filed by staff for someone in the register without an account: a text message
                notify_person(
                    person=appeal.resident,
                    kind=f"appeal.{action}",
                    title=title,
                    body=appeal.title,
                    dedupe_key=key,
                )
        elif resident is not None and resident != actor:
            notify(
                recipients=[resident],
                kind=f"appeal.{action}",
                title=title,
                body=appeal.title,
                link=link,
                dedupe_key=key,
                sms=by_text,
            )
    if action in FOLLOWER_MESSAGES:
        # unscoped: the people who asked to follow this appeal
        followers = [s.user for s in AppealSubscription.objects.filter(appeal=appeal).select_related("user")]
        notify(
            recipients=[u for u in followers if u != actor],
            kind="appeal.followed",
            title=FOLLOWER_MESSAGES[action],
            body=appeal.title,
            link=link,
            dedupe_key=f"{key}:followers",
        )
    if action in ("assign", "send_back"):
        notify(
            recipients=[u for u in party_members(appeal) if u != actor],
            kind="appeal.assigned",
            title=gettext_noop("An appeal was assigned to you")
            if action == "assign"
            else gettext_noop("An appeal was sent back to you: there is more to do"),
            body=appeal.title,
            link=link,
            dedupe_key=f"appeal:{appeal.pk}:{action}:{appeal.version}",
        )
    elif action in ("escalate", "propose", "hand_back"):
        title = {
            "escalate": gettext_noop("An appeal was escalated to you"),
            "propose": gettext_noop("The assigned party says an appeal is done: please confirm"),
            "hand_back": gettext_noop("An appeal was handed back to you"),
        }[action]
        notify(
            recipients=[u for u in handlers_of(appeal) if u != actor],
            kind=f"appeal.{'escalated' if action == 'escalate' else action}",
            title=title,
            body=appeal.title,
            link=link,
            dedupe_key=f"appeal:{appeal.pk}:{action}:{appeal.version}",
        )
