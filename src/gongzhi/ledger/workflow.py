"""The mall order's state machine: placed (stock reserved, points paid) → approved (a pickup code goes to
the buyer) → picked up against the code; or rejected by staff / cancelled by the buyer, refunded in full.

Lock order for a refund, as for placing an order (mall.py): the buyer's points account, then the item,
then the mall's account (inside points_post)."""

import secrets
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.core.workflow import Required, Step, Transition, Workflow
from gongzhi.ledger import rules
from gongzhi.ledger.errors import MallError
from gongzhi.ledger.models import MallItem, MallOrder, MallOrderEvent, OrderStatus, PointsAccount
from gongzhi.ledger.services import accounts_for_spending, points_post
from gongzhi.notifications.services import notify

S = OrderStatus
REFUNDED = ("reject", "cancel")

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("approve", {S.PLACED}, S.APPROVED, allowed=rules.manages_order),
        Transition("pick_up", {S.APPROVED}, S.PICKED_UP, allowed=rules.manages_order),
        Transition(
            "reject",
            {S.PLACED, S.APPROVED},
            S.REJECTED,
            allowed=rules.manages_order,
            fields=[Required("note", gettext_lazy("Say why the order is rejected."), "note_required")],
        ),
        Transition("cancel", {S.PLACED, S.APPROVED}, S.CANCELLED, allowed=rules.is_buyer),
    ]
}


class OrderWorkflow(Workflow):
    model = MallOrder
    event_model = MallOrderEvent
    event_fk = "order"
    error = MallError
    transitions = TRANSITIONS.values()
    version_field = None  # the compare-and-set is on the status
    note_length = 200
    actor_first = True
    conflict_message = gettext_lazy("Someone else changed this order just now; look again.")
    wrong_state_message = gettext_lazy("This order is no longer in a state that allows this.")

    def prepare_approve(self, step: Step) -> None:
        step.changes.update(pickup_code=f"{secrets.randbelow(1_000_000):06d}", decided_at=step.now)

    def prepare_pick_up(self, step: Step) -> None:
        code = str(step.payload.get("code") or "").strip()
        # compared as bytes: compare_digest refuses a str holding anything but ASCII ("é")
        if not code or not secrets.compare_digest(code.encode(), step.obj.pickup_code.encode()):
            raise MallError("bad_code", _("The pickup code does not match."))
        step.changes["closed_at"] = step.now

    def prepare_reject(self, step: Step) -> None:
        step.changes.update(note=step.note, closed_at=step.now, decided_at=step.now)

    def prepare_cancel(self, step: Step) -> None:
        step.changes.update(note=step.note, closed_at=step.now)

    def lock(self, step: Step) -> None:
        if step.action in REFUNDED:
            # Same lock order as placing an order: the buyer's account first.
            order = step.obj
            buyer, mall = accounts_for_spending(subdistrict=order.item.subdistrict, user=order.buyer)
            # unscoped: locks the buyer's account of an order fetched in scope
            PointsAccount.objects.select_for_update().values_list("pk", flat=True).get(pk=buyer.pk)
            step.memo["accounts"] = (buyer, mall)

    def _refund(self, step: Step) -> None:
        order = step.obj
        buyer, mall = step.memo["accounts"]
        # unscoped: returns the stock of that order's item
        MallItem.objects.filter(pk=order.item_id).update(
            stock=F("stock") + order.quantity
        )  # unscoped: its order
        points_post(
            key=f"mall-refund:{order.pk}",
            kind="refund",
            postings=[(mall, -order.points), (buyer, order.points)],
            actor=step.actor,
            memo=f"{order.item.name} ×{order.quantity}"[:200],
            new_key=True,  # the compare-and-set lets exactly one refund through
        )

    after_reject = after_cancel = _refund

    def tell(self, step: Step) -> None:
        # Written in the site's language, whoever acts (the message is stored as text).
        with translation.override(settings.LANGUAGE_CODE):
            self._tell(step)

    def _tell(self, step: Step) -> None:
        order, item = step.obj, step.obj.item
        if step.action == "approve":
            title = _("Your order of %(item)s is ready: pickup code %(code)s") % {
                "item": item.name,
                "code": order.pickup_code,
            }
            body = " ".join(p for p in (item.pickup_place, item.pickup_hours) if p)
        elif step.action == "reject":
            title = _("Your order of %(item)s was rejected; the points are back") % {"item": item.name}
            body = order.note
        else:
            return
        notify(
            recipients=[order.buyer],
            kind=f"mall_{step.action}",
            title=title,
            body=body,
            link=f"/mall/orders/{order.pk}/",
            dedupe_key=f"mall:{order.pk}:{step.action}",
        )


ORDER_WORKFLOW = OrderWorkflow()


def order_transition(
    *, actor: User, order: MallOrder, action: str, note: str = "", code: str = ""
) -> MallOrder:
    """Approve (issue a pickup code), hand over (check the code), reject or cancel (refund in full)."""
    result: MallOrder = ORDER_WORKFLOW.apply(actor=actor, obj=order, action=action, note=note, code=code)
    return result


def order_actions(*, user: Any, order: MallOrder) -> list[str]:
    return ORDER_WORKFLOW.available(user, order)
