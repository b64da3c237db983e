"""A booking's state machine: booked → approved or not (where the area needs approval) → cancelled by the
booker or the venue's staff, with notice to the booker and to the people of the place it was for."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.core.roles import CASEWORK_ROLES
from gongzhi.core.workflow import Required, Step, Transition, Workflow
from gongzhi.notifications.services import notify
from gongzhi.venues import rules
from gongzhi.venues.bookings import describe
from gongzhi.venues.errors import VenueError
from gongzhi.venues.models import Booking, BookingEvent, BookingStatus

S = BookingStatus

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("approve", {S.PENDING}, S.CONFIRMED, allowed=rules.approves),
        Transition(
            "reject",
            {S.PENDING},
            S.REJECTED,
            allowed=rules.approves,
            fields=[Required("note", gettext_lazy("Say why the booking is not approved."), "note_required")],
        ),
        Transition("cancel", {S.PENDING, S.CONFIRMED}, S.CANCELLED, allowed=rules.booker_or_staff),
    ]
}

_TELL = {
    "approve": ("booking_approved", gettext_lazy("Your booking is approved: %(b)s")),
    "reject": ("booking_rejected", gettext_lazy("Your booking was not approved: %(b)s")),
    "cancel": ("booking_cancelled", gettext_lazy("A booking was cancelled: %(b)s")),
}


class BookingWorkflow(Workflow):
    model = Booking
    event_model = BookingEvent
    event_fk = "booking"
    error = VenueError
    transitions = TRANSITIONS.values()
    note_length = 300
    actor_first = True
    conflict_message = gettext_lazy("Someone else changed this booking just now; look again.")
    wrong_state_message = gettext_lazy("This booking is no longer in a state that allows this.")

    def audit_node(self, obj: Booking):
        return obj.space.venue.node

    def prepare_reject(self, step: Step) -> None:
        step.changes["note"] = step.note[:300]

    def prepare_cancel(self, step: Step) -> None:
        step.changes["note"] = step.note[:300]

    def tell(self, step: Step) -> None:
        booking: Booking = step.obj
        kind, title = _TELL[step.action]
        recipients = [booking.booked_by]
        if step.action == "cancel":
            # Notice to those who were to come: the booker, and the staff of the place it was for.
            recipients += _staff_of(booking)
        recipients = [u for u in recipients if u.pk != getattr(step.actor, "pk", None)]
        if not recipients:
            return
        with translation.override(settings.LANGUAGE_CODE):
            text = str(title) % {"b": describe(booking)}
        notify(recipients=recipients, kind=kind, title=text[:120], body=step.note, link="/venues/bookings/")


def _staff_of(booking: Booking) -> list[User]:
    if booking.for_node_id is None:
        return []
    # unscoped: the staff bound at the place a cancelled booking was for, to tell them
    return list(
        User.objects.filter(role_bindings__node=booking.for_node, role_bindings__role__in=CASEWORK_ROLES)
    )


BOOKING_WORKFLOW = BookingWorkflow()


def booking_transition(*, actor: User, booking: Booking, action: str, note: str = "") -> Booking:
    result: Booking = BOOKING_WORKFLOW.apply(
        actor=actor, obj=booking, action=action, note=note.replace("\x00", "")
    )
    return result
