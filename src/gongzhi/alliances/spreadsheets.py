"""The three lists (三张清单: resources, needs, projects) as one workbook of three sheets, as the user may
see them."""

import io
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font


def three_lists_export(*, actor: Any, reveal: bool = False) -> bytes:
    from gongzhi.alliances import selectors

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, headers: list[str], rows: Any) -> None:
        from openpyxl.cell import WriteOnlyCell

        ws = workbook.create_sheet(title=title[:31])
        header = []
        for text in headers:
            cell = WriteOnlyCell(ws, value=text)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in rows:
            ws.append(list(row))

    sheet(
        _("Resources"),
        [_("Unit"), _("Category"), _("Title"), _("Capacity"), _("Counted in"), _("Remaining"), _("Status")],
        (
            (
                r.unit.name,
                r.get_category_display(),
                r.title,
                r.capacity,
                r.get_capacity_kind_display(),
                r.remaining,
                r.get_status_display(),
            )
            for r in selectors.resource_list(fetched_by=actor).iterator(chunk_size=500)
        ),
    )
    sheet(
        _("Needs"),
        [_("Place"), _("Category"), _("Title"), _("Urgency"), _("Quantity"), _("Counted in"), _("Status")],
        (
            (
                n.node.name,
                n.get_category_display(),
                n.title,
                n.get_urgency_display(),
                n.quantity,
                n.get_quantity_kind_display(),
                n.get_status_display(),
            )
            for n in selectors.need_list(fetched_by=actor).iterator(chunk_size=500)
        ),
    )
    sheet(
        _("Projects"),
        [_("Name"), _("Category"), _("Place"), _("Units"), _("Status"), _("Progress (%)")],
        (
            (
                p.name,
                p.category.name if p.category else "",
                p.node.name,
                "、".join(pu.unit.name for pu in p.units.all()),
                p.get_status_display(),
                p.progress,
            )
            for p in selectors.project_list(fetched_by=actor)[:5000]
        ),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- imports: units and resources ---------------------------------------------------------------------
# Every row goes through the same service a page or the API uses, inside one transaction: a row the
# service refuses is reported with its column, and if any row is refused nothing of the file is kept.


def _parse_date(value: Any) -> date:
    from django.core.exceptions import ValidationError

    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise ValidationError(_("Enter a date like 2026-03-01.")) from None


def _unit_kind_aliases() -> dict[str, str]:
    return {
        "政府机关": "government",
        "机关": "government",
        "国企": "state_firm",
        "国有企业": "state_firm",
        "民企": "private_firm",
        "民营企业": "private_firm",
        "企业": "private_firm",
        "学校": "school",
        "医院": "hospital",
        "社会组织": "social_org",
    }


def unit_columns() -> list[Any]:
    from gongzhi.alliances.models import UnitKind
    from gongzhi.core.excel import Column, parse_choice, parse_float, parse_text

    return [
        Column("name", "单位名称", required=True, parse=parse_text(60)),
        Column("kind", "单位类型", required=True, parse=parse_choice(UnitKind, _unit_kind_aliases())),
        Column("subdistrict", "街道编码", required=True, parse=parse_text(32)),
        Column("party_org", "党组织", parse=parse_text(80)),
        Column("contact_name", "联系人", parse=parse_text(40)),
        Column("contact_phone", "联系电话", parse=parse_text(20)),
        Column("address", "地址", parse=parse_text(120)),
        Column("lat", "纬度", parse=parse_float),
        Column("lng", "经度", parse=parse_float),
        Column("alliances", "加入联盟", parse=parse_text(300)),
        Column("joined_on", "加入日期", parse=_parse_date),
    ]


def resource_columns() -> list[Any]:
    from gongzhi.alliances.models import CapacityKind, Category
    from gongzhi.core.excel import Column, parse_choice, parse_float, parse_int, parse_text

    return [
        Column("unit", "单位名称", required=True, parse=parse_text(60)),
        Column("subdistrict", "街道编码", required=True, parse=parse_text(32)),
        Column("category", "类别", required=True, parse=parse_choice(Category)),
        Column("title", "资源名称", required=True, parse=parse_text(60)),
        Column("description", "说明", parse=parse_text(500)),
        Column(
            "capacity_kind",
            "计量",
            required=True,
            parse=parse_choice(
                CapacityKind, {"小时": "hours", "人": "people", "个": "places", "元": "money", "件": "goods"}
            ),
        ),
        Column("capacity", "数量", required=True, parse=parse_int),
        Column("radius_km", "服务半径（公里）", parse=parse_float),
        Column("available_from", "开始日期", parse=_parse_date),
        Column("available_until", "结束日期", parse=_parse_date),
    ]


# Which column a service's refusal belongs to (its ``field``), for the row's error.
_UNIT_FIELDS = {
    "name": "单位名称",
    "kind": "单位类型",
    "node_id": "街道编码",
    "party_org": "党组织",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "address": "地址",
    "lat": "纬度",
    "joined_on": "加入日期",
}
_RESOURCE_FIELDS = {
    "category": "类别",
    "title": "资源名称",
    "description": "说明",
    "capacity_kind": "计量",
    "capacity": "数量",
    "radius_km": "服务半径（公里）",
    "available_until": "结束日期",
}


def _refusal(row: dict[str, Any], exc: Any, columns: dict[str, str]) -> Any:
    from gongzhi.core.excel import RowError

    # A refusal without a field: a duplicate is about the name, a refusal of reach about the place or unit.
    field = next(iter(exc.fields), "") if exc.fields else exc.code
    return RowError(row["_row"], columns.get(field, ""), str(exc.message))


def _subdistricts(codes: set[str]) -> dict[str, Any]:
    from gongzhi.orgs.models import Node, NodeKind

    # unscoped: codes looked up by the file; the service checks the importer's reach row by row
    return {n.code: n for n in Node.objects.filter(code__in=codes, kind=NodeKind.SUBDISTRICT)}


def _import(actor: Any, sheet: Any, columns: dict[str, str], write: Any) -> int:
    from django.db import transaction

    from gongzhi.alliances.errors import AllianceError
    from gongzhi.core.audit import audit_record
    from gongzhi.core.excel import ImportRejected

    errors = list(sheet.errors)
    with transaction.atomic():
        for row in sheet.rows:
            if any(e.row == row["_row"] for e in sheet.errors):
                continue
            try:
                with transaction.atomic():
                    write(row, errors)
            except AllianceError as exc:
                errors.append(_refusal(row, exc, columns))
        if errors:
            # Raised inside the transaction: whatever rows went in are rolled back with it.
            raise ImportRejected(sorted(errors, key=lambda e: (e.row, e.column)))
        audit_record(actor=actor, action="alliances.import", target=actor, rows=len(sheet.rows))
    return len(sheet.rows)


def units_import(*, actor: Any, source: Any, progress: Any = None) -> int:
    """Register every unit of the sheet (and admit it to the alliances it names), or none."""
    from gongzhi.alliances.models import Alliance
    from gongzhi.alliances.services import unit_register
    from gongzhi.core.excel import RowError, read_sheet

    sheet = read_sheet(source, unit_columns(), progress=progress)
    places = _subdistricts({r["subdistrict"] for r in sheet.rows if r.get("subdistrict")})

    def write(row: dict[str, Any], errors: list[Any]) -> None:
        node = places.get(row["subdistrict"])
        if node is None:
            errors.append(RowError(row["_row"], "街道编码", _("No subdistrict has this code.")))
            return
        alliances = []
        for name in [
            n.strip() for n in (row.get("alliances") or "").replace(",", "、").split("、") if n.strip()
        ]:
            # unscoped: an alliance of the row's subdistrict named in the file (the service checks reach)
            found = Alliance.objects.filter(node__path__startswith=node.path, name=name).first()
            if found is None:
                errors.append(
                    RowError(
                        row["_row"],
                        "加入联盟",
                        _("No alliance “%(name)s” in this subdistrict.") % {"name": name},
                    )
                )
                return
            alliances.append(found)
        unit_register(
            actor=actor,
            subdistrict=node,
            name=row["name"],
            kind=row["kind"],
            party_org=row.get("party_org") or "",
            contact_name=row.get("contact_name") or "",
            contact_phone=row.get("contact_phone") or "",
            address=row.get("address") or "",
            lat=row.get("lat"),
            lng=row.get("lng"),
            alliances=alliances,
            joined_on=row.get("joined_on"),
        )

    columns = {**_UNIT_FIELDS, "unit_id": "加入联盟", "duplicate": "单位名称", "forbidden": "街道编码"}
    return _import(actor, sheet, columns, write)


def resources_import(*, actor: Any, source: Any, progress: Any = None) -> int:
    """Post every resource of the sheet for its unit (open at once), or none."""
    from gongzhi.alliances.models import Unit
    from gongzhi.alliances.services import resource_post
    from gongzhi.core.excel import RowError, read_sheet

    sheet = read_sheet(source, resource_columns(), progress=progress)
    places = _subdistricts({r["subdistrict"] for r in sheet.rows if r.get("subdistrict")})

    def write(row: dict[str, Any], errors: list[Any]) -> None:
        node = places.get(row["subdistrict"])
        # unscoped: the unit named in the file at its subdistrict (the service checks the importer acts for it)
        unit = Unit.objects.filter(node=node, name=row["unit"]).first() if node else None
        if unit is None:
            errors.append(
                RowError(
                    row["_row"], "单位名称", _("No unit of this name is registered in this subdistrict.")
                )
            )
            return
        resource_post(
            actor=actor,
            unit=unit,
            category=row["category"],
            title=row["title"],
            description=row.get("description") or "",
            capacity_kind=row["capacity_kind"],
            capacity=row["capacity"],
            radius_km=3.0 if row.get("radius_km") is None else row["radius_km"],
            available_from=row.get("available_from"),
            available_until=row.get("available_until"),
        )

    return _import(actor, sheet, {**_RESOURCE_FIELDS, "forbidden": "单位名称"}, write)
