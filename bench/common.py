"""Helpers shared by the benchmarks (imported after django.setup())."""

import random

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.orgs.models import Node


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))], 1)


def bench_users(
    *, root_code: str, kind: str, role: str, count: int, rng: random.Random, prefix: str
) -> list[User]:
    """``count`` users, each holding ``role`` at a different random node of ``kind`` under the root (reset each run)."""
    nodes = list(Node.objects.filter(path__startswith=Node.objects.get(code=root_code).path, kind=kind))
    users = []
    for i, node in enumerate(rng.sample(nodes, min(count, len(nodes)))):
        user, _ = User.objects.get_or_create(username=f"{prefix}-{role}-{i}")
        RoleBinding.objects.filter(user=user).delete()
        RoleBinding.objects.create(user=user, role=role, node=node)
        users.append(user)
    return users
