"""Writes of the service directory: community types, providers (checked by staff before listing), their
services, and residents' orders (the steps after ordering are the transition table in workflow.py)."""

from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.community.errors import CommunityError
from gongzhi.community.models import (
    LICENSED_KINDS,
    CommunityType,
    NodeTyping,
    PriceCap,
    PriceKind,
    Provider,
    ProviderEvent,
    ProviderKind,
    ProviderStatus,
    Service,
    ServiceCategory,
    ServiceClosure,
    ServiceOrder,
    ServiceOrderEvent,
    ServicePlace,
    TypeLevel,
)
from gongzhi.community.pricing import aware_time, check_price
from gongzhi.community.rules import may_order, reviews_provider, sets_price_cap, types_node
from gongzhi.community.schedule import check_time
from gongzhi.community.workflow import notify_new_order, order_photo_attach
from gongzhi.core.rules import belongs_near, staff_at
from gongzhi.orgs.models import Node, NodeKind


def _text(value: str, *, field: str, limit: int, message: Any, required: bool = True) -> str:
    text = (value or "").replace("\x00", "").strip()
    if (required and not text) or len(text) > limit:
        raise CommunityError.invalid(message, field=field)
    return text


# --- community types -------------------------------------------------------------------------------------


def type_create(
    *, actor: User, subdistrict: Node, level: str, name: str, priorities: str = "", order: int = 0
) -> CommunityType:
    """Add a type to the subdistrict's list (its managers)."""
    if subdistrict.kind != NodeKind.SUBDISTRICT:
        raise CommunityError.invalid(_("Types are listed per subdistrict."), field="node")
    if not types_node.test(actor, subdistrict):
        raise CommunityError.forbidden(_("You cannot change this subdistrict's types."))
    if level not in TypeLevel.values:
        raise CommunityError.invalid(_("A type is for communities or for compounds."), field="level")
    name = _text(name, field="name", limit=40, message=_("A type's name is 1 to 40 characters."))
    priorities = _text(
        priorities, field="priorities", limit=300, message=_("At most 300 characters."), required=False
    )
    # unscoped: a duplicate check within the list the actor manages
    if CommunityType.objects.filter(node=subdistrict, level=level, name=name).exists():
        raise CommunityError.conflict("duplicate", _("This type is already in the list."))
    return CommunityType.objects.create(
        node=subdistrict, level=level, name=name, priorities=priorities, order=max(0, min(order, 1000))
    )


def node_type_set(*, actor: User, node: Node, community_type: CommunityType | None) -> NodeTyping | None:
    """Give a community or compound a type from its subdistrict's list (or none)."""
    if node.kind not in (NodeKind.COMMUNITY, NodeKind.COMPOUND):
        raise CommunityError.invalid(_("Only communities and compounds have a type."), field="node")
    if not types_node.test(actor, node):
        raise CommunityError.forbidden(_("You cannot change this place's type."))
    if community_type is None:
        # unscoped: the node's own typing, which the actor manages
        NodeTyping.objects.filter(node=node).delete()
        return None
    if community_type.level != node.kind or not node.path.startswith(community_type.node.path):
        raise CommunityError.invalid(
            _("Choose a type of this subdistrict's list for this level."), field="type"
        )
    # unscoped: the node's own typing, which the actor manages
    typing, _created = NodeTyping.objects.update_or_create(node=node, defaults={"type": community_type})
    return typing


# --- providers and services -----------------------------------------------------------------------------


