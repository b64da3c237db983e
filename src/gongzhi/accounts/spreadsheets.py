"""Residents' register in and out of Excel."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.errors import AccountsError
from gongzhi.accounts.models import Gender, Person, User
from gongzhi.accounts.rules import may_reveal
from gongzhi.accounts.selectors import person_list
from gongzhi.core import pii
from gongzhi.core.audit import audit_record
from gongzhi.core.excel import (
    Column,
    ImportRejected,
    RowError,
    parse_choice,
    parse_int,
    parse_text,
    read_sheet,
    write_workbook,
)
from gongzhi.core.scoping import has_role
from gongzhi.orgs.models import Node, NodeKind


def _birth_year(value) -> int:
    year = parse_int(value)
    if not 1900 <= year <= 2100:
        raise ValidationError(_("Enter a year between 1900 and 2100."))
    return year


RESIDENT_COLUMNS = [
    Column("name", "姓名", required=True, parse=parse_text(60)),
    Column("node_code", "所在节点编码", required=True, parse=parse_text(32)),
    Column("gender", "性别", parse=parse_choice(Gender, {"女": "F", "男": "M"})),
    Column("birth_year", "出生年份", parse=_birth_year),
    Column("phone", "手机号", parse=pii.normalize_phone),
    Column("id_number", "身份证号", parse=pii.normalize_id_number),
    Column("room", "房号", parse=parse_text(20)),
]


def residents_import(*, actor: User, source, progress: Callable[[int], None] | None = None) -> int:
    """Add every resident in the sheet, or none. Returns how many were added; raises ImportRejected."""
    sheet = read_sheet(source, RESIDENT_COLUMNS, progress=progress)
    errors = list(sheet.errors)
    codes = {row["node_code"] for row in sheet.rows if row.get("node_code")}
    # unscoped: codes looked up first; each row's node is checked against the importer's reach
    nodes = {n.code: n for n in Node.objects.filter(code__in=codes)}
    allowed_roles = Person.scope.roles_for("change")
    seen_ids: dict[str, int] = {}
    id_indexes = {}
    for row in sheet.rows:
        number = row["_row"]
        node = nodes.get(row.get("node_code") or "")
        if row.get("node_code") and node is None:
            errors.append(RowError(number, "所在节点编码", _("No node has this code.")))
        elif node is not None:
            if node.kind not in (NodeKind.COMPOUND, NodeKind.BUILDING):
                errors.append(
                    RowError(number, "所在节点编码", _("Residents live in a compound or a building."))
                )
            elif not has_role(actor, allowed_roles, at_path=node.path):
                errors.append(RowError(number, "所在节点编码", _("This node is outside your area.")))
        if row.get("id_number"):
            if row["id_number"] in seen_ids:
                errors.append(
                    RowError(
                        number,
                        "身份证号",
                        _("Same ID number as row %(row)s.") % {"row": seen_ids[row["id_number"]]},
                    )
                )
            seen_ids[row["id_number"]] = number
            id_indexes[pii.blind_index(row["id_number"], context="id_number")] = number
    # unscoped: ID numbers are unique across the whole register
    taken = set(Person.objects.filter(id_index__in=list(id_indexes)).values_list("id_index", flat=True))
    for index in taken:
        errors.append(
            RowError(
                id_indexes[index], "身份证号", _("A resident with this ID number is already registered.")
            )
        )
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, e.column)))
    people = []
    for row in sheet.rows:
        person = Person(
            node=nodes[row["node_code"]],
            name=row["name"],
            gender=row.get("gender") or "",
            birth_year=row.get("birth_year"),
            room=row.get("room") or "",
        )
        person.set_phone(row.get("phone"))
        person.set_id_number(row.get("id_number"))
        people.append(person)
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=2000)
        audit_record(actor=actor, action="person.import", target=actor, rows=len(people))
    return len(people)


def residents_export(*, actor: User, people, reveal: bool = False) -> bytes:
    """Spreadsheet of ``people`` (already scoped). Full numbers only with ``reveal``, which is audited."""
    if reveal and not may_reveal.test(actor):
        raise AccountsError.forbidden(_("You cannot export personal data."))
    # Even masked, a list of residents is personal data: every export is recorded.
    audit_record(
        actor=actor,
        action="person.export.reveal" if reveal else "person.export",
        target=actor,
        rows=people.count(),
    )

    def rows():
        for p in people.select_related("node").iterator(chunk_size=2000):
            phone = p.decrypt_phone() if reveal else p.phone_masked
            id_number = p.decrypt_id_number() if reveal else p.id_number_masked
            yield [p.name, p.node.code, p.get_gender_display(), p.birth_year, phone, id_number, p.room]

    return write_workbook("居民", RESIDENT_COLUMNS, rows())


def residents_export_for(*, actor: User, reveal: bool = False) -> bytes:
    """The register ``actor`` may see (the Excel list of the registry)."""
    return residents_export(actor=actor, people=person_list(fetched_by=actor), reveal=reveal)
