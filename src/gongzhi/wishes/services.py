"""Every write about micro-wishes: posting (here) and the steps of a wish (the transition table in
workflow.py: review, one volunteer's claim, the wisher's acceptance, fulfilment with a photo, thanks)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.rules import belongs_near, staff_at
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.wishes.errors import WishError
from gongzhi.wishes.models import Wish, WishEvent, WishStatus
from gongzhi.wishes.rules import is_moderator
from gongzhi.wishes.workflow import TRANSITIONS, WISH_WORKFLOW, wish_transition

__all__ = ["TRANSITIONS", "WishError", "is_moderator", "wish_actions", "wish_post", "wish_transition"]

S = WishStatus


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
        raise WishError.invalid(_("Post a wish in a compound."), field="node")
    staff = staff_at.test(actor, compound)
    if not staff:
        if wisher is not None and wisher.pk != actor.pk:
            raise WishError.forbidden(_("You can post only your own wishes."))
        if not belongs_near.test(actor, compound):
            raise WishError.forbidden(_("You can post wishes only in your own compound."))
        wisher = actor
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise WishError.invalid(_("Say what you wish for."), field="title")
    if len(title) > 60 or len(body) > 500:
        raise WishError.invalid(
            _("A wish is at most 60 characters, with at most 500 of details."), field="title"
        )
    name = (wisher_name or "").strip() or (wisher.display_name or wisher.username if wisher else "")
    if not name:
        raise WishError.invalid(_("Give the name of the person who wishes."), field="wisher_name")
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


def wish_actions(*, user: User, wish: Wish) -> list[str]:
    """The steps ``user`` may take on ``wish`` now."""
    return WISH_WORKFLOW.available(user, wish)
