"""Prices of the directory (free, low-cost under the cap the subdistrict sets, or regular) and the times
residents and providers choose."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.community.errors import CommunityError
from gongzhi.community.models import PriceCap, PriceKind
from gongzhi.orgs.models import Node, NodeKind

# Where a subdistrict has set no cap, a low-cost service costs at most this.
DEFAULT_LOW_COST_CAP = Decimal(30)


def low_cost_cap(area: Node) -> Decimal:
    subdistrict = area.ancestor_of_kind(NodeKind.SUBDISTRICT)
    if subdistrict is None:
        return DEFAULT_LOW_COST_CAP
    # unscoped: the subdistrict's cap, read to check a price
    cap = PriceCap.objects.filter(node=subdistrict).values_list("low_cost_cap", flat=True).first()
    return cap if cap is not None else DEFAULT_LOW_COST_CAP


def check_price(*, kind: str, price: Decimal | None, area: Node, field: str = "price") -> None:
    """A free service has no price; a low-cost one costs no more than the subdistrict's cap."""
    if kind == PriceKind.FREE:
        if price:
            raise CommunityError.invalid(_("A free service has no price."), field=field)
        return
    if price is None:
        raise CommunityError.invalid(_("Give the price."), field=field)
    if kind == PriceKind.LOW_COST:
        cap = low_cost_cap(area)
        if price > cap:
            raise CommunityError.invalid(
                _("A low-cost service costs at most %(cap)s yuan here.") % {"cap": f"{cap:g}"},
                field=field,
                code="above_cap",
            )


def aware_time(value: Any, *, field: str, message: Any) -> datetime:
    """A moment as given (a time without zone is Beijing time); out-of-range dates are refused."""
    if not isinstance(value, datetime):
        raise CommunityError.invalid(message, field=field)
    try:
        moment = timezone.make_aware(value) if timezone.is_naive(value) else value
        moment.astimezone(timezone.get_current_timezone()).utcoffset()
        moment - timezone.now()
    except (OverflowError, ValueError):
        raise CommunityError.invalid(message, field=field) from None
    return moment
