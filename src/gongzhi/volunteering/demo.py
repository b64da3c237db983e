"""Demo volunteering.

- 祥符: the party-member team "搭把手" with 300+ services and 2,000+ confirmed hours over the past year,
  paid into the points ledger through the same services as live data; upcoming activities in 申慧社区;
  in-service party members on 慧园小区's board.
- 上塘: the teams "隽逸红" and "红领先锋".
- 大关: garbage-sorting duty 7:00–8:30 and 18:00–20:30 and river-patrol segments as rosters in 西一社区.
"""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.core.geo import gcj02_to_wgs84
from gongzhi.core.registry import DemoContext
from gongzhi.core.roles import Role
from gongzhi.demo import figures as F
from gongzhi.demo.accounts import demo_users, named_node
from gongzhi.ledger.earning import earning_policy_set, service_points_post
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


def load(ctx: DemoContext) -> dict[str, int]:
    ctx.progress("volunteering")
    rng = ctx.rng
    now = timezone.now()
    tz = timezone.get_current_timezone()
    xiangfu, shangtang = named_node("祥符街道"), named_node("上塘街道")
    shenhui, huiyuan, xiyi = named_node("申慧社区"), named_node("慧园小区"), named_node("西一社区")
    admin_xf = User.objects.get(username="xiangfu-admin")
    resident = User.objects.get(username="huiyuan-resident")

    # --- 祥符: 搭把手 ------------------------------------------------------------------------------
    earning_policy_set(actor=admin_xf, subdistrict=xiangfu, points_per_hour=10, multipliers={"leader": 1.5})
    compounds = list(
        Node.objects.filter(path__startswith=xiangfu.path, kind=NodeKind.COMPOUND).order_by("path")[:40]
    )
    leader = User(
        username="dabashou-leader", display_name="搭把手队长", password=make_password(F.DEMO_PASSWORD)
    )
    leader.set_phone("13800000090")  # the contact on the team's activities
    leader.save()
    RoleBinding.objects.create(user=leader, role=Role.PARTY_MEMBER, node=huiyuan)
    members = demo_users("dabashou", "搭把手队员", 40, Role.PARTY_MEMBER, compounds)
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
    for s in (
        Signup.objects.filter(activity__team=team)
        .select_related("activity", "user")
        .order_by("activity__starts_at", "id")
    ):
        # Posted now (the demo is loaded now), dated by the service it pays for.
        service_points_post(
            key=f"service:{s.pk}",
            subdistrict=xiangfu,
            user=s.user,
            points=s.points,
            actor=leader,
            memo=f"{s.activity.title} {s.hours}h",
            occurred_at=s.activity.ends_at,
        )
    # Coming up in 申慧社区, with a place for the check-in by location (phones report WGS-84).
    spot = gcj02_to_wgs84(huiyuan.lat, huiyuan.lng)
    upcoming_plan = [
        (
            2,
            "独居老人探访",
            9,
            shenhui,
            "申慧社区党群服务中心",
            "两人一组上门探访社区独居老人：聊聊家常，看看水电燃气是否安全，记下需要帮忙的事，回来交给社工。",
            "从社区党群服务中心集合出发；中心在申慧社区居委会一楼，门口有党群服务中心标牌。",
            "带上手机（拍照记录）和笔；天冷请穿厚些",
        ),
        (
            3,
            "助老陪护",
            14,
            huiyuan,
            "慧园小区3幢楼下",
            "陪行动不便的老人去社区卫生服务站配药、量血压，再送回家。",
            "慧园小区东门进，直走第二个路口右转即到3幢。",
            "带上身份证件以便代办登记",
        ),
        (
            5,
            "楼道清理",
            14,
            shenhui,
            "申慧社区党群服务中心",
            "清理楼道堆物，撕除小广告，消除消防隐患。工具由社区提供。",
            "在社区党群服务中心领取工具后分组前往各小区。",
            "手套、口罩（社区也备有一些）",
        ),
    ]
    for days, title, hour, node, place, description, directions, bring in upcoming_plan:
        start = datetime.combine(now.astimezone(tz).date() + timedelta(days=days), time(hour), tz)
        upcoming = Activity.objects.create(
            node=node,
            team=team,
            organiser=leader,
            title=title,
            description=description,
            place=place,
            directions=directions,
            bring=bring,
            lat=spot[0],
            lng=spot[1],
            starts_at=start,
            ends_at=start + timedelta(hours=1.5),
            capacity=4,
        )
        for user in members[:2]:
            signup_join(actor=user, activity=upcoming)
    # 慧园's daily garbage-sorting duty at the east gate: one roster, a shift a day for two weeks.
    huiyuan_duty = roster_create(
        actor=leader,
        team=team,
        node=huiyuan,
        title="垃圾分类值守",
        place="慧园小区东门垃圾分类亭",
        start_time=time(7),
        end_time=time(8, 30),
        capacity=2,
    )
    duty_shifts = roster_generate(actor=leader, roster=huiyuan_duty, start=now.astimezone(tz).date(), days=14)
    for shift in [s for s in duty_shifts if s.starts_at > now][:3]:
        for user in members[:2]:
            signup_join(actor=user, activity=shift)
    for user, pledge in zip(
        [leader, *members[:9]],
        ["每月带队一次助老服务", "每周参加一次垃圾分类值守", "为邻居免费维修小家电", "每月探访一位独居老人"]
        * 3,
        strict=False,
    ):
        party_report(
            actor=user, compound=huiyuan, display_name=user.display_name, pledge=pledge, workplace=""
        )
    # --- 上塘: teams and the centre's convenience services ------------------------------------------
    st_compounds = list(Node.objects.filter(path__startswith=shangtang.path, kind=NodeKind.COMPOUND)[:10])
    for name in ("隽逸红", "红领先锋"):
        st_team = Team.objects.create(node=shangtang, name=name, kind=TeamKind.VOLUNTEERS)
        crew = demo_users(
            f"st-{'jyh' if name == '隽逸红' else 'hlxf'}", f"{name}队员", 15, Role.VOLUNTEER, st_compounds
        )
        TeamMember.objects.bulk_create(TeamMember(team=st_team, user=u) for u in crew)
    # --- 大关: rosters and the 西一 wish wall -------------------------------------------------------
    xiyi_staff = User.objects.get(username="xiyi-staff")
    xiyi_compounds = list(
        Node.objects.filter(path__startswith=xiyi.path, kind=NodeKind.COMPOUND).order_by("path")
    )
    dg_team = Team.objects.create(node=xiyi, name="西一党员先锋队", kind=TeamKind.PARTY_MEMBERS)
    dg_members = demo_users("xiyi-member", "西一党员", 20, Role.PARTY_MEMBER, xiyi_compounds)
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
    ctx.shared.update(dabashou_members=members, xiyi_members=dg_members, xiyi_compounds=xiyi_compounds)
    return {
        "dabashou_services": DABASHOU_SERVICES,
        "dabashou_signups": len(signups),
        "dabashou_hours": int(sum((s.hours or Decimal(0) for s in signups), Decimal(0))),
        "shifts": shifts,
    }
