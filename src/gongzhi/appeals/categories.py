"""The default category tree: the official three-level taxonomy for citizen appeals (data/taxonomy.csv)."""

import csv
from pathlib import Path

from django.db import transaction

from gongzhi.appeals.models import Category

TAXONOMY = Path(__file__).resolve().parent / "data" / "taxonomy.csv"
# Second-level names whose appeals may need hour-level limits.
URGENT_WORDS = ("安全", "供水", "燃气", "供暖", "消防")


@transaction.atomic
def categories_load_default(path: Path = TAXONOMY) -> int:
    """Create the default (shared) tree from the CSV; existing entries are kept. Returns how many were added."""
    added = 0
    cache: dict[tuple[int | None, str], Category] = {
        (c.parent_id, c.name): c for c in Category.objects.filter(subdistrict__isnull=True)
    }

    def get(parent: Category | None, name: str, level: int) -> Category:
        nonlocal added
        key = (parent.pk if parent else None, name)
        if key not in cache:
            cache[key] = Category.objects.create(
                parent=parent, name=name, level=level, urgent=any(w in name for w in URGENT_WORDS)
            )
            added += 1
        return cache[key]

    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            top = get(None, row["level1"].strip(), 1)
            middle = get(top, row["level2"].strip(), 2)
            get(middle, row["level3"].strip(), 3)
    return added


def category_top_names() -> dict[int, str]:
    """Every category's first-level name, by category id (the tree is small: one query)."""
    parents = {
        pk: (parent, name) for pk, parent, name in Category.objects.values_list("pk", "parent_id", "name")
    }
    names = {}
    for pk in parents:
        root = pk
        while parents[root][0] is not None:
            root = parents[root][0]
        names[pk] = parents[root][1]
    return names
