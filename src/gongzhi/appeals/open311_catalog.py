"""Open311 services: the second level of the category trees (the compound tree first, then the hotline's
taxonomy), one "other" service for reports whose kind the filer does not know, and each service's
definition: the attributes a report of that kind asks for, checked when a report is posted."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from gongzhi.appeals.models import Appeal, Category, CategoryTree
from gongzhi.appeals.open311_format import Open311Error, parse_id

# Reports of an unknown kind (and appeals nobody has categorised yet, without a triage suggestion).
OTHER_CODE = "other"


def services() -> QuerySet[Category]:
    return (
        Category.objects.filter(level=2, subdistrict__isnull=True, is_active=True)
        .select_related("parent", "hotline__parent__parent")
        .prefetch_related("children")
        .order_by("tree", "parent__name", "name")  # "compound" sorts before "hotline"
    )


def service_get(code: str, status: int = 404) -> Category | None:
    """The category a service code names (None for "other"), or the spec's error."""
    if code == OTHER_CODE:
        return None
    category = services().filter(pk=parse_id(code, "service_code", status)).first()
    if category is None:
        raise Open311Error(status, "service_code not found")
    return category


def _subcategories(category: Category | None) -> list[Category]:
    if category is None:
        return []
    return sorted((c for c in category.children.all() if c.is_active), key=lambda c: c.name)


def service_row(category: Category | None) -> dict[str, Any]:
    if category is None:
        return {
            "service_code": OTHER_CODE,
            "service_name": _("Not sure (staff will choose)"),
            "description": _("Not sure what kind of problem it is: staff choose the category."),
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": _("Other"),
        }
    description = f"{category.parent.name if category.parent else ''} / {category.name}"
    if category.tree == CategoryTree.COMPOUND and category.hotline_id:
        description += f" (12345: {category.hotline_path})"
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": description,
        "metadata": True,  # every service takes at least the "title" and "public" attributes
        "type": "realtime",
        "keywords": ",".join(c.name for c in _subcategories(category)[:10]),
        "group": category.parent.name if category.parent else category.name,
    }


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    description: str
    values: list[tuple[str, str]]  # (key, name) for the list datatypes

    def as_row(self, order: int) -> dict[str, Any]:
        return {
            "variable": True,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": None,
            "order": order,
            "description": self.description,
            "values": [{"key": key, "name": name} for key, name in self.values],
        }


def attributes(category: Category | None) -> list[Attribute]:
    """What the resident's form asks for a report of this kind: a subject, whether neighbours may see it,
    and, where the hotline's taxonomy files at a third level, which entry (required: a transfer to 12345
    names the third level)."""
    found = [
        Attribute("title", "string", False, _("Subject (the first line of the description if left out)"), []),
        Attribute(
            "public",
            "singlevaluelist",
            False,
            _(
                "Who may see it: true, neighbours in the compound and public Open311 readers (without your "
                "name or contact); false, only the staff handling it; left out, neighbours in the compound."
            ),
            [("true", _("Yes")), ("false", _("No, only the staff handling it"))],
        ),
    ]
    subcategories = _subcategories(category)
    if subcategories:
        found.append(
            Attribute(
                "subcategory",
                "singlevaluelist",
                category is not None and category.tree == CategoryTree.HOTLINE,
                _("Which of these is it?"),
                [(str(c.pk), c.name) for c in subcategories],
            )
        )
    return found


def definition(code: str) -> dict[str, Any]:
    category = service_get(code)
    return {
        "service_code": code,
        "attributes": [a.as_row(order) for order, a in enumerate(attributes(category), start=1)],
    }


@dataclass(frozen=True)
class Answers:
    title: str
    public: bool  # neighbours see it (unless "false")
    open_data: bool  # key-less readers see it too (only when "true" was sent)
    category: Category | None


def read_attributes(category: Category | None, data: QueryDict) -> Answers:
    """The posted ``attribute[code]`` values, checked against the service's definition."""
    given: dict[str, str] = {
        key[10:-1]: str(data.get(key) or "")
        for key in data
        if key.startswith("attribute[") and key.endswith("]")
    }
    known = {a.code: a for a in attributes(category)}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise Open311Error(
            400, f"attribute[{unknown[0]}] is not an attribute of this service; see its definition"
        )
    for attribute in known.values():
        value = (given.get(attribute.code) or "").strip()
        if attribute.required and not value:
            raise Open311Error(400, f"attribute[{attribute.code}] is required for this service")
        keys = [key for key, _name in attribute.values]
        if value and keys and value not in keys:
            raise Open311Error(400, f"attribute[{attribute.code}] must be one of: {', '.join(keys)}")
    chosen = (given.get("subcategory") or "").strip()
    leaf = next((c for c in _subcategories(category) if str(c.pk) == chosen), None)
    return Answers(
        title=(given.get("title") or "").strip(),
        public=(given.get("public") or "true").strip() == "true",
        open_data=(given.get("public") or "").strip() == "true",
        category=leaf or category,
    )


class ServiceIndex:
    """Every service read once, so a list of requests names each one's service without a query per row."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[str, Any]] = {}
        self.under: dict[int | None, list[Category]] = {}
        for category in services():
            self.rows[category.pk] = service_row(category)
            self.under.setdefault(category.parent_id, []).append(category)
        self.other = service_row(None)

    def row_for(self, appeal: Appeal) -> dict[str, Any]:
        """The service an appeal is reported under: its category's second level; without a category, the
        triage suggestion's (a first-level entry answers for its "其他" entry, or its only one); else
        "other" (also for a subdistrict's own entries, which are not listed as services)."""
        category = appeal.category or appeal.suggested_category
        pk: int | None = None
        if category is not None and category.level == 3:
            pk = category.parent_id
        elif category is not None and category.level == 2:
            pk = category.pk
        elif category is not None:
            children = self.under.get(category.pk, [])
            named_other = [c for c in children if c.name == "其他"]
            if named_other or len(children) == 1:
                pk = (named_other or children)[0].pk
        return self.rows.get(pk, self.other) if pk is not None else self.other
