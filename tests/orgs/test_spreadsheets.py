import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from gongzhi.accounts.models import Person
from gongzhi.accounts.spreadsheets import residents_import
from gongzhi.core.excel import ImportRejected
from gongzhi.orgs.models import Node, PartyMembership
from gongzhi.orgs.spreadsheets import nodes_import, party_members_import
from tests.accounts.factories import valid_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def xlsx(*rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


HEAD = ("姓名", "所在节点编码", "性别", "出生年份", "手机号", "身份证号", "房号")


def test_residents_import(world):
    before = Person.objects.count()
    source = xlsx(
        HEAD,
        ("孙七", world.bld_a1a.code, "女", 1950, "13511112222", valid_id_number(), "301"),
        ("周八", world.cmp_a1b.code, "男", "1988", "135 1111 3333", None, None),
        (None, None, None, None, None, None, None),
    )
    assert residents_import(actor=world.a1_staff, source=source) == 2
    assert Person.objects.count() == before + 2
    sun = Person.objects.get(name="孙七")
    assert (sun.gender, sun.birth_year, sun.room, sun.phone_masked) == ("F", 1950, "301", "135****2222")


def test_a_bad_file_changes_nothing_and_every_problem_is_reported(world):
    before = Person.objects.count()
    dup = valid_id_number()
    source = xlsx(
        HEAD,
        ("好人", world.bld_a1a.code, "女", 1950, "13511112222", None, None),  # fine on its own
        ("坏号", world.bld_a1a.code, None, None, "1234", None, None),  # row 3: phone
        (None, world.bld_a1a.code, None, None, None, None, None),  # row 4: name missing
        ("外人", world.cmp_a2a.code, None, None, None, None, None),  # row 5: outside A1
        ("无码", "NO-SUCH", None, None, None, None, None),  # row 6: unknown node
        ("年", world.bld_a1a.code, "X", 1800, None, dup, None),  # row 7: gender and year
        ("重复", world.bld_a1a.code, None, None, None, dup, None),  # row 8: same ID as row 7
        ("社区", world.comm_a1.code, None, None, None, None, None),  # row 9: not a compound/building
    )
    with pytest.raises(ImportRejected) as rejected:
        residents_import(actor=world.a1_staff, source=source)
    problems = {(e.row, e.column) for e in rejected.value.errors}
    assert problems == {
        (3, "手机号"),
        (4, "姓名"),
        (5, "所在节点编码"),
        (6, "所在节点编码"),
        (7, "性别"),
        (7, "出生年份"),
        (8, "身份证号"),
        (9, "所在节点编码"),
    }
    assert Person.objects.count() == before


def test_an_id_number_already_registered_is_rejected(world):
    existing = Person.objects.get(name="张三").decrypt_id_number()
    with pytest.raises(ImportRejected) as rejected:
        residents_import(
            actor=world.a1_staff,
            source=xlsx(HEAD, ("x", world.bld_a1a.code, None, None, None, existing, None)),
        )
    assert rejected.value.errors[0].row == 2


@pytest.mark.parametrize("content", [b"", b"not a spreadsheet", b"PK\x03\x04garbage"])
def test_unreadable_files_are_rejected(world, content):
    with pytest.raises(ImportRejected) as rejected:
        residents_import(actor=world.a1_staff, source=io.BytesIO(content))
    assert rejected.value.errors[0].row == 0


def test_missing_required_column(world):
    with pytest.raises(ImportRejected) as rejected:
        residents_import(actor=world.a1_staff, source=xlsx(("姓名",), ("x",)))
    assert [(e.row, e.column) for e in rejected.value.errors] == [(1, "所在节点编码")]


def test_english_headers_are_accepted(world):
    source = xlsx(("name", "node_code"), ("Anna", world.bld_a1a.code))
    assert residents_import(actor=world.a1_staff, source=source) == 1


NODE_HEAD = ("编码", "名称", "层级", "上级编码", "类型", "纬度", "经度")


def test_nodes_import_with_parents_in_the_same_file(world):
    source = xlsx(
        NODE_HEAD,
        ("N1", "新小区", "小区", world.comm_a1.code, "老旧小区", 30.1, 120.2),
        ("N1-1", "新小区1幢", "楼栋", "N1", None, None, None),
    )
    assert nodes_import(actor=world.a1_secretary, source=source) == 2
    building = Node.objects.get(code="N1-1")
    assert building.get_parent().code == "N1" and building.get_parent().get_parent() == world.comm_a1


def test_nodes_import_rejects_bad_trees_whole(world):
    before = Node.objects.count()
    source = xlsx(
        NODE_HEAD,
        ("N1", "新小区", "小区", world.comm_a1.code, None, None, None),
        ("N2", "楼", "楼栋", "N9", None, None, None),  # parent comes later / unknown
        ("N1", "again", "小区", world.comm_a1.code, None, None, None),  # duplicate code
        ("N3", "错层", "社区", world.comm_a1.code, None, None, None),  # community under community
        ("N4", "外面", "小区", world.comm_a2.code, None, None, None),  # outside reach
        ("N5", "半坐标", "小区", world.comm_a1.code, None, 30.0, None),
    )
    with pytest.raises(ImportRejected) as rejected:
        nodes_import(actor=world.a1_secretary, source=source)
    assert {e.row for e in rejected.value.errors} == {3, 4, 5, 6, 7}
    assert Node.objects.count() == before


PM_HEAD = ("姓名", "身份证号", "党组织", "党组织节点编码", "职务", "在职党员", "工作单位")


def test_party_members_import(world):
    li = Person.objects.get(name="李四")
    number = valid_id_number()
    li.set_id_number(number)
    li.save()
    source = xlsx(PM_HEAD, ("李四", number, "小区A1a党支部", world.cmp_a1a.code, "委员", "是", "某单位"))
    assert party_members_import(actor=world.a1_secretary, source=source) == 1
    membership = PartyMembership.objects.get(person=li)
    assert (membership.post, membership.in_service) == ("committee_member", True)
    with pytest.raises(ImportRejected):  # already a member
        party_members_import(
            actor=world.a1_secretary,
            source=xlsx(PM_HEAD, ("李四", number, "小区A1a党支部", world.cmp_a1a.code, None, None, None)),
        )
    wang = Person.objects.get(name="王五").decrypt_id_number()
    with pytest.raises(ImportRejected) as rejected:  # 王五 lives outside A1; name mismatch; yes/no typo
        party_members_import(
            actor=world.a1_secretary,
            source=xlsx(
                PM_HEAD,
                ("王五", wang, "小区A1a党支部", world.cmp_a1a.code, None, None, None),
                ("错名", number, "小区A1a党支部", world.cmp_a1a.code, None, "也许", None),
            ),
        )
    assert {(e.row, e.column) for e in rejected.value.errors} == {
        (2, "身份证号"),
        (3, "姓名"),
        (3, "在职党员"),
        (3, "身份证号"),
    }


def test_cli_import_and_export(world, tmp_path, capsys):
    path = tmp_path / "in.xlsx"
    path.write_bytes(
        xlsx(HEAD, ("命令行", world.bld_a1a.code, None, None, "13511114444", None, None)).getvalue()
    )
    call_command("import_xlsx", "residents", str(path), "--as", "a1-staff")
    assert Person.objects.filter(name="命令行").exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(HEAD, ("坏", "NOPE", None, None, None, None, None)).getvalue())
    with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
        call_command("import_xlsx", "residents", str(bad), "--as", "a1-staff")
    assert "row 2\t所在节点编码" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("import_xlsx", "residents", str(path), "--as", "ghost")

    out = tmp_path / "out.xlsx"
    call_command("export_xlsx", "residents", str(out), "--as", "a1-staff", "--reveal")
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert "13511114444" in {r[4] for r in rows}
    from gongzhi.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="person.export.reveal", actor=world.a1_staff).exists()
    with pytest.raises(CommandError, match="导出个人信息"):
        call_command("export_xlsx", "residents", str(out), "--as", "viewer", "--reveal")
    call_command("export_xlsx", "nodes", str(out), "--as", "a1-staff")
    codes = [r[0] for r in load_workbook(out).active.iter_rows(values_only=True)][1:]
    assert set(codes) == {world.comm_a1.code, world.cmp_a1a.code, world.cmp_a1b.code, world.bld_a1a.code}
