"""The wish's state machine: post → review → on the wall → one volunteer claims it → the wisher accepts the
offer → the helper fulfils it with a photo → the wisher thanks. Withdrawn only while nobody has claimed it."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.core.images import clean_photo
from gongzhi.core.workflow import Required, Step, Transition, Workflow
from gongzhi.notifications.services import notify
from gongzhi.wishes import rules
from gongzhi.wishes.errors import WishError
from gongzhi.wishes.models import Wish, WishEvent, WishStatus

S = WishStatus
NOTE = "note"

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("publish", {S.PENDING}, S.PUBLISHED, allowed=rules.is_moderator),
        Transition(
            "reject",
            {S.PENDING},
            S.REJECTED,
            allowed=rules.is_moderator,
            fields=[Required(NOTE, gettext_lazy("Say why the wish is not published."), "note_required")],
        ),
        Transition("withdraw", {S.PENDING, S.PUBLISHED}, S.WITHDRAWN, allowed=rules.wisher_or_staff),
        Transition("claim", {S.PUBLISHED}, S.CLAIMED, allowed=rules.is_volunteer),
        Transition("release", {S.CLAIMED, S.ACCEPTED}, S.PUBLISHED, allowed=rules.claimant_or_staff),
        Transition("accept", {S.CLAIMED}, S.ACCEPTED, allowed=rules.wisher_or_staff),
        Transition(
            "fulfil",
            {S.ACCEPTED},
            S.FULFILLED,
            allowed=rules.is_claimant,
            fields=[Required("photo", gettext_lazy("Add a photo of the wish fulfilled."), "photo_required")],
        ),
        Transition(
            "thank",
            {S.FULFILLED},
            S.THANKED,
            allowed=rules.wisher_or_staff,
            fields=[Required(NOTE, gettext_lazy("Write a word of thanks."), "note_required")],
        ),
    ]
}

# Who hears of each step: (the wish's field naming the recipient, message kind, title).
_TELL = {
    "publish": ("wisher", "wish_published", gettext_lazy("Your wish is on the wall: %(t)s")),
    "reject": ("wisher", "wish_rejected", gettext_lazy("Your wish was not put on the wall: %(t)s")),
    "claim": ("wisher", "wish_claimed", gettext_lazy("A volunteer offers to fulfil your wish: %(t)s")),
    "accept": ("claimant", "wish_accepted", gettext_lazy("Your offer was accepted: %(t)s")),
    "fulfil": ("wisher", "wish_fulfilled", gettext_lazy("Your wish was fulfilled: %(t)s")),
    "thank": ("claimant", "wish_thanked", gettext_lazy("Thank you for %(t)s")),
}


class WishWorkflow(Workflow):
    model = Wish
    event_model = WishEvent
    event_fk = "wish"
    error = WishError
    transitions = TRANSITIONS.values()
    note_length = 300
    actor_first = True
    conflict_message = gettext_lazy("Someone else changed this wish just now; look again.")
    wrong_state_message = gettext_lazy("This wish is no longer in a state that allows this.")

    def refuse_state(self, step: Step) -> WishError:
        if step.action == "claim" and step.from_status in (S.CLAIMED, S.ACCEPTED):
            return WishError.conflict("already_claimed", _("Someone has already claimed this wish."))
        return super().refuse_state(step)  # type: ignore[return-value]

    def refuse_conflict(self, step: Step) -> WishError:
        if step.action == "claim":
            return WishError.conflict("already_claimed", _("Someone has already claimed this wish."))
        return super().refuse_conflict(step)  # type: ignore[return-value]

    def tell(self, step: Step) -> None:
        if step.action not in _TELL:
            return
        field, kind, title = _TELL[step.action]
        wish = step.obj
        recipient = getattr(wish, field)
        if recipient is None:
            return
        # Written in the site's language, whoever acts (the message is stored as text).
        with translation.override(settings.LANGUAGE_CODE):
            text = str(title) % {"t": wish.title}
        notify(
            recipients=[recipient],
            kind=kind,
            title=text,
            body=step.note if step.action in ("thank", "reject") else "",
            link=f"/wishes/{wish.pk}/",
        )

    def prepare_publish(self, step: Step) -> None:
        step.changes["published_at"] = step.now

    def prepare_reject(self, step: Step) -> None:
        step.changes["note"] = step.note[:200]

    def prepare_claim(self, step: Step) -> None:
        step.changes.update(claimant=step.actor, claimed_at=step.now)

    def prepare_release(self, step: Step) -> None:
        step.changes.update(claimant=None, claimed_at=None)

    def prepare_thank(self, step: Step) -> None:
        step.changes["thanks"] = step.note[:300]

    def prepare_fulfil(self, step: Step) -> None:
        try:
            content, _width, _height = clean_photo(step.payload["photo"])
        except ValidationError as exc:
            raise WishError("bad_photo", "；".join(exc.messages)) from None
        step.memo["photo"] = content
        step.changes["fulfilled_at"] = step.now

    def after_fulfil(self, step: Step) -> None:
        wish, content = step.obj, step.memo["photo"]
        wish.photo.save(content.name, content, save=False)
        Wish.objects.filter(pk=wish.pk).update(photo=wish.photo.name)  # unscoped: the row just moved


WISH_WORKFLOW = WishWorkflow()


def wish_transition(*, actor: User, wish: Wish, action: str, note: str = "", photo: Any = None) -> Wish:
    result: Wish = WISH_WORKFLOW.apply(actor=actor, obj=wish, action=action, note=note, photo=photo)
    return result
