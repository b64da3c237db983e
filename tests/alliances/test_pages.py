"""Pages: a unit's account lands on its unit's home; the project board filters by category and charts it."""

import pytest

from gongzhi.alliances import services
from gongzhi.alliances.models import ProjectCategory

pytestmark = pytest.mark.django_db


def test_a_unit_account_home_and_the_boards_category_filter(world, al, clinic, login):
    safety = ProjectCategory.objects.create(node=world.sub_a, name="安全提升", order=5)
    service = ProjectCategory.objects.create(node=world.sub_a, name="服务提档", order=3)
    services.project_create(
        actor=world.sub_admin, node=world.comm_a1, name="城消保安", category=safety, publish=True
    )
    services.project_create(
        actor=world.sub_admin, node=world.comm_a1, name="情暖桑榆", category=service, publish=True
    )

    home = login(al.bank_user).get("/").content.decode()
    assert "某银行支行" in home and "城消保安" in home and "老人义诊" in home  # unit, open project, open need
    assert "中医义诊进小区" not in home  # another unit's resource is not "your unit's"
    hospital_home = login(al.hospital_user).get("/").content.decode()
    assert "中医义诊进小区" in hospital_home
    assert "某银行支行" not in login(world.resident).get("/").content.decode()  # no unit card for residents

    staff = login(world.sub_admin)
    board = staff.get("/alliances/", {"view": "board", "category": safety.pk}).content.decode()
    assert "城消保安" in board and "情暖桑榆" not in board
    assert 'id="alliance-board-chart-data"' in board and "安全提升" in board
    assert staff.get("/alliances/", {"view": "board", "category": "²"}).status_code == 200
