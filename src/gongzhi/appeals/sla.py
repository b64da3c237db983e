"""Deadlines: the most specific SLA policy for an appeal's category and tier, counted in hours or in
working days on the Chinese calendar (make-up workdays included)."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q

from gongzhi.appeals.models import Appeal, SlaPolicy, SlaUnit
from gongzhi.appeals.routing import ancestor_of_kind, lookups
from gongzhi.core.workdays import add_working_days
from gongzhi.orgs.models import NodeKind

DEFAULT_SLA = {"accept": (1, SlaUnit.WORKING_DAYS), "resolve": (5, SlaUnit.WORKING_DAYS)}


def sla_policy(*, appeal: Appeal, tier: str | None = None) -> tuple[tuple[int, str], tuple[int, str]]:
    """(accept limit, unit), (resolve limit, unit): the most specific policy for the appeal's category and
    ``tier`` (default: the tier it is at)."""
    tier = tier or appeal.tier
    subdistrict = ancestor_of_kind(appeal.node, NodeKind.SUBDISTRICT)
    cache = lookups.get()
    categories: list[int] = []
    category = appeal.category
    while category is not None:
        categories.append(category.pk)
        if cache is not None and category.parent_id in cache.categories:
            category = cache.categories[category.parent_id]
        else:
            category = category.parent
    candidates: Any
    if cache is not None and cache.policies is not None:
        candidates = [
            p
            for p in cache.policies
            if (p.subdistrict_id is None or (subdistrict is not None and p.subdistrict_id == subdistrict.pk))
            and (p.category_id is None or p.category_id in categories)
            and p.tier in ("", tier)
        ]
    else:
        candidates = SlaPolicy.objects.filter(
            Q(subdistrict__isnull=True) | Q(subdistrict=subdistrict),
            Q(category__isnull=True) | Q(category_id__in=categories),
            Q(tier="") | Q(tier=tier),
        )

    def specificity(policy: SlaPolicy) -> tuple[int, int, int]:
        depth = len(categories) - categories.index(policy.category_id) if policy.category_id else 0
        return (depth, bool(policy.tier), bool(policy.subdistrict_id))

    best = max(candidates, key=specificity, default=None)
    if best is None:
        return DEFAULT_SLA["accept"], DEFAULT_SLA["resolve"]
    return (best.accept_limit, best.accept_unit), (best.resolve_limit, best.resolve_unit)


def deadline(start: datetime, limit: int, unit: str) -> datetime:
    if unit == SlaUnit.HOURS:
        return start + timedelta(hours=limit)
    cache = lookups.get()
    return add_working_days(start, limit, cache.workdays if cache is not None else None)
