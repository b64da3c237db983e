"""Demo volunteering, wishes and the points mall.

- 祥符: the party-member team "搭把手" with 300+ services and 2,000+ confirmed hours over the past year,
  paid into the points ledger through the same services as live data; the points platform "蓝聚汇"
  with goods and services; upcoming activities in 申慧社区; in-service party members on 慧园小区's board.
- 上塘: the teams "隽逸红" and "红领先锋"; convenience services at the centre (knife sharpening, umbrella
  and shoe repair, haircuts, small appliance repair) in the mall.
- 大关: garbage-sorting duty 7:00–8:30 and 18:00–20:30 and river-patrol segments as rosters in 西一社区;
  the wish wall of the 西一 canal station.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.core.demo import figures as F
from gongzhi.core.roles import Role
from gongzhi.ledger.earning import earning_policy_set, service_points_post
from gongzhi.ledger.mall import item_create, order_place, order_transition
from gongzhi.ledger.models import ItemKind
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.volunteering.models import (
    Activity,
    Attendance,
    MemberRole,
    Signup,
    SignupStatus,
    Team,
    TeamKind,
    TeamMember,
)
from gongzhi.volunteering.services import party_report, roster_create, roster_generate, signup_join
from gongzhi.wishes.services import wish_post, wish_transition

DABASHOU_SERVICES = 320
SERVICE_TITLES = [
    "助老陪护",
    "垃圾分类值守",
    "文明劝导",
    "便民理发",
    "小区环境整治",
    "独居老人探访",
    "反诈宣传",
    "楼道清理",
    "爱心助餐送餐",
    "义诊协助",
]
WISHES = [
    ("想要一台收音机听越剧", "眼睛不好，平时一个人在家。"),
    ("希望有人帮忙修一下轮椅刹车", ""),
    ("孙子想要一套课外读物", "三年级，喜欢科普。"),
    ("想学用智能手机视频通话", "女儿在外地工作。"),
    ("家里灯泡坏了够不着", "八十岁，一个人住。"),
    ("想要一副老花镜", ""),
    ("希望有人陪我去医院复查", "下周三上午。"),
    ("想要几盆绿植放阳台", ""),
]


def _node(name: str) -> Node:
    return Node.objects.get(name=name)


def _users(prefix: str, display: str, count: int, role: str, places: list[Node]) -> list[User]:
    users = User.objects.bulk_create(
        User(username=f"{prefix}-{n:03d}", display_name=f"{display}{n:02d}", password="!")  # noqa: S106 - unusable password
        for n in range(1, count + 1)
    )
    RoleBinding.objects.bulk_create(
        RoleBinding(user=u, role=role, node=places[n % len(places)]) for n, u in enumerate(users)
    )
    return users


def load_demo_volunteering(rng: random.Random) -> dict[str, int]:
    now = timezone.now()
    tz = timezone.get_current_timezone()
    xiangfu, shangtang = _node("祥符街道"), _node("上塘街道")
    shenhui, huiyuan, xiyi = _node("申慧社区"), _node("慧园小区"), _node("西一社区")
    admin_xf = User.objects.get(username="xiangfu-admin")
    resident = User.objects.get(username="huiyuan-resident")

    # --- 祥符: 搭把手 ------------------------------------------------------------------------------
    earning_policy_set(actor=admin_xf, subdistrict=xiangfu, points_per_hour=10, multipliers={"leader": 1.5})
    compounds = list(
        Node.objects.filter(path__startswith=xiangfu.path, kind=NodeKind.COMPOUND).order_by("path")[:40]
    )
    leader = User.objects.create(
        username="dabashou-leader", display_name="搭把手队长", password=make_password(F.DEMO_PASSWORD)
    )
    RoleBinding.objects.create(user=leader, role=Role.PARTY_MEMBER, node=huiyuan)
    members = _users("dabashou", "搭把手队员", 40, Role.PARTY_MEMBER, compounds)
    team = Team.objects.create(
        node=xiangfu,
        name="搭把手",
        kind=TeamKind.PARTY_MEMBERS,
        description="祥符街道党员志愿服务队：助老、环境、文明劝导、便民服务。",
    )
    TeamMember.objects.create(team=team, user=leader, role=MemberRole.LEADER)
    TeamMember.objects.bulk_create(TeamMember(team=team, user=u) for u in [*members, resident])
    activities = []
    for n in range(DABASHOU_SERVICES):
        day = (now - timedelta(days=3 + n * 360 // DABASHOU_SERVICES)).astimezone(tz).date()
        start = datetime.combine(day, time(rng.choice([8, 9, 14, 15])), tz)
        length = rng.choice([Decimal("1.5"), Decimal(2), Decimal(2), Decimal("2.5")])
        activities.append(
            Activity(
                node=rng.choice([xiangfu, shenhui, *compounds[:10]]),
                team=team,
                organiser=leader,
                title=SERVICE_TITLES[n % len(SERVICE_TITLES)],
                starts_at=start,
                ends_at=start + timedelta(hours=float(length)),
                capacity=6,
            )
        )
    Activity.objects.bulk_create(activities)
    signups = []
    for n, activity in enumerate(activities):
        length = Decimal((activity.ends_at - activity.starts_at).total_seconds() / 3600).quantize(
            Decimal("0.01")
        )
        crew = rng.sample(members, rng.randint(2, 5)) + ([resident] if n % 50 == 0 else [])
        for user in crew:
            signups.append(
                Signup(
                    activity=activity,
                    user=user,
                    status=SignupStatus.CONFIRMED,
                    created_at=activity.starts_at - timedelta(days=2),
                    checked_in_at=activity.starts_at,
                    checked_out_at=activity.ends_at,
                    attendance=Attendance.PRESENT,
                    hours=length,
                    confirmed_by=leader,
                    confirmed_at=activity.ends_at + timedelta(hours=1),
                    points=int(length * 10),
                )
            )
    Signup.objects.bulk_create(signups)
    for s in Signup.objects.filter(activity__team=team).select_related("activity", "user"):
        service_points_post(
            key=f"service:{s.pk}",
            subdistrict=xiangfu,
            user=s.user,
            points=s.points,
            actor=leader,
            memo=f"{s.activity.title} {s.hours}h",
        )
    # Coming up in 申慧社区, with a place for the check-in by location.
    for days, title, hour in [(1, "垃圾分类值守", 7), (2, "独居老人探访", 9), (4, "楼道清理", 14)]:
        start = datetime.combine(now.astimezone(tz).date() + timedelta(days=days), time(hour), tz)
        upcoming = Activity.objects.create(
            node=huiyuan if days == 1 else shenhui,
            team=team,
            organiser=leader,
            title=title,
            place="慧园小区东门" if days == 1 else "申慧社区党群服务中心",
            lat=huiyuan.lat,
            lng=huiyuan.lng,
            starts_at=start,
            ends_at=start + timedelta(hours=1.5),
            capacity=4,
        )
        for user in members[:2]:
            signup_join(actor=user, activity=upcoming)
    for user, pledge in zip(
        [leader, *members[:9]],
        ["每月带队一次助老服务", "每周参加一次垃圾分类值守", "为邻居免费维修小家电", "每月探访一位独居老人"]
        * 3,
        strict=False,
    ):
        party_report(
            actor=user, compound=huiyuan, display_name=user.display_name, pledge=pledge, workplace=""
        )
    # 蓝聚汇: the points platform.
    blue = [
        ("洗衣液", ItemKind.GOODS, "蓝聚汇", 80, 50, None),
        ("大米 5 kg", ItemKind.GOODS, "祥符党建红盟", 200, 20, 1),
        ("便民理发", ItemKind.SERVICE, "社区志愿者", 30, 40, 2),
        ("小家电维修", ItemKind.SERVICE, "祥符党建红盟", 50, 15, None),
        ("闲置图书", ItemKind.DONATED, "居民捐赠", 10, 60, 3),
    ]
    items = [
        item_create(
            actor=admin_xf,
            node=xiangfu,
            name=name,
            kind=kind,
            provider=provider,
            price=price,
            stock=stock,
            limit_per_person=limit,
            pickup_place="祥符街道党群服务中心（春雀街92号）",
        )
        for name, kind, provider, price, stock, limit in blue
    ]
    for n, user in enumerate(members[:12]):
        order, _ = order_place(actor=user, item=items[n % len(items)], client_key=f"demo-{n}")
        if n % 3 == 0:
            order_transition(actor=admin_xf, order=order, action="approve")

    # --- 上塘: teams and the centre's convenience services ------------------------------------------
    st_compounds = list(Node.objects.filter(path__startswith=shangtang.path, kind=NodeKind.COMPOUND)[:10])
    for name in ("隽逸红", "红领先锋"):
        st_team = Team.objects.create(node=shangtang, name=name, kind=TeamKind.VOLUNTEERS)
        crew = _users(
            f"st-{'jyh' if name == '隽逸红' else 'hlxf'}", f"{name}队员", 15, Role.VOLUNTEER, st_compounds
        )
        TeamMember.objects.bulk_create(TeamMember(team=st_team, user=u) for u in crew)
    st_admin = User.objects.create(
        username="shangtang-admin", display_name="上塘街道管理员", password=make_password(F.DEMO_PASSWORD)
    )
    RoleBinding.objects.create(user=st_admin, role=Role.SUBDISTRICT_ADMIN, node=shangtang)
    for name, price in [("磨刀", 10), ("修伞修鞋", 15), ("理发", 20), ("小家电维修", 40)]:
        item_create(
            actor=st_admin,
            node=shangtang,
            name=name,
            kind=ItemKind.SERVICE,
            provider="上塘街道党群服务中心便民服务",
            price=price,
            stock=30,
            limit_per_person=2,
            pickup_place="上塘街道党群服务中心",
        )

    # --- 大关: rosters and the 西一 wish wall -------------------------------------------------------
    xiyi_staff = User.objects.get(username="xiyi-staff")
    xiyi_compounds = list(
        Node.objects.filter(path__startswith=xiyi.path, kind=NodeKind.COMPOUND).order_by("path")
    )
    dg_team = Team.objects.create(node=xiyi, name="西一党员先锋队", kind=TeamKind.PARTY_MEMBERS)
    dg_members = _users("xiyi-member", "西一党员", 20, Role.PARTY_MEMBER, xiyi_compounds)
    TeamMember.objects.bulk_create(TeamMember(team=dg_team, user=u) for u in dg_members)
    today = now.astimezone(tz).date()
    shifts = 0
    for title, begin, finish in [
        ("垃圾分类值守（早）", time(7), time(8, 30)),
        ("垃圾分类值守（晚）", time(18), time(20, 30)),
    ]:
        roster = roster_create(
            actor=xiyi_staff,
            team=dg_team,
            node=xiyi_compounds[0],
            title=title,
            start_time=begin,
            end_time=finish,
        )
        shifts += len(roster_generate(actor=xiyi_staff, roster=roster, start=today, days=14))
    for segment in range(1, 4):
        roster = roster_create(
            actor=xiyi_staff,
            team=dg_team,
            node=xiyi,
            title=f"运河巡河 第{segment}段",
            place=f"运河西一段 {segment}",
            start_time=time(9),
            end_time=time(10, 30),
            weekdays="6",
            capacity=2,
        )
        shifts += len(roster_generate(actor=xiyi_staff, roster=roster, start=today, days=28))
    wishers = _users("xiyi-resident", "西一居民", len(WISHES), Role.RESIDENT, xiyi_compounds)
    names = ["陈阿婆", "王大伯", "李奶奶", "张阿姨", "赵爷爷", "周奶奶", "吴伯伯", "郑阿姨"]
    for n, ((title, body), wisher) in enumerate(zip(WISHES, wishers, strict=True)):
        User.objects.filter(pk=wisher.pk).update(display_name=names[n])
        wisher.display_name = names[n]
        compound = xiyi_compounds[n % len(xiyi_compounds)]
        wish = wish_post(actor=wisher, compound=compound, title=title, body=body)
        if n == 7:
            continue  # awaiting review
        wish = wish_transition(actor=xiyi_staff, wish=wish, action="publish")
        if n < 3:
            wish = wish_transition(actor=dg_members[n], wish=wish, action="claim")
            if n < 2:
                wish = wish_transition(actor=wisher, wish=wish, action="accept")
    return {
        "dabashou_services": DABASHOU_SERVICES,
        "dabashou_signups": len(signups),
        "dabashou_hours": int(sum((s.hours or Decimal(0) for s in signups), Decimal(0))),
        "shifts": shifts,
        "wishes": len(WISHES),
    }
