"""Excel import of member units and their resources: all rows or none, each refusal named by row and column."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from gongzhi.alliances.models import Membership, Resource, Unit
from gongzhi.alliances.spreadsheets import resources_import, units_import
from gongzhi.core.excel import ImportRejected

pytestmark = pytest.mark.django_db


def xlsx(*rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


UNIT_HEAD = ("单位名称", "单位类型", "街道编码", "党组织", "联系电话", "加入联盟", "加入日期")
RES_HEAD = ("单位名称", "街道编码", "类别", "资源名称", "计量", "数量", "服务半径（公里）")


def test_units_and_resources_import_and_a_bad_file_changes_nothing(world, al):
    code = world.sub_a.code
    good = xlsx(
        UNIT_HEAD,
        ("顺丰速运", "民企", code, "顺丰党支部", "13812345678", "街道A党建红盟", "2025-03-01"),
        ("区档案馆", "政府机关", code, None, None, None, None),
    )
    assert units_import(actor=world.sub_admin, source=good) == 2
    sf = Unit.objects.get(name="顺丰速运")
    assert sf.kind == "private_firm" and sf.contact_phone_masked.endswith("5678")
    assert Membership.objects.filter(unit=sf, alliance=al.alliance, joined_on="2025-03-01").exists()

    with translation.override("zh-hans"):
        bad = xlsx(
            UNIT_HEAD,
            ("新单位", "学校", code, None, None, None, None),  # fine alone, but the file fails
            ("顺丰速运", "民企", code, None, None, None, None),  # already registered
            ("另一家", "外星机构", code, None, None, None, None),  # unknown kind
            ("手机错", "医院", code, None, "12345", None, None),  # bad phone
            ("无盟", "医院", code, None, None, "不存在的联盟", None),
            ("外街道", "医院", world.sub_b.code, None, None, None, None),  # outside the importer's reach
        )
        with pytest.raises(ImportRejected) as rejected:
            units_import(actor=world.sub_admin, source=bad)
    errors = {(e.row, e.column): e.message for e in rejected.value.errors}
    assert set(errors) == {
        (3, "单位名称"),
        (4, "单位类型"),
        (5, "联系电话"),
        (6, "加入联盟"),
        (7, "街道编码"),
    }
    assert "已" in errors[(3, "单位名称")]  # in Chinese
    assert not Unit.objects.filter(name="新单位").exists()

    resources = xlsx(
        RES_HEAD,
        ("顺丰速运", code, "funds", "爱心物资配送", "件", 200, 5),
        ("顺丰速运", code, "safety", "快递小哥网格巡查", "hours", 40, None),
    )
    assert resources_import(actor=world.sub_admin, source=resources) == 2
    assert Resource.objects.get(title="爱心物资配送").capacity_kind == "goods"
    with translation.override("zh-hans"):
        bad = xlsx(
            RES_HEAD,
            ("顺丰速运", code, "funds", "第二批物资", "件", 10, None),
            ("没有的单位", code, "funds", "x", "件", 10, None),
            ("顺丰速运", code, "funds", "太多", "件", 0, None),  # capacity from 1
        )
        with pytest.raises(ImportRejected) as rejected:
            resources_import(actor=world.sub_admin, source=bad)
    assert {(e.row, e.column) for e in rejected.value.errors} == {(3, "单位名称"), (4, "数量")}
    assert not Resource.objects.filter(title="第二批物资").exists()
    # A unit's own account may import its unit's resources, not another unit's.
    with pytest.raises(ImportRejected):
        resources_import(
            actor=al.bank_user, source=xlsx(RES_HEAD, ("顺丰速运", code, "funds", "x", "件", 1, None))
        )
