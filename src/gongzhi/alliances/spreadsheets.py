"""The three lists (三张清单: resources, needs, projects) as one workbook of three sheets, as the user may
see them."""

import io
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
