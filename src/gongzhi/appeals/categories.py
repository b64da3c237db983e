"""The default category trees: the official three-level taxonomy of the city hotline (data/taxonomy.csv)
and the compound tree residents and compound staff use (data/compound_tree.csv), each of whose entries
names the hotline entry it corresponds to."""

import csv
from pathlib import Path

from django.db import transaction

from gongzhi.appeals.models import Category, CategoryTree

TAXONOMY = Path(__file__).resolve().parent / "data" / "taxonomy.csv"
COMPOUND_TREE = Path(__file__).resolve().parent / "data" / "compound_tree.csv"
# Names whose appeals may need hour-level limits.
URGENT_WORDS = ("安全", "供水", "燃气", "供暖", "消防", "困人")


@transaction.atomic
def categories_load_default(path: Path = TAXONOMY, compound_path: Path = COMPOUND_TREE) -> int:
    """Create the default (shared) trees from the CSVs; existing entries are kept (and a compound entry's
    hotline mapping brought up to date). Returns how many were added."""
    added = 0
    cache: dict[tuple[str, int | None, str], Category] = {
        (c.tree, c.parent_id, c.name): c for c in Category.objects.filter(subdistrict__isnull=True)
    }

    def get(tree: str, parent: Category | None, name: str, level: int, **extra) -> Category:
        nonlocal added
        key = (tree, parent.pk if parent else None, name)
        if key not in cache:
            cache[key] = Category.objects.create(
                tree=tree,
                parent=parent,
                name=name,
                level=level,
                urgent=any(w in name for w in URGENT_WORDS),
                **extra,
            )
            added += 1
        elif extra and any(getattr(cache[key], f"{k}_id", None) != v.pk for k, v in extra.items()):
            Category.objects.filter(pk=cache[key].pk).update(**extra)
        return cache[key]

    hotline = CategoryTree.HOTLINE
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            top = get(hotline, None, row["level1"].strip(), 1)
            middle = get(hotline, top, row["level2"].strip(), 2)
            get(hotline, middle, row["level3"].strip(), 3)

    def hotline_entry(path: str) -> Category:
        entry = None
        for name in path.split("/"):
            entry = cache[(hotline, entry.pk if entry else None, name)]
        if entry is None:
            raise ValueError(f"{compound_path}: empty hotline entry")
        return entry

    compound = CategoryTree.COMPOUND
    with compound_path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    tops: dict[str, str] = {}
    for row in rows:
        tops.setdefault(row["level1"].strip(), row["hotline"].strip())
    for row in rows:
        level1 = row["level1"].strip()
        # A first-level entry maps to the hotline entry of its first second-level entry, one level up.
        top = get(compound, None, level1, 1, hotline=hotline_entry(tops[level1]).parent)
        get(compound, top, row["level2"].strip(), 2, hotline=hotline_entry(row["hotline"].strip()))
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