def provider_register(
    *,
    actor: User,
    node: Node,
    kind: str,
    name: str,
    user: User | None = None,
    organisation: str = "",
    licence_no: str = "",
    intro: str = "",
    volunteer: bool = False,
) -> Provider:
    """Put a provider in the directory, awaiting review: staff for anyone at a place in their reach; a
    resident for themselves (a skilled resident or party member offering help)."""
    if kind not in ProviderKind.values:
        raise CommunityError.invalid(_("Choose the kind of provider."), field="kind")
    staff = staff_at.test(actor, node)
    if not staff:
        if kind not in (ProviderKind.SKILLED_RESIDENT, ProviderKind.PARTY_MEMBER, *LICENSED_KINDS):
            raise CommunityError.forbidden(_("Staff add units, merchants and desks."))
        if (user is not None and user.pk != actor.pk) or not belongs_near.test(actor, node):
            raise CommunityError.forbidden(_("You can offer your own services where you live."))
        user = actor
    name = _text(name, field="name", limit=60, message=_("A provider's name is 1 to 60 characters."))
    organisation = _text(
        organisation, field="organisation", limit=60, message=_("At most 60 characters."), required=False
    )
    licence_no = _text(
        licence_no, field="licence_no", limit=40, message=_("At most 40 characters."), required=False
    )
    intro = _text(intro, field="intro", limit=300, message=_("At most 300 characters."), required=False)
    if kind in LICENSED_KINDS and not licence_no:
        raise CommunityError.invalid(
            _("A doctor, teacher or lawyer gives a qualification or licence number."), field="licence_no"
        )
    with transaction.atomic():
        provider = Provider.objects.create(
            node=node,
            kind=kind,
            name=name,
            user=user,
            organisation=organisation,
            licence_no=licence_no,
            intro=intro,
            volunteer=bool(volunteer),
        )
        ProviderEvent.objects.create(
            provider=provider, actor=actor, action="register", from_status="", to_status=provider.status
        )
    return provider


def _weekdays(value: Any) -> str:
    days = sorted({int(d) for d in value}) if isinstance(value, list | tuple | set) else None
    if not days or any(d < 1 or d > 7 for d in days):
        raise CommunityError.invalid(_("Choose the days of the week it is offered."), field="weekdays")
    return ",".join(str(d) for d in days)


def _service_values(
    *,
    actor: User,
    provider: Provider,
    area: Node,
    category: str,
    title: str,
    place: str,
    description: str,
    venue: str,
    weekdays: Any,
    opens: time | None,
    closes: time | None,
    eligibility: str,
    documents: str,
    price_kind: str,
    price: Decimal | None,
    orderable: bool,
    follows_workdays: bool = False,
) -> dict[str, Any]:
    """A service's fields, checked: staff over the provider's place and over the area it serves."""
    if not reviews_provider.test(actor, provider):
        raise CommunityError.forbidden(_("Staff over the provider's place add their services."))
    if area.kind not in (NodeKind.COMPOUND, NodeKind.COMMUNITY, NodeKind.SUBDISTRICT):
        raise CommunityError.invalid(
            _("A service serves a compound, a community or a subdistrict."), field="area"
        )
    if not staff_at.test(actor, area):
        raise CommunityError.forbidden(_("You cannot offer services there."))
    if category not in ServiceCategory.values:
        raise CommunityError.invalid(_("Choose a category."), field="category")
    if place not in ServicePlace.values:
        raise CommunityError.invalid(_("Say where the service is given."), field="place")
    if price_kind not in PriceKind.values:
        raise CommunityError.invalid(_("Choose free, low cost or regular."), field="price_kind")
    title = _text(title, field="title", limit=60, message=_("A service's name is 1 to 60 characters."))
    description = _text(
        description, field="description", limit=500, message=_("At most 500 characters."), required=False
    )
    venue = _text(venue, field="venue", limit=100, message=_("At most 100 characters."), required=False)
    eligibility = _text(
        eligibility, field="eligibility", limit=200, message=_("At most 200 characters."), required=False
    )
    documents = _text(
        documents, field="documents", limit=300, message=_("At most 300 characters."), required=False
    )
    if place == ServicePlace.VENUE and not venue:
        raise CommunityError.invalid(_("Say at which venue."), field="venue")
    if (opens is None) != (closes is None) or (opens is not None and closes is not None and opens >= closes):
        raise CommunityError.invalid(_("Give the opening hours, from before until."), field="opens")
    if price is not None:
        try:
            price = Decimal(price).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise CommunityError.invalid(_("A price is from 0 to 99,999 yuan."), field="price") from None
        if not price.is_finite() or not Decimal(0) <= price <= Decimal(99999):
            raise CommunityError.invalid(_("A price is from 0 to 99,999 yuan."), field="price")
    check_price(kind=price_kind, price=price, area=area)
    return {
        "area": area,
        "category": category,
        "title": title,
        "description": description,
        "place": place,
        "venue": venue,
        "weekdays": _weekdays(list(weekdays)),
        "opens": opens,
        "closes": closes,
        "eligibility": eligibility,
        "documents": documents,
        "price_kind": price_kind,
        "price": price if price_kind != PriceKind.FREE else None,
        "orderable": bool(orderable),
        "follows_workdays": bool(follows_workdays),
    }


