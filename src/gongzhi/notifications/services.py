"""Queue messages in the outbox (inside the caller's transaction) and deliver them after commit."""

import dataclasses
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.accounts.models import Person, User
from gongzhi.notifications.delivery import notifications_deliver
from gongzhi.notifications.models import Channel, Notification
from gongzhi.notifications.tasks import deliver

__all__ = [
    "Message",
    "notifications_deliver",
    "notifications_mark_read",
    "notify",
    "notify_many",
    "notify_person",
]


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
    sms: bool = False,
) -> list[Notification]:
    """Write one in-app message per recipient (and an SMS row when ``sms`` and the person has a number)."""
    rows = []
    for user in {u.pk: u for u in recipients if u is not None}.values():
        channels = [Channel.IN_APP] + ([Channel.SMS] if sms and user.phone_cipher else [])
        for channel in channels:
            try:
                with transaction.atomic():
                    rows.append(
                        Notification.objects.create(
                            recipient=user,
                            channel=channel,
                            kind=kind,
                            title=title[:120],
                            body=body[:500],
                            link=link,
                            dedupe_key=dedupe_key[:120],
                        )
                    )
            except IntegrityError:
                continue  # already told about this event
    pending = [n.pk for n in rows]
    if pending:
        transaction.on_commit(lambda: _deliver_later(pending))
    return rows


@dataclasses.dataclass(frozen=True)
class Message:
    """One in-app message for ``notify_many``."""

    recipient: User
    kind: str
    title: str
    dedupe_key: str
    body: str = ""
    link: str = ""


def notify_many(messages: Iterable[Message]) -> list[Notification]:
    """In-app messages in bulk (periodic reminders): one query finds those already sent (same recipient,
    channel and dedupe key), one insert writes the rest. Same outcome as ``notify`` for each message."""
    wanted = {(m.recipient.pk, m.dedupe_key[:120]): m for m in messages}
    if "" in {key for _user, key in wanted}:
        raise ValueError("notify_many needs a dedupe key on every message")
    if not wanted:
        return []
    sent = set(
        Notification.objects.filter(
            channel=Channel.IN_APP,
            recipient_id__in={user for user, _key in wanted},
            dedupe_key__in={key for _user, key in wanted},
        ).values_list("recipient_id", "dedupe_key")
    )
    todo = [m for (user, key), m in wanted.items() if (user, key) not in sent]
    if not todo:
        return []
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(
                Notification(
                    recipient=m.recipient,
                    channel=Channel.IN_APP,
                    kind=m.kind,
                    title=m.title[:120],
                    body=m.body[:500],
                    link=m.link,
                    dedupe_key=m.dedupe_key[:120],
                )
                for m in todo
            )
    except IntegrityError:
        # Someone sent one of them meanwhile: fall back to one at a time, skipping what is there.
        return [
            note
            for m in todo
            for note in notify(
                recipients=[m.recipient],
                kind=m.kind,
                title=m.title,
                body=m.body,
                link=m.link,
                dedupe_key=m.dedupe_key,
            )
        ]
    pending = [n.pk for n in created]
    transaction.on_commit(lambda: _deliver_later(pending))
    return created


def notify_person(
    *, person: Person, kind: str, title: str, body: str = "", dedupe_key: str = ""
) -> Notification | None:
    """Text a resident in the register who has no account (staff filed for them). Nothing without a number."""
    if not person.phone_cipher:
        return None
    try:
        with transaction.atomic():
            row = Notification.objects.create(
                person=person,
                channel=Channel.SMS,
                kind=kind,
                title=title[:120],
                body=body[:500],
                dedupe_key=dedupe_key[:120],
            )
    except IntegrityError:
        return None  # already told about this event
    transaction.on_commit(lambda: _deliver_later([row.pk]))
    return row


def _deliver_later(ids: list[int]) -> None:
    deliver(ids)


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
