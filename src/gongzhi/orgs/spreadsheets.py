"""Nodes and party members in and out of Excel."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Person, User
from gongzhi.core import pii
from gongzhi.core.audit import audit_record
from gongzhi.core.excel import (
    Column,
    ImportRejected,
    RowError,
    parse_choice,
    parse_float,
    parse_int,
    parse_text,
    parse_yes_no,
    read_sheet,
    write_workbook,
)
from gongzhi.orgs.models import (
    ALLOWED_CHILDREN,
    MemberPost,
    Node,
    NodeKind,
    NodeType,
    PartyMembership,
    PartyOrg,
)
from gongzhi.orgs.rules import manages
from gongzhi.orgs.selectors import node_list, party_membership_list

NODE_COLUMNS = [
    Column("code", "编码", required=True, parse=parse_text(32)),
    Column("name", "名称", required=True, parse=parse_text(100)),
    Column(
        "kind",
        "层级",
        required=True,
        parse=parse_choice(
            NodeKind,
            {
                "区": "district",
                "街道": "subdistrict",
                "社区": "community",
                "网格": "grid",
                "小区": "compound",
                "楼栋": "building",
            },
        ),
    ),
    Column("parent_code", "上级编码", parse=parse_text(32)),
    Column("node_type", "类型", parse=parse_choice(NodeType)),
    Column("address", "地址", parse=parse_text(200)),
    Column("lat", "纬度", parse=parse_float),
    Column("lng", "经度", parse=parse_float),
    Column("households", "户数", parse=parse_int),
    Column("population", "人口", parse=parse_int),
]


def nodes_import(*, actor: User, source, progress: Callable[[int], None] | None = None) -> int:
    """Add every node in the sheet (parents before their children), or none."""
    sheet = read_sheet(source, NODE_COLUMNS, progress=progress)
    errors = list(sheet.errors)
    codes_in_file: dict[str, dict] = {}
    existing_codes = set(
        # unscoped: node codes are unique across the tree
        Node.objects.filter(code__in=[r["code"] for r in sheet.rows if r.get("code")]).values_list(
            "code", flat=True
        )
    )
    parents = {
        n.code: n
        # unscoped: each row's parent is checked against the importer's reach below
        for n in Node.objects.filter(code__in=[r["parent_code"] for r in sheet.rows if r.get("parent_code")])
    }
    for row in sheet.rows:
        number, code = row["_row"], row.get("code")
        if code in existing_codes:
            errors.append(RowError(number, "编码", _("This code is already used by another node.")))
        if code in codes_in_file:
            errors.append(
                RowError(
                    number, "编码", _("Same code as row %(row)s.") % {"row": codes_in_file[code]["_row"]}
                )
            )
        parent_code = row.get("parent_code")
        parent_kind = None
        if parent_code:
            if parent_code in codes_in_file:
                parent_kind = codes_in_file[parent_code].get("kind")
            elif parent_code in parents:
                parent = parents[parent_code]
                parent_kind = parent.kind
                if not manages.test(actor, parent):
                    errors.append(RowError(number, "上级编码", _("This node is outside your area.")))
            else:
                errors.append(
                    RowError(
                        number,
                        "上级编码",
                        _("No node has this code (a parent must come before its children)."),
                    )
                )
                parent_kind = "?"
        elif not actor.is_superuser:
            errors.append(RowError(number, "上级编码", _("Only an administrator can add a top-level node.")))
        if (
            row.get("kind")
            and parent_kind != "?"
            and row["kind"] not in ALLOWED_CHILDREN.get(parent_kind, set())
        ):
            errors.append(
                RowError(number, "层级", _("A %(kind)s cannot be placed here.") % {"kind": row["kind"]})
            )
        if (row.get("lat") is None) != (row.get("lng") is None):
            errors.append(RowError(number, "纬度", _("Give both latitude and longitude, or neither.")))
        elif row.get("lat") is not None and not (-90 <= row["lat"] <= 90 and -180 <= row["lng"] <= 180):
            errors.append(RowError(number, "纬度", _("Latitude or longitude out of range.")))
        if code:
            codes_in_file[code] = row
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, e.column)))
    created: dict[str, Node] = dict(parents)
    with transaction.atomic():
        for row in sheet.rows:
            fields = {k: row.get(k) for k in ("lat", "lng", "households", "population")}
            node = Node(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                node_type=row.get("node_type") or "",
                address=row.get("address") or "",
                **fields,
            )
            try:
                node.clean()
            except ValidationError as exc:
                raise ImportRejected([RowError(row["_row"], "类型", "; ".join(exc.messages))]) from None
            parent = created.get(row.get("parent_code") or "")
            created[node.code] = parent.add_child(instance=node) if parent else Node.add_root(instance=node)
        audit_record(actor=actor, action="node.import", target=actor, rows=len(sheet.rows))
    return len(sheet.rows)


def nodes_export(*, nodes) -> bytes:
    parents = {}

    def rows():
        for n in nodes.iterator(chunk_size=2000):
            parents[n.path] = n.code
            yield [
                n.code,
                n.name,
                n.get_kind_display(),
                parents.get(n.path[: -Node.steplen], ""),
                n.get_node_type_display() if n.node_type else "",
                n.address,
                n.lat,
                n.lng,
                n.households,
                n.population,
            ]

    return write_workbook("节点", NODE_COLUMNS, rows())


PARTY_MEMBER_COLUMNS = [
    Column("name", "姓名", required=True, parse=parse_text(60)),
    Column("id_number", "身份证号", required=True, parse=pii.normalize_id_number),
    Column("party_org", "党组织", required=True, parse=parse_text(120)),
    Column("party_org_node", "党组织节点编码", required=True, parse=parse_text(32)),
    Column(
        "post",
        "职务",
        parse=parse_choice(
            MemberPost,
            {
                "书记": "secretary",
                "副书记": "deputy_secretary",
                "委员": "committee_member",
                "党小组长": "group_leader",
                "党员": "member",
            },
        ),
    ),
    Column("in_service", "在职党员", parse=parse_yes_no),
    Column("workplace", "工作单位", parse=parse_text(120)),
]


def party_members_import(*, actor: User, source, progress: Callable[[int], None] | None = None) -> int:
    """Enrol registered residents (matched by ID number) in party organisations, all or none."""
    sheet = read_sheet(source, PARTY_MEMBER_COLUMNS, progress=progress)
    errors = list(sheet.errors)
    people = Person.objects.visible_to(actor, "change")
    orgs = PartyOrg.objects.visible_to(actor, "change").select_related("node")
    resolved = []
    seen: dict[tuple[int, int], int] = {}
    for row in sheet.rows:
        number = row["_row"]
        person = org = None
        if row.get("id_number"):
            person = people.filter(id_index=pii.blind_index(row["id_number"], context="id_number")).first()
            if person is None:
                errors.append(RowError(number, "身份证号", _("No resident in your area has this ID number.")))
            elif row.get("name") and person.name != row["name"]:
                errors.append(RowError(number, "姓名", _("The name does not match the register.")))
        if row.get("party_org") and row.get("party_org_node"):
            org = orgs.filter(name=row["party_org"], node__code=row["party_org_node"]).first()
            if org is None:
                errors.append(
                    RowError(
                        number, "党组织", _("No party organisation in your area has this name at this node.")
                    )
                )
        if person and org:
            key = (person.pk, org.pk)
            if key in seen:
                errors.append(
                    RowError(number, "身份证号", _("Same member as row %(row)s.") % {"row": seen[key]})
                )
            # unscoped: a membership of a person and organisation the importer may change
            elif PartyMembership.objects.filter(person=person, party_org=org).exists():
                errors.append(RowError(number, "身份证号", _("Already a member of this organisation.")))
            seen[key] = number
            resolved.append((row, person, org))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, e.column)))
    with transaction.atomic():
        PartyMembership.objects.bulk_create(
            PartyMembership(
                person=person,
                party_org=org,
                post=row.get("post") or MemberPost.MEMBER,
                in_service=bool(row.get("in_service")),
                workplace=row.get("workplace") or "",
            )
            for row, person, org in resolved
        )
        audit_record(actor=actor, action="party_member.import", target=actor, rows=len(resolved))
    return len(resolved)


def party_members_export(*, memberships) -> bytes:
    def rows():
        for m in memberships.select_related("person", "party_org__node").iterator(chunk_size=2000):
            yield [
                m.person.name,
                m.person.id_number_masked,
                m.party_org.name,
                m.party_org.node.code,
                m.get_post_display(),
                "是" if m.in_service else "否",
                m.workplace,
            ]

    return write_workbook("党员", PARTY_MEMBER_COLUMNS, rows())


def party_members_export_for(*, actor: User, reveal: bool = False) -> bytes:
    """The party members ``actor`` may see (the Excel list of the registry)."""
    return party_members_export(memberships=party_membership_list(fetched_by=actor))


def nodes_export_for(*, actor: User, reveal: bool = False) -> bytes:
    """The areas ``actor`` may see (the Excel list of the registry)."""
    return nodes_export(nodes=node_list(fetched_by=actor))
