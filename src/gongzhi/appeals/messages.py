"""What an appeal's steps tell whom: the resident (in the app and by text message, or by text message only
when staff filed for someone without an account), the person it is assigned to, the next tier's handlers."""

from django.utils.translation import gettext_noop

from gongzhi.accounts.models import User
from gongzhi.appeals.models import Appeal
from gongzhi.appeals.routing import handlers_of
from gongzhi.appeals.rules import works_on
from gongzhi.notifications.services import notify, notify_person

RESIDENT_MESSAGES = {
    "accept": gettext_noop("Your appeal has been accepted"),
    "request_info": gettext_noop("Please add information to your appeal"),
    "resolve": gettext_noop("Your appeal has been resolved: please rate how it was handled"),
}


def _resident_user(appeal: Appeal) -> User | None:
    if appeal.resident is not None and appeal.resident.user_id:
        return appeal.resident.user
    submitter = appeal.submitted_by
    if submitter is not None and not works_on.test(submitter, appeal):
        return submitter
    return None


def tell(appeal: Appeal, action: str, actor: User | None) -> None:
    link = f"/appeals/{appeal.pk}/"
    if action in RESIDENT_MESSAGES:
        resident = _resident_user(appeal)
        if resident is None and appeal.resident is not None and not appeal.resident.user_id:
            # Filed by staff for someone in the register without an account: a text message.
            notify_person(
                person=appeal.resident,
                kind=f"appeal.{action}",
                title=RESIDENT_MESSAGES[action],
                body=appeal.title,
                dedupe_key=f"appeal:{appeal.pk}:{action}:{appeal.version}",
            )
        elif resident is not None and resident != actor:
            notify(
                recipients=[resident],
                kind=f"appeal.{action}",
                title=RESIDENT_MESSAGES[action],
                body=appeal.title,
                link=link,
                dedupe_key=f"appeal:{appeal.pk}:{action}:{appeal.version}",
                sms=True,
            )
    elif action == "assign" and appeal.assignee_user is not None and appeal.assignee_user != actor:
        notify(
            recipients=[appeal.assignee_user],
            kind="appeal.assigned",
            title=gettext_noop("An appeal was assigned to you"),
            body=appeal.title,
            link=link,
            dedupe_key=f"appeal:{appeal.pk}:assign:{appeal.version}",
        )
    elif action == "escalate":
        notify(
            recipients=[u for u in handlers_of(appeal) if u != actor],
            kind="appeal.escalated",
            title=gettext_noop("An appeal was escalated to you"),
            body=appeal.title,
            link=link,
            dedupe_key=f"appeal:{appeal.pk}:escalate:{appeal.version}",
        )
