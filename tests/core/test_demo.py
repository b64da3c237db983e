"""The demo reproduces the figures the five sub-districts' own reports give (DESIGN §4)."""

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count

from gongzhi.accounts.models import Person, RoleBinding, User
from gongzhi.demo.loader import DemoLoader, demo_is_loaded
from gongzhi.orgs.models import GovernanceTeam, GovernanceTeamMember, Node, PartyMembership, PartyOrg
from tests.cockpit.test_rollups import check_demo_cockpit
from tests.deliberation.demo_facts import check_demo_facts
from tests.reports.test_reports import check_demo_reports

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def under(name):
    return Node.objects.get(name=name).path


def test_demo_figures(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the monthly reports' files
    stats = DemoLoader().load()
    assert demo_is_loaded()
    check_demo_facts()  # deliberation and mediation (issue 17)
    check_demo_cockpit()  # the cockpit's rollups (issue 19)
    check_demo_reports()  # the monthly reports of the five subdistricts (issue 19)
    assert 20_000 <= stats["residents"] <= 100_000

    # 祥符: 17 communities; 87 micro-governance compounds in 16 of them, 36 in the first batch; 93 commissioners.
    xf = under("祥符街道")
    assert Node.objects.filter(path__startswith=xf, kind="community").count() == 17
    micro = Node.objects.filter(path__startswith=xf, kind="compound", micro_governance_batch__isnull=False)
    assert micro.count() == 87
    assert micro.filter(micro_governance_batch=1).count() == 36
    assert len({n.path[: len(n.path) - Node.steplen] for n in micro}) == 16
    assert (
        RoleBinding.objects.filter(role="commissioner", node__path__startswith=xf)
        .values("user")
        .distinct()
        .count()
    ) == 93
    assert Node.objects.get(name="慧园小区").get_parent().name == "申慧社区"
    assert "春雀街92号" in Node.objects.get(name="祥符街道").address
    for name in ["申慧", "阮家桥", "秀水", "蓝孔雀", "方家埭", "庆隆"]:
        assert Node.objects.filter(name=f"{name}社区", path__startswith=xf).exists()

    # 上塘: 21 communities and economic co-operatives; 2,800+ party members.
    st = under("上塘街道")
    assert Node.objects.filter(path__startswith=st, kind="community").count() == 21
    for name in ["善贤", "拱宸", "皋亭", "蔡马", "假山路", "绍兴路", "七古登"]:
        assert Node.objects.filter(name=f"{name}社区", path__startswith=st).exists()
    members = PartyMembership.objects.filter(party_org__node__path__startswith=st).values("person").distinct()
    assert members.count() == 2836

    # 望湖: 29 compound party organisations, 233 building party groups, 74 branches; teams 28/29/52/28.
    wh = under("望湖街道")
    compounds = Node.objects.filter(path__startswith=wh, kind="compound")
    assert compounds.count() == 29
    assert PartyOrg.objects.filter(node__in=compounds).count() == 29
    assert (
        PartyOrg.objects.filter(node__path__startswith=wh, node__kind="building", kind="group").count() == 233
    )
    assert PartyOrg.objects.filter(node__path__startswith=wh, kind="branch").count() == 74
    assert Node.objects.filter(path__startswith=wh, kind="community").count() == 5
    assert GovernanceTeam.objects.filter(node__path__startswith=wh).count() == 28
    posts = dict(
        GovernanceTeamMember.objects.filter(team__node__path__startswith=wh)
        .values_list("post")
        .annotate(n=Count("id"))
    )
    assert (posts["instructor"], posts["red_steward"], posts["student_steward"]) == (29, 52, 28)

    # 城厢: five community types; 大关: its seven named communities.
    cx = under("城厢街道")
    types = set(
        Node.objects.filter(path__startswith=cx, kind="community").values_list("node_type", flat=True)
    )
    assert types == {"historic", "elderly_care", "vibrant", "renewal", "integration"}
    dg = under("大关街道")
    assert set(Node.objects.filter(path__startswith=dg, kind="community").values_list("name", flat=True)) == {
        f"{n}社区" for n in ["西一", "东一", "东二", "南苑", "西二", "德胜", "翠玉"]
    }

    # Every register entry sits at a compound or building; every number is encrypted.
    assert not Person.objects.exclude(node__kind__in=["compound", "building"]).exists()
    assert not Person.objects.filter(phone_cipher__isnull=True).exists()

    # Demo accounts with the documented password and roles.
    expected = {
        "admin": set(),
        "xiangfu-admin": {("subdistrict_admin", "祥符街道")},
        "shenhui-staff": {("community_staff", "申慧社区")},
        "shenhui-secretary": {("community_secretary", "申慧社区")},
        "huiyuan-commissioner": {("commissioner", "慧园小区")},
        "huiyuan-resident": {("resident", "慧园小区")},
        "huiyuan-neighbour": {("resident", "慧园小区")},
        "huiyuan-property": {("property_manager", "慧园小区")},
        "huiyuan-owners": {("owners_committee", "慧园小区")},
        "xiyi-staff": {("community_staff", "西一社区")},
        "daguan-admin": {("subdistrict_admin", "大关街道")},
        "district-viewer": {("district_viewer", d) for d in ["拱墅区", "萧山区", "包河区"]},
    }
    for username, roles in expected.items():
        user = authenticate(username=username, password="gongzhi-demo")
        assert user is not None, username
        assert set(RoleBinding.objects.filter(user=user).values_list("role", "node__name")) == roles
    assert User.objects.get(username="admin").is_superuser
    assert Person.objects.get(user__username="huiyuan-resident").node.get_parent().name == "慧园小区"
    assert User.objects.get_by_phone("13800000004").username == "huiyuan-resident"
    # Appeals: 上塘 collected 300+ and resolved 245 (its report's figures), through the KPI definitions.
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.appeals.kpis import appeal_kpis

    admin = User.objects.get(username="admin")
    now = timezone.now()
    kpi = appeal_kpis(
        fetched_by=admin,
        node=Node.objects.get(name="上塘街道"),
        start=now - timedelta(days=400),
        end=now + timedelta(days=1),
    )["total"]
    assert kpi["collected"] >= 300 and kpi["resolved"] == 245
    assert 0.8 < kpi["satisfaction_rate"] < 1.0

    # Tree bookkeeping from the bulk load is what treebeard itself would compute.
    assert Node.find_problems() == ([], [], [], [], [])

    # Points, hours and orders carry the dates of what they record, not the day the demo was loaded.
    from gongzhi.ledger.models import MallOrder, PointsTransaction

    earned = PointsTransaction.objects.filter(kind="earn", key__startswith="service:")
    dates = [t.happened_at for t in earned]
    assert len(dates) > 1000 and all(t.occurred_at is not None for t in earned)
    assert (max(dates) - min(dates)).days > 300 and max(dates) < now
    orders = sorted(o.created_at for o in MallOrder.objects.filter(node__name="祥符街道"))
    assert len(orders) == 12 and (orders[-1] - orders[0]).days > 40 and orders[-1] < now
    # A resident of 慧园 sees the daily garbage-sorting duty once, beside the team's one-off visits.
    from gongzhi.volunteering.selectors import activity_board

    board = activity_board(fetched_by=User.objects.get(username="huiyuan-resident"))
    assert [d.roster.title for d in board.duties].count("垃圾分类值守") == 1
    assert "独居老人探访" in [a.title for a in board.activities]


def test_load_only_collects_the_static_files(monkeypatch):
    """`gongzhi demo --load-only` then `gongzhi runserver` serves pages: the load writes the static files'
    manifest the pages name their files through (issue 14: every HTML page answered 500 without it)."""
    from django.core.management import call_command

    from gongzhi.demo.management.commands import demo

    ran = []
    monkeypatch.setattr(demo, "call_command", lambda name, *args, **options: ran.append(name))
    monkeypatch.setattr(demo, "demo_is_loaded", lambda: True)
    call_command("demo", load_only=True)
    assert ran == ["migrate", "collectstatic"]
