"""The demo reproduces the issue's facts: 城厢's ten communities typed and its "1356" plan (six actions, three
steps); 上塘's compound types, desks and convenience services; 祥符's compound doctor, teacher and lawyer and
a dozen 能人 services; orders with ratings. The module's step stays a small part of the demo's time."""

import time

import pytest

from gongzhi.accounts.models import User
from gongzhi.community.models import (
    CommunityType,
    NodeTyping,
    OrderStatus,
    Plan,
    PlanTask,
    Provider,
    ProviderKind,
    ProviderStatus,
    Service,
    ServiceOrder,
)
from gongzhi.community.selectors import plan_summary, portfolio
from gongzhi.demo.loader import DemoLoader
from gongzhi.orgs.models import Node

pytestmark = pytest.mark.django_db


def test_demo_reproduces_the_plan_the_types_and_the_directory():
    marks: list[tuple[str, float]] = []
    DemoLoader(progress=lambda message: marks.append((message, time.monotonic()))).load()
    marks.append(("end", time.monotonic()))
    steps = {name: marks[n + 1][1] - at for n, (name, at) in enumerate(marks[:-1])}
    total = marks[-1][1] - marks[0][1]
    print(f"community step {steps['community services and plans']:.1f} s of {total:.1f} s")
    assert steps["community services and plans"] < 0.15 * total

    chengxiang = Node.objects.get(name="城厢街道")
    types = CommunityType.objects.filter(node=chengxiang).order_by("order")
    assert [t.name for t in types] == ["历史文化型", "养老服务型", "优质活力型", "改造提升型", "融合发展型"]
    typed = NodeTyping.objects.filter(node__path__startswith=chengxiang.path, node__kind="community")
    assert typed.count() == 10
    assert all(typed.filter(type=t).count() == 2 for t in types)
    shangtang = Node.objects.get(name="上塘街道")
    assert set(CommunityType.objects.filter(node=shangtang).values_list("name", flat=True)) == {
        "安置小区",
        "老旧小区",
        "商品房小区",
    }
    assert (
        NodeTyping.objects.filter(node__path__startswith=shangtang.path, node__kind="compound").count() > 50
    )

    plan = Plan.objects.get(node=chengxiang)
    assert plan.end_year - plan.start_year == 2 and plan.status == "active"
    assert [a.name for a in plan.actions.all()] == [
        "强社惠民",
        "公共服务优化提升",
        "数字赋能现代社区建设",
        "社工人才提质增量",
        "除险保安护航",
        "党建统领基层治理",
    ]
    assert plan.steps.count() == 3
    assert PlanTask.objects.filter(plan=plan).count() == 60
    bound = PlanTask.objects.filter(plan=plan).exclude(kpi_app="")
    assert bound.count() == 10 and all(t.measured is not None for t in bound)
    admin = User.objects.get(username="chengxiang-admin")
    summary = plan_summary(fetched_by=admin, plan=plan)
    assert 0 < summary.progress < 100 and summary.late
    assert len(portfolio(fetched_by=admin, plan=plan)["types"]) == 5

    shenhui = Node.objects.get(name="申慧社区")
    licensed = Provider.objects.filter(
        node__path__startswith=shenhui.path,
        kind__in=[ProviderKind.DOCTOR, ProviderKind.TEACHER, ProviderKind.LAWYER],
    )
    assert licensed.count() == 3 and all(p.licence_checked_at for p in licensed)
    skilled = Provider.objects.filter(
        node__path__startswith=shenhui.path,
        kind__in=[ProviderKind.SKILLED_RESIDENT, ProviderKind.PARTY_MEMBER],
    )
    assert skilled.count() == 12 and skilled.filter(status=ProviderStatus.PENDING).count() == 1
    desks = set(Service.objects.filter(area=shangtang, orderable=False).values_list("title", flat=True))
    assert {"组织关系接转", "流动党员登记与服务", "医保参保、报销与异地备案"} <= desks
    assert {"磨刀", "修伞修鞋", "理发", "小家电维修"} <= set(
        Service.objects.filter(area=shangtang, orderable=True).values_list("title", flat=True)
    )
    rated = ServiceOrder.objects.filter(status=OrderStatus.CONFIRMED, rating__isnull=False)
    assert rated.count() == 4
    assert ServiceOrder.objects.exclude(status=OrderStatus.CONFIRMED).count() == 3
    assert authenticate_ok("huiyuan-doctor") and authenticate_ok("chenghe-secretary")


def authenticate_ok(username: str) -> bool:
    from django.contrib.auth import authenticate

    return authenticate(username=username, password="gongzhi-demo") is not None
