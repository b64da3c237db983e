"""Deliberation's and mediation's day measures for the cockpit's rollups (docs/cockpit.md): per node and
day a topic was raised, the topics, those from appeals, decided and done, and their ratings (count, sum of
scores, satisfied); per node and day a case was opened, the cases, at risk, with an agreement, referred."""

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import chain
from typing import Any

from django.db.models import Count, Q, Sum

from gongzhi.core.kpis import measure_rows, on_days
from gongzhi.deliberation.kpis import DECIDED, _cases
from gongzhi.deliberation.models import MediationCase, Topic, TopicRating, TopicStatus

SOURCES = [
    ("deliberation.topic", "created_at", ("created_at", "decided_at", "done_at")),
    ("deliberation.topicrating", "topic__created_at", ("at",)),
    ("deliberation.mediationcase", "created_at", ("created_at", "signed_at", "closed_at")),
]
TOPICS = ("topics", "from_appeals", "decided", "done", "ratings", "rating_sum", "satisfied")
CASES = ("cases", "cases_at_risk", "agreements", "referrals")


def daily_measures(*, days: Iterable[date] | None = None) -> Iterator[tuple[int, date, str, float]]:
    days = None if days is None else list(days)
    # unscoped: derived figures of every topic; readers apply their own scope (cockpit)
    topics = Topic.objects.all()
    # unscoped: derived figures of every rating
    ratings = TopicRating.objects.all()
    # unscoped: derived figures of every case (counted, never opened)
    cases = MediationCase.objects.all()
    if days is not None:
        topics = topics.filter(on_days("created_at", days))
        ratings = ratings.filter(on_days("topic__created_at", days))
        cases = cases.filter(on_days("created_at", days))
    return chain(
        measure_rows(
            topics,
            node="node_id",
            day="created_at",
            aggregates={
                "topics": Count("pk"),
                "from_appeals": Count("pk", filter=Q(source="appeal")),
                "decided": Count("pk", filter=Q(status__in=DECIDED)),
                "done": Count("pk", filter=Q(status=TopicStatus.DONE)),
            },
        ),
        measure_rows(
            ratings,
            node="topic__node_id",
            day="topic__created_at",
            aggregates={
                "ratings": Count("pk"),
                "rating_sum": Sum("score"),
                "satisfied": Count("pk", filter=Q(score__gte=4)),
            },
        ),
        measure_rows(
            cases,
            node="node_id",
            day="created_at",
            aggregates={
                "cases": Count("pk"),
                "cases_at_risk": Count("pk", filter=Q(at_risk=True)),
                "agreements": Count("pk", filter=Q(status__in=["agreed", "follow_up"])),
                "referrals": Count("pk", filter=Q(status="no_agreement")),
            },
        ),
    )


def figures(sums: dict[str, float]) -> dict[str, Any]:
    row = {name: int(sums.get(name, 0)) for name in TOPICS + CASES}
    out: dict[str, Any] = {
        k: row[k] for k in ("topics", "from_appeals", "decided", "done", "satisfied", "ratings")
    }
    rated = row["ratings"]
    out["average_rating"] = round(row["rating_sum"] / rated, 2) if rated else None
    out["satisfaction_rate"] = round(row["satisfied"] / rated, 4) if rated else None
    out["done_rate"] = round(row["done"] / row["decided"], 4) if row["decided"] else None
    return {**out, **_cases(row)}