def service_add(
    *,
    actor: User,
    provider: Provider,
    area: Node,
    category: str,
    title: str,
    place: str,
    description: str = "",
    venue: str = "",
    weekdays: list[int] | tuple[int, ...] = (1, 2, 3, 4, 5),
    opens: time | None = None,
    closes: time | None = None,
    eligibility: str = "",
    documents: str = "",
    price_kind: str = PriceKind.FREE,
    price: Decimal | None = None,
    orderable: bool = True,
    follows_workdays: bool = False,
) -> Service:
    """A provider's service for an area (a compound, a community or the subdistrict): staff over the
    provider's place add it."""
    values = _service_values(
        actor=actor,
        provider=provider,
        area=area,
        category=category,
        title=title,
        place=place,
        description=description,
        venue=venue,
        weekdays=weekdays,
        opens=opens,
        closes=closes,
        eligibility=eligibility,
        documents=documents,
        price_kind=price_kind,
        price=price,
        orderable=orderable,
        follows_workdays=follows_workdays,
    )
    return Service.objects.create(provider=provider, **values)


def service_closure_add(
    *, actor: User, service: Service, starts_on: date, ends_on: date, reason: str = ""
) -> ServiceClosure:
    """Days the service is not given (besides its weekly rule and the holidays): orders are not taken then."""
    if not reviews_provider.test(actor, service.provider):
        raise CommunityError.forbidden(_("Staff over the provider's place change its services."))
    today = timezone.localdate()
    if not (today <= starts_on <= ends_on <= today + timedelta(days=366)):
        raise CommunityError.invalid(
            _("Closed days run from today to within a year, the first before the last."), field="ends_on"
        )
    reason = _text(reason, field="reason", limit=60, message=_("At most 60 characters."), required=False)
    # unscoped: the closures of a service the actor manages
    if ServiceClosure.objects.filter(service=service, ends_on__gte=today).count() >= 50:
        raise CommunityError.invalid(_("At most 50 closures ahead."), field="starts_on")
    return ServiceClosure.objects.create(service=service, starts_on=starts_on, ends_on=ends_on, reason=reason)


def service_closure_remove(*, actor: User, closure: ServiceClosure) -> None:
    if not reviews_provider.test(actor, closure.service.provider):
        raise CommunityError.forbidden(_("Staff over the provider's place change its services."))
    closure.delete()


def service_update(*, actor: User, service: Service, active: bool = True, **fields: Any) -> Service:
    """Change a service (the same checks as adding it), or take it off the directory (``active``)."""
    values = _service_values(actor=actor, provider=service.provider, **fields)
    values["active"] = bool(active)
    with transaction.atomic():
        # unscoped: the service fetched in scope; the checks above are the actor's right over it
        Service.objects.filter(pk=service.pk).update(**values)
    for name, value in values.items():
        setattr(service, name, value)
    return service


def provider_update(
    *,
    actor: User,
    provider: Provider,
    name: str,
    organisation: str = "",
    licence_no: str = "",
    intro: str = "",
    volunteer: bool = False,
) -> Provider:
    """Staff correct a provider's details. A new licence number of a doctor, teacher or lawyer is checked
    again: the check is cleared and a listed provider goes back to awaiting review."""
    if not reviews_provider.test(actor, provider):
        raise CommunityError.forbidden(_("Staff over the provider's place change it."))
    name = _text(name, field="name", limit=60, message=_("A provider's name is 1 to 60 characters."))
    organisation = _text(
        organisation, field="organisation", limit=60, message=_("At most 60 characters."), required=False
    )
    licence_no = _text(
        licence_no, field="licence_no", limit=40, message=_("At most 40 characters."), required=False
    )
    intro = _text(intro, field="intro", limit=300, message=_("At most 300 characters."), required=False)
    if provider.kind in LICENSED_KINDS and not licence_no:
        raise CommunityError.invalid(
            _("A doctor, teacher or lawyer gives a qualification or licence number."), field="licence_no"
        )
    changes: dict[str, Any] = {
        "name": name,
        "organisation": organisation,
        "licence_no": licence_no,
        "intro": intro,
        "volunteer": bool(volunteer),
    }
    recheck = provider.kind in LICENSED_KINDS and licence_no != provider.licence_no
    if recheck:
        changes.update(licence_checked_by=None, licence_checked_at=None)
        if provider.status == ProviderStatus.LISTED:
            changes["status"] = ProviderStatus.PENDING
    with transaction.atomic():
        # unscoped: a compare-and-set on the provider fetched in scope
        moved = Provider.objects.filter(pk=provider.pk, version=provider.version).update(
            version=provider.version + 1, **changes
        )
        if not moved:
            raise CommunityError.conflict("conflict", _("Someone else changed this just now; look again."))
        ProviderEvent.objects.create(
            provider=provider,
            actor=actor,
            action="edit",
            from_status=provider.status,
            to_status=changes.get("status", provider.status),
            note=_("New licence number, to check again.") if recheck else "",
        )
    for field_name, value in changes.items():
        setattr(provider, field_name, value)
    provider.version += 1
    return provider


