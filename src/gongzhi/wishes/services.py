"""Every write about micro-wishes: post, moderate, claim (one volunteer only), accept the claim, fulfil with a
photo, thank; withdraw while unclaimed. One service applies each transition with a compare-and-set update
and appends an event."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.core.errors import ServiceError
from gongzhi.core.images import clean_photo
from gongzhi.core.scoping import bound_near, staff_over
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.wishes.models import Wish, WishEvent, WishStatus

S = WishStatus


class WishError(ServiceError):
    pass


@dataclass(frozen=True)
class WishTransition:
    sources: frozenset[str]
    target: str
    by: str  # "staff", "wisher" (or staff for them), "claimant", "volunteer" (anyone but the wisher)


TRANSITIONS: dict[str, WishTransition] = {
    "publish": WishTransition(frozenset({S.PENDING}), S.PUBLISHED, "staff"),
    "reject": WishTransition(frozenset({S.PENDING}), S.REJECTED, "staff"),
    "withdraw": WishTransition(frozenset({S.PENDING, S.PUBLISHED}), S.WITHDRAWN, "wisher"),
    "claim": WishTransition(frozenset({S.PUBLISHED}), S.CLAIMED, "volunteer"),
    "release": WishTransition(frozenset({S.CLAIMED, S.ACCEPTED}), S.PUBLISHED, "claimant_or_staff"),
    "accept": WishTransition(frozenset({S.CLAIMED}), S.ACCEPTED, "wisher"),
    "fulfil": WishTransition(frozenset({S.ACCEPTED}), S.FULFILLED, "claimant"),
    "thank": WishTransition(frozenset({S.FULFILLED}), S.THANKED, "wisher"),
}


def is_moderator(user: User | None, wish: Wish) -> bool:
    return staff_over(user, wish.node)


def wish_post(
    *,
    actor: User,
    compound: Node,
    title: str,
    body: str = "",
    wisher: User | None = None,
    wisher_name: str = "",
) -> Wish:
    """A resident posts a wish for their compound; staff may post for a resident (walk-in, phone). Staff
    posts are published at once; residents' wait for review."""
    if compound.kind != NodeKind.COMPOUND:
        raise WishError("invalid", _("Post a wish in a compound."))
    staff = staff_over(actor, compound)
    if not staff:
        if wisher is not None and wisher.pk != actor.pk:
            raise WishError("forbidden", _("You can post only your own wishes."))
        if not bound_near(actor, compound.path):
            raise WishError("forbidden", _("You can post wishes only in your own compound."))
        wisher = actor
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise WishError("invalid", _("Say what you wish for."))
    if len(title) > 60 or len(body) > 500:
        raise WishError("invalid", _("A wish is at most 60 characters, with at most 500 of details."))
    name = (wisher_name or "").strip() or (wisher.display_name or wisher.username if wisher else "")
    if not name:
        raise WishError("invalid", _("Give the name of the person who wishes."))
    now = timezone.now()
    status = S.PUBLISHED if staff else S.PENDING
    with transaction.atomic():
        wish = Wish.objects.create(
            node=compound,
            wisher=wisher,
            wisher_name=name[:40],
            posted_by=actor,
            title=title,
            body=body,
            status=status,
            published_at=now if staff else None,
        )
        WishEvent.objects.create(wish=wish, actor=actor, action="post", from_status="", to_status=status)
    return wish


def _may(actor: User, wish: Wish, by: str) -> bool:
    staff = is_moderator(actor, wish)
    if by == "staff":
        return staff
    if by == "wisher":
        return actor.pk == wish.wisher_id or staff
    if by == "claimant":
        return actor.pk == wish.claimant_id
    if by == "claimant_or_staff":
        return actor.pk == wish.claimant_id or staff
    if by == "volunteer":
        return actor.pk != wish.wisher_id
    return False


def wish_transition(*, actor: User, wish: Wish, action: str, note: str = "", photo: Any = None) -> Wish:
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise WishError("unknown_action", _("Unknown action."))
    if not _may(actor, wish, rule.by):
        raise WishError("forbidden", _("You cannot do this."))
    if wish.status not in rule.sources:
        if action == "claim" and wish.status in (S.CLAIMED, S.ACCEPTED):
            raise WishError("already_claimed", _("Someone has already claimed this wish."))
        raise WishError("wrong_state", _("This wish is no longer in a state that allows this."))
    note = (note or "").strip()
    now = timezone.now()
    changes: dict[str, Any] = {"status": rule.target, "version": F("version") + 1}
    if action == "reject":
        if not note:
            raise WishError("note_required", _("Say why the wish is not published."))
        changes["note"] = note[:200]
    elif action == "publish":
        changes["published_at"] = now
    elif action == "claim":
        changes.update(claimant=actor, claimed_at=now)
    elif action == "release":
        changes.update(claimant=None, claimed_at=None)
    elif action == "thank":
        if not note:
            raise WishError("note_required", _("Write a word of thanks."))
        changes["thanks"] = note[:300]
    elif action == "fulfil":
        if photo is None:
            raise WishError("photo_required", _("Add a photo of the wish fulfilled."))
        try:
            content, _w, _h = clean_photo(photo)
        except ValidationError as exc:
            raise WishError("bad_photo", "；".join(exc.messages)) from None
        changes["fulfilled_at"] = now
    with transaction.atomic():
        if not Wish.objects.filter(pk=wish.pk, version=wish.version, status=wish.status).update(**changes):
            if action == "claim":
                raise WishError("already_claimed", _("Someone has already claimed this wish."))
            raise WishError("conflict", _("Someone else changed this wish just now; look again."))
        if action == "fulfil":
            wish.photo.save(content.name, content, save=False)
            Wish.objects.filter(pk=wish.pk).update(photo=wish.photo.name)
        WishEvent.objects.create(
            wish=wish,
            actor=actor,
            action=action,
            from_status=wish.status,
            to_status=rule.target,
            note=note[:300],
        )
        _tell(wish, action, note)
    changes["version"] = wish.version + 1
    for field, value in changes.items():
        setattr(wish, field, value)
    return wish


# Who hears of each step: (the wish's field naming the recipient, message kind, title).
_TELL = {
    "claim": ("wisher", "wish_claimed", gettext_lazy("A volunteer offers to fulfil your wish: %(t)s")),
    "accept": ("claimant", "wish_accepted", gettext_lazy("Your offer was accepted: %(t)s")),
    "fulfil": ("wisher", "wish_fulfilled", gettext_lazy("Your wish was fulfilled: %(t)s")),
    "thank": ("claimant", "wish_thanked", gettext_lazy("Thank you for %(t)s")),
}


def _tell(wish: Wish, action: str, note: str) -> None:
    from gongzhi.notifications.services import notify

    if action not in _TELL:
        return
    field, kind, title = _TELL[action]
    recipient = getattr(wish, field)
    if recipient is None:
        return
    notify(
        recipients=[recipient],
        kind=kind,
        title=str(title) % {"t": wish.title},
        body=note if action == "thank" else "",
        link=f"/wishes/{wish.pk}/",
    )
