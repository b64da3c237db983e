"""The state machines of the module, on the shared engine (core.workflow):

- a service order: requested → the provider accepts (or proposes another time, which the resident agrees
  to, or declines) → done → the resident confirms and rates; cancelled by the resident or staff while open;
- a provider: awaiting review → listed by staff who checked the licence (or not listed) → suspended;
- an action plan: draft → under way → closed.
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.community import rules
from gongzhi.community.errors import CommunityError
from gongzhi.community.models import (
    LICENSED_KINDS,
    OrderStatus,
    Plan,
    PlanEvent,
    PlanStatus,
    PriceKind,
    Provider,
    ProviderEvent,
    ProviderStatus,
    ServiceOrder,
    ServiceOrderEvent,
)
from gongzhi.community.pricing import aware_time, check_price
from gongzhi.community.schedule import check_time
from gongzhi.core.images import clean_photo
from gongzhi.core.workflow import Required, Step, Transition, Workflow
from gongzhi.ledger.earning import earning_policy, points_for_hours, service_points_post
from gongzhi.notifications.services import notify
from gongzhi.orgs.models import NodeKind
from gongzhi.volunteering.rules import is_party_member

S = OrderStatus
NOTE = "note"

ORDER_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("accept", {S.REQUESTED}, S.ACCEPTED, allowed=rules.is_provider),
        Transition(
            "propose",
            {S.REQUESTED},
            S.PROPOSED,
            allowed=rules.is_provider,
            fields=[Required("when", gettext_lazy("Say which time you propose."), "time_required")],
        ),
        Transition("agree", {S.PROPOSED}, S.ACCEPTED, allowed=rules.is_orderer),
        Transition(
            "decline",
            {S.REQUESTED, S.PROPOSED},
            S.DECLINED,
            allowed=rules.is_provider,
            fields=[Required(NOTE, gettext_lazy("Say why you cannot take this order."), "note_required")],
        ),
        Transition("done", {S.ACCEPTED}, S.DONE, allowed=rules.is_provider),
        Transition(
            "confirm",
            {S.DONE},
            S.CONFIRMED,
            allowed=rules.orderer_or_staff,
            fields=[Required("rating", gettext_lazy("Choose one to five stars."), "rating_required")],
        ),
        Transition(
            "cancel", {S.REQUESTED, S.PROPOSED, S.ACCEPTED}, S.CANCELLED, allowed=rules.orderer_or_staff
        ),
    ]
}

# Who hears of each step: (recipient, message kind, title).
_TELL = {
    "accept": ("resident", "service_order_accepted", gettext_lazy("Your order was accepted: %(t)s")),
    "propose": ("resident", "service_order_proposed", gettext_lazy("Another time is proposed for %(t)s")),
    "agree": ("provider", "service_order_agreed", gettext_lazy("The resident agreed to your time: %(t)s")),
    "decline": ("resident", "service_order_declined", gettext_lazy("Your order was declined: %(t)s")),
    "done": ("resident", "service_order_done", gettext_lazy("Please confirm the service: %(t)s")),
    "confirm": ("provider", "service_order_rated", gettext_lazy("The resident rated your service: %(t)s")),
    "cancel": ("provider", "service_order_cancelled", gettext_lazy("An order was cancelled: %(t)s")),
}


def _decimal(value: Any, *, field: str, message: Any, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise CommunityError.invalid(message, field=field) from None
    if not number.is_finite() or not low <= number <= high:
        raise CommunityError.invalid(message, field=field)
    return number.quantize(Decimal("0.01"))


class ServiceOrderWorkflow(Workflow):
    model = ServiceOrder
    event_model = ServiceOrderEvent
    event_fk = "order"
    error = CommunityError
    transitions = ORDER_TRANSITIONS.values()
    note_length = 300
    actor_first = True
    conflict_message = gettext_lazy("Someone else changed this order just now; look again.")
    wrong_state_message = gettext_lazy("This order is no longer in a state that allows this.")

    def prepare_accept(self, step: Step) -> None:
        step.changes.update(answered_at=step.now, agreed_at=step.obj.wished_at, reply=step.note)

    def prepare_propose(self, step: Step) -> None:
        when = aware_time(
            step.payload["when"], field="when", message=_("Propose a time within the next 90 days.")
        )
        if when <= step.now or when > step.now + timedelta(days=90):
            raise CommunityError.invalid(_("Propose a time within the next 90 days."), field="when")
        check_time(step.obj.service, when, field="when")
        step.changes.update(answered_at=step.now, proposed_at=when, reply=step.note)

    def prepare_agree(self, step: Step) -> None:
        step.changes["agreed_at"] = step.obj.proposed_at

    def prepare_decline(self, step: Step) -> None:
        step.changes.update(answered_at=step.now, reply=step.note)

    def prepare_done(self, step: Step) -> None:
        order = step.obj
        service = order.service
        step.changes.update(done_at=step.now, reply=step.note or order.reply)
        if service.price_kind == PriceKind.FREE:
            if order.provider.volunteer:
                hours = step.payload.get("hours")
                step.changes["hours"] = _decimal(
                    1 if hours in (None, "") else hours,
                    field="hours",
                    message=_("Hours of service are from 0.5 to 8."),
                    low=Decimal("0.5"),
                    high=Decimal(8),
                )
            return
        paid = step.payload.get("price_paid")
        if paid in (None, ""):
            raise CommunityError.invalid(_("Give the price the resident paid."), field="price_paid")
        price = _decimal(
            paid,
            field="price_paid",
            message=_("A price is from 0 to 99,999 yuan."),
            low=Decimal(0),
            high=Decimal(99999),
        )
        check_price(kind=service.price_kind, price=price, area=service.area, field="price_paid")
        step.changes["price_paid"] = price

    def prepare_confirm(self, step: Step) -> None:
        rating = step.payload["rating"]
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise CommunityError.invalid(_("Choose one to five stars."), field="rating")
        step.changes.update(rating=rating, comment=step.note, confirmed_at=step.now)
        order = step.obj
        if order.hours and order.provider.user_id:
            # A free service by a volunteer earns points by the subdistrict's rule, as confirmed hours do.
            subdistrict = order.service.area.ancestor_of_kind(NodeKind.SUBDISTRICT)
            if subdistrict is not None:
                volunteer = order.provider.user
                role = "party_member" if is_party_member(volunteer) else "volunteer"
                points = points_for_hours(policy=earning_policy(subdistrict), hours=order.hours, role=role)
                step.memo.update(subdistrict=subdistrict, points=points)
                step.changes["points"] = points

    def after_confirm(self, step: Step) -> None:
        order = step.obj
        if step.memo.get("points"):
            # Keyed by the order: a repeated confirmation cannot pay twice.
            service_points_post(
                key=f"service-order:{order.pk}",
                subdistrict=step.memo["subdistrict"],
                user=order.provider.user,
                points=step.memo["points"],
                actor=step.actor,
                memo=f"{order.service.title} {order.hours}h"[:200],
                occurred_at=order.done_at,
            )

    def tell(self, step: Step) -> None:
        if step.action not in _TELL:
            return
        field, kind, title = _TELL[step.action]
        order = step.obj
        recipient = order.resident if field == "resident" else order.provider.user
        if recipient is None or recipient.pk == getattr(step.actor, "pk", None):
            return
        with translation.override(settings.LANGUAGE_CODE):
            text = str(title) % {"t": order.service.title}
        notify(
            recipients=[recipient],
            kind=kind,
            title=text,
            body=step.note,
            link=f"/community/orders/{order.pk}/",
        )


ORDER_WORKFLOW = ServiceOrderWorkflow()


def order_transition(
    *,
    actor: User,
    order: ServiceOrder,
    action: str,
    note: str = "",
    when: Any = None,
    rating: int | None = None,
    hours: Any = None,
    price_paid: Any = None,
) -> ServiceOrder:
    result: ServiceOrder = ORDER_WORKFLOW.apply(
        actor=actor,
        obj=order,
        action=action,
        note=note,
        when=when,
        rating=rating,
        hours=hours,
        price_paid=price_paid,
    )
    return result


def order_photo_attach(order: ServiceOrder, photo: Any) -> None:
    """Keep a cleaned copy (metadata removed) of the photo a resident sends with an order."""
    try:
        content, _width, _height = clean_photo(photo)
    except ValidationError as exc:
        raise CommunityError("bad_photo", "；".join(exc.messages)) from None
    order.photo.save(content.name, content, save=False)
    ServiceOrder.objects.filter(pk=order.pk).update(photo=order.photo.name)  # unscoped: the row just made


def notify_new_order(order: ServiceOrder) -> None:
    """Tell the provider of a new order (in the same transaction; delivered after commit)."""
    provider_user = order.provider.user
    if provider_user is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = str(gettext_lazy("A new order: %(t)s")) % {"t": order.service.title}
    notify(
        recipients=[provider_user],
        kind="service_order_new",
        title=text,
        link=f"/community/orders/{order.pk}/",
    )


# --- providers -------------------------------------------------------------------------------------------

P = ProviderStatus
PROVIDER_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("list", {P.PENDING, P.SUSPENDED}, P.LISTED, allowed=rules.reviews_provider),
        Transition(
            "reject",
            {P.PENDING},
            P.REJECTED,
            allowed=rules.reviews_provider,
            fields=[Required(NOTE, gettext_lazy("Say why the provider is not listed."), "note_required")],
        ),
        Transition(
            "suspend",
            {P.LISTED},
            P.SUSPENDED,
            allowed=rules.reviews_provider,
            fields=[Required(NOTE, gettext_lazy("Say why the provider is suspended."), "note_required")],
        ),
    ]
}


class ProviderWorkflow(Workflow):
    model = Provider
    event_model = ProviderEvent
    event_fk = "provider"
    error = CommunityError
    transitions = PROVIDER_TRANSITIONS.values()
    note_length = 300
    actor_first = True
    audit = True

    def prepare_list(self, step: Step) -> None:
        provider = step.obj
        if provider.kind in LICENSED_KINDS:
            if not provider.licence_no:
                raise CommunityError.conflict(
                    "licence_missing", _("A doctor, teacher or lawyer is listed only with a licence number.")
                )
            if not step.payload.get("licence_checked"):
                raise CommunityError.invalid(
                    _("Check the licence number before listing."),
                    field="licence_checked",
                    code="licence_unchecked",
                )
            step.changes.update(licence_checked_by=step.actor, licence_checked_at=step.now)
        step.changes["note"] = ""

    def prepare_reject(self, step: Step) -> None:
        step.changes["note"] = step.note[:200]

    prepare_suspend = prepare_reject

    def tell(self, step: Step) -> None:
        provider = step.obj
        if provider.user is None or step.action != "list":
            return
        with translation.override(settings.LANGUAGE_CODE):
            text = str(gettext_lazy("You are listed in the service directory: %(t)s")) % {"t": provider.name}
        notify(
            recipients=[provider.user],
            kind="provider_listed",
            title=text,
            link="/community/orders/?view=queue",
        )


PROVIDER_WORKFLOW = ProviderWorkflow()


def provider_transition(
    *, actor: User, provider: Provider, action: str, note: str = "", licence_checked: bool = False
) -> Provider:
    result: Provider = PROVIDER_WORKFLOW.apply(
        actor=actor, obj=provider, action=action, note=note, licence_checked=licence_checked
    )
    return result


# --- plans -----------------------------------------------------------------------------------------------

PS = PlanStatus
PLAN_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("launch", {PS.DRAFT}, PS.ACTIVE, allowed=rules.manages_plan),
        Transition("close", {PS.ACTIVE}, PS.CLOSED, allowed=rules.manages_plan),
        Transition("reopen", {PS.CLOSED}, PS.ACTIVE, allowed=rules.manages_plan),
    ]
}


class PlanWorkflow(Workflow):
    model = Plan
    event_model = PlanEvent
    event_fk = "plan"
    error = CommunityError
    transitions = PLAN_TRANSITIONS.values()
    note_length = 300
    actor_first = True

    def prepare_launch(self, step: Step) -> None:
        plan = step.obj
        # unscoped: the plan's own tasks, fetched with the plan
        if not plan.tasks.exists():
            raise CommunityError.conflict("no_tasks", _("A plan is launched once it has tasks."))


PLAN_WORKFLOW = PlanWorkflow()


def plan_transition(*, actor: User, plan: Plan, action: str, note: str = "") -> Plan:
    result: Plan = PLAN_WORKFLOW.apply(actor=actor, obj=plan, action=action, note=note)
    return result
