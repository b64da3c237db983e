"""Deliberation and mediation figures for a subtree and period: topics (by when they were raised) proposed,
from appeals, decided, done, residents' ratings of what was done; mediation cases (by when they were opened)
opened, at risk, with an agreement, referred, and the agreement rate. Cases are counted, never opened."""

from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.core.kpis import kpi_result
from gongzhi.core.registry import NUMBER, RATE, KpiFigure
from gongzhi.core.scoping import subtree_q
from gongzhi.deliberation.models import MediationCase, Topic, TopicStatus
from gongzhi.orgs.models import Node

DECIDED = (TopicStatus.DECIDED, TopicStatus.IN_PROGRESS, TopicStatus.DONE)


def _topics(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in ("topics", "from_appeals", "decided", "done", "satisfied")}
    out["ratings"] = row["rating_count"]
    out["average_rating"] = round(row["average_rating"], 2) if row["average_rating"] is not None else None
    out["satisfaction_rate"] = (
        round(row["satisfied"] / row["rating_count"], 4) if row["rating_count"] else None
    )
    out["done_rate"] = round(row["done"] / row["decided"], 4) if row["decided"] else None
    return out


def _cases(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in ("cases", "cases_at_risk", "agreements", "referrals")}
    closed = row["agreements"] + row["referrals"]
    out["agreement_rate"] = round(row["agreements"] / closed, 4) if closed else None
    return out


def deliberation_kpis(
    *, fetched_by: User, node: Node, start: datetime, end: datetime, group_by: str | None = None
) -> dict[str, Any]:
    common: dict[str, Any] = {
        "fetched_by": fetched_by,
        "node": node,
        "start": start,
        "end": end,
        "group_by": group_by,
    }
    topics = kpi_result(
        rows=Topic.objects.visible_to(fetched_by, "count").filter(
            subtree_q("node", [node.path]), created_at__gte=start, created_at__lt=end
        ),
        aggregates={
            "topics": Count("pk", distinct=True),
            "from_appeals": Count("pk", filter=Q(source="appeal"), distinct=True),
            "decided": Count("pk", filter=Q(status__in=DECIDED), distinct=True),
            "done": Count("pk", filter=Q(status=TopicStatus.DONE), distinct=True),
            "rating_count": Count("ratings", distinct=True),
            "satisfied": Count("ratings", filter=Q(ratings__score__gte=4), distinct=True),
            "average_rating": Avg("ratings__score"),
        },
        path_field="node__path",
        date_field="created_at",
        finish=_topics,
        **common,
    )
    cases = kpi_result(
        rows=MediationCase.objects.visible_to(fetched_by, "count").filter(
            subtree_q("node", [node.path]), created_at__gte=start, created_at__lt=end
        ),
        aggregates={
            "cases": Count("pk"),
            "cases_at_risk": Count("pk", filter=Q(at_risk=True)),
            "agreements": Count("pk", filter=Q(status__in=["agreed", "follow_up"])),
            "referrals": Count("pk", filter=Q(status="no_agreement")),
        },
        path_field="node__path",
        date_field="created_at",
        finish=_cases,
        **common,
    )
    result = {**topics, "total": {**topics["total"], **cases["total"]}}
    if group_by is not None:
        blank_t = _topics(
            dict.fromkeys(("topics", "from_appeals", "decided", "done", "rating_count", "satisfied"), 0)
            | {"average_rating": None}
        )
        blank_c = _cases(dict.fromkeys(("cases", "cases_at_risk", "agreements", "referrals"), 0))
        merged: dict[Any, dict[str, Any]] = {}
        for g in topics["groups"]:
            merged[g["key"]] = {**blank_c, **g}
        for g in cases["groups"]:
            merged[g["key"]] = {**blank_t, **merged.get(g["key"], {}), **g}
        result["groups"] = sorted(merged.values(), key=lambda g: str(g["key"]))
    return result


# The figures the provider returns (core.registry.KpiFigure): what the cockpit, the monthly reports and
# the action plans call them.
FIGURES: dict[str, KpiFigure] = {
    "topics": KpiFigure(_("Topics raised")),
    "from_appeals": KpiFigure(_("Topics taken up from appeals")),
    "decided": KpiFigure(_("Topics decided")),
    "done": KpiFigure(_("Topics carried out")),
    "ratings": KpiFigure(_("Ratings given")),
    "satisfied": KpiFigure(_("Satisfied ratings")),
    "average_rating": KpiFigure(_("Average rating"), NUMBER),
    "satisfaction_rate": KpiFigure(_("Satisfaction rate"), RATE),
    "done_rate": KpiFigure(_("Decisions carried out"), RATE),
    "cases": KpiFigure(_("Mediation cases")),
    "cases_at_risk": KpiFigure(_("Cases at risk")),
    "agreements": KpiFigure(_("Cases settled by agreement")),
    "referrals": KpiFigure(_("Cases referred on")),
    "agreement_rate": KpiFigure(_("Agreement rate"), RATE),
}