def price_cap_set(*, actor: User, subdistrict: Node, cap: Decimal) -> PriceCap:
    """The subdistrict's administrator sets the most a low-cost service may cost."""
    if subdistrict.kind != NodeKind.SUBDISTRICT or not sets_price_cap.test(actor, subdistrict):
        raise CommunityError.forbidden(_("The subdistrict's administrator sets the cap."))
    try:
        cap = Decimal(cap).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise CommunityError.invalid(_("A cap is from 0 to 9,999 yuan."), field="cap") from None
    if not cap.is_finite() or not Decimal(0) <= cap <= Decimal(9999):
        raise CommunityError.invalid(_("A cap is from 0 to 9,999 yuan."), field="cap")
    # unscoped: the actor's right over the subdistrict is checked above
    row, _created = PriceCap.objects.update_or_create(node=subdistrict, defaults={"low_cost_cap": cap})
    return row


# --- orders ----------------------------------------------------------------------------------------------


def order_place(
    *,
    actor: User,
    service: Service,
    compound: Node,
    wished_at: Any,
    address: str = "",
    for_whom: str = "",
    note: str = "",
    photo: Any = None,
) -> ServiceOrder:
    """A resident orders a listed service offered where they live, for a time within the next 60 days."""
    if not may_order.test(actor):
        raise CommunityError.forbidden(_("You cannot order services."))
    if not service.active or not service.orderable or service.provider.status != ProviderStatus.LISTED:
        raise CommunityError.conflict("not_orderable", _("This service cannot be ordered online now."))
    if service.provider.user_id == actor.pk:
        raise CommunityError.forbidden(_("You cannot order your own service."))
    if compound.kind != NodeKind.COMPOUND or not belongs_near.test(actor, compound):
        raise CommunityError.forbidden(_("Order for the compound where you live."))
    if not compound.path.startswith(service.area.path):
        raise CommunityError.invalid(_("This service does not reach your compound."), field="node")
    now = timezone.now()
    wished_at = aware_time(wished_at, field="wished_at", message=_("Choose a time within the next 60 days."))
    if wished_at <= now or wished_at > now + timedelta(days=60):
        raise CommunityError.invalid(_("Choose a time within the next 60 days."), field="wished_at")
    check_time(service, wished_at, field="wished_at")
    address = _text(address, field="address", limit=120, message=_("At most 120 characters."), required=False)
    if service.place == ServicePlace.HOME and not address:
        raise CommunityError.invalid(_("Say where you live (building and flat)."), field="address")
    for_whom = _text(
        for_whom, field="for_whom", limit=20, message=_("At most 20 characters."), required=False
    )
    note = _text(note, field="note", limit=300, message=_("At most 300 characters."), required=False)
    with transaction.atomic():
        order = ServiceOrder(
            service=service,
            provider=service.provider,
            node=compound,
            resident=actor,
            wished_at=wished_at,
            for_whom=for_whom,
            note=note,
        )
        order.set_address(address)
        order.save()
        ServiceOrderEvent.objects.create(
            order=order, actor=actor, action="order", from_status="", to_status=order.status
        )
        if photo is not None:
            order_photo_attach(order, photo)
        notify_new_order(order)
    return order
