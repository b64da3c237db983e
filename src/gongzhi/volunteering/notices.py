"""What volunteering tells whom (a cancelled activity, a place freed for someone waiting)."""

from gongzhi.accounts.models import User
from gongzhi.notifications.services import notify
from gongzhi.volunteering.models import Activity


def tell(people: list[User], kind: str, title: str, body: str, activity: Activity) -> None:
    notify(
        recipients=people, kind=kind, title=title, body=body, link=f"/volunteering/activities/{activity.pk}/"
    )
