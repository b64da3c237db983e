"""``gongzhi demo``'s loader: runs every installed app's demo step (``GongzhiApp.demo``) in order, in one
transaction, with one seeded random generator, so the same code always loads the same data."""

import random
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils.module_loading import import_string

from gongzhi.core.registry import DemoContext, demo_steps
from gongzhi.demo.world import demo_is_loaded

__all__ = ["DemoLoader", "demo_is_loaded"]


class DemoLoader:
    def __init__(
        self,
        *,
        seed: int = 2024,
        residents_per_building: tuple[int, int] = (18, 30),
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.context = DemoContext(rng=random.Random(seed), progress=progress or (lambda message: None))
        self.context.shared["residents_per_building"] = residents_per_building

    def load(self) -> dict[str, Any]:
        """Load every step; the figures of all steps, for the summary line and the tests."""
        with transaction.atomic():
            for step in demo_steps():
                self.context.add(import_string(step.load)(self.context))
                _analyze()
        return self.context.figures


def _analyze() -> None:
    """PostgreSQL: fresh planner statistics after each step's bulk rows, so the next steps' queries are
    planned for tens of thousands of rows and not for the empty tables of before (SQLite is analysed once
    at the end, gongzhi.core.sqlite)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
