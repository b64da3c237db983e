"""The venues step of ``gongzhi demo``: the centres and stations the reports name, with their function
areas and figures; 望湖's 1 + 5 + 12 venues and a plan for 5 more computed by the siting model; 上塘's
convenience services, its 最多跑一次 desks, four canal waystations and its rotation table; 大关's 西一
waystation and 南苑's station run with a pharmacy; 城厢's 120 venues shared by alliance units; bookings of
上塘's deliberation room; a year of visitor counts that, with the figures before counting, reproduce the
reports' totals (祥符 280,000+ visits and 1,300+ activities; 上塘 194,000+ visitors, 20+ activities in
July)."""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.core.registry import DemoContext
from gongzhi.core.roles import Role
from gongzhi.core.workdays import SHANGHAI
from gongzhi.demo import figures as F
from gongzhi.orgs.models import Node, NodeType
from gongzhi.venues import circle_data, services
from gongzhi.venues.bookings import Repeat, booking_create
from gongzhi.venues.models import (
    ActivityKind,
    BookableBy,
    Booking,
    ConvenienceService,
    Space,
    SpaceKind,
    Venue,
    VenueLevel,
    VisitCount,
    Weekday,
)
from gongzhi.venues.rotations import rotation_create
from gongzhi.venues.workflow import booking_transition

K = SpaceKind
L = VenueLevel

# 祥符's centre: ten function areas.
XIANGFU_AREAS = [
    ("党群之家", K.PARTY, 60),
    ("聚力联盟", K.PARTY, 30),
    ("文化家园", K.CULTURE, 80),
    ("新时代讲习所", K.EDUCATION, 100),
    ("党建书吧", K.PARTY, 40),
    ("议事协商厅", K.DELIBERATION, 30),
    ("便民服务大厅", K.SERVICE, 50),
    ("市民学校", K.EDUCATION, 60),
    ("健身活动室", K.CULTURE, 30),
    ("智慧党建指挥室", K.OTHER, 20),
]
# Every community centre has a 新时代讲习所 and a 党建书吧.
CENTRE_AREAS = [
    ("新时代讲习所", K.EDUCATION, 60),
    ("党建书吧", K.PARTY, 30),
    ("议事协商室", K.DELIBERATION, 20),
]
# Areas that residents may book themselves (the others take a community, co-operative or alliance unit).
RESIDENT_BOOKABLE = ("党建书吧", "文化家园", "健身活动室")
# A 望湖 station laid out "5+X".
FIVE_PLUS_X = [
    ("党建宣传角", K.PARTY, 15),
    ("文体活动室", K.CULTURE, 30),
    ("便民服务点", K.SERVICE, 10),
    ("议事协商室", K.DELIBERATION, 15),
    ("市民课堂", K.EDUCATION, 30),
]
SHANGTANG_SERVICES = [
    ("磨剪刀", Weekday.TUESDAY, time(9), time(11), "党员志愿者 王师傅", True),
    ("修伞", Weekday.WEDNESDAY, time(9), time(11), "党员志愿者 李师傅", False),
    ("理发", Weekday.THURSDAY, time(8, 30), time(11, 30), "红色便民服务站 理发志愿者", True),
    ("补鞋", Weekday.FRIDAY, time(9), time(11), "党员志愿者 赵师傅", False),
    ("小家电维修", Weekday.SATURDAY, time(9), time(11, 30), "顺丰速运 党员服务队", True),
]
# 祥符's centre has a service every day, so a resident always finds one "today".
XIANGFU_SERVICES = [
    ("理发", Weekday.MONDAY, time(9), time(11), "搭把手 党员志愿服务队", True),
    ("磨剪刀", Weekday.TUESDAY, time(9), time(11), "搭把手 党员志愿服务队", True),
    ("量血压", Weekday.WEDNESDAY, time(8, 30), time(10, 30), "社区卫生服务中心", False),
    ("修伞补鞋", Weekday.THURSDAY, time(9), time(11), "搭把手 党员志愿服务队", False),
    ("小家电维修", Weekday.FRIDAY, time(14), time(16), "搭把手 党员志愿服务队", True),
    ("磨剪刀", Weekday.SATURDAY, time(9), time(11), "搭把手 党员志愿服务队", True),
    ("法律咨询", Weekday.SUNDAY, time(9), time(11), "祥符党建红盟 律师事务所", False),
]
SHANGTANG_WAYSTATIONS = ["七古登", "浙大城市学院", "拱宸", "中铁太阳城"]
KIND_SHARE = [
    (ActivityKind.PARTY, 0.25),
    (ActivityKind.CULTURE, 0.25),
    (ActivityKind.SERVICE, 0.2),
    (ActivityKind.DELIBERATION, 0.1),
    (ActivityKind.EDUCATION, 0.2),
]


def _venue(node: Node, name: str, level: str, **fields: Any) -> Venue:
    return Venue.objects.create(
        node=node,
        name=name,
        level=level,
        lat=fields.pop("lat", node.lat),
        lng=fields.pop("lng", node.lng),
        address=fields.pop("address", node.address or name),
        **fields,
    )


def _areas(venue: Venue, areas: list[tuple[str, Any, int]], **fields: Any) -> list[Space]:
    return Space.objects.bulk_create(
        Space(venue=venue, name=name, kind=kind, capacity=capacity, **fields)
        for name, kind, capacity in areas
    )


def _services(venue: Venue, rows: list[tuple]) -> None:
    ConvenienceService.objects.bulk_create(
        ConvenienceService(
            venue=venue, name=n, weekday=w, start_time=s, end_time=e, provider=p, queue_tickets=q
        )
        for n, w, s, e, p, q in rows
    )


def _visits(
    ctx: DemoContext, venue: Venue, *, days: int, per_day: tuple[int, int], today: date
) -> tuple[int, int]:
    """A year of head-counts: one or two activities most days, split over the kinds."""
    rows = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        if ctx.rng.random() < 0.35:
            continue
        kind = ctx.rng.choices([k for k, _ in KIND_SHARE], weights=[w for _, w in KIND_SHARE])[0]
        rows.append(
            VisitCount(venue=venue, day=day, kind=kind, visitors=ctx.rng.randint(*per_day), activities=1)
        )
    VisitCount.objects.bulk_create(rows)
    return sum(r.visitors for r in rows), len(rows)


def _account(username: str, display: str, role: str, node: Node, password: str) -> User:
    user = User.objects.create(username=username, display_name=display, password=password)
    RoleBinding.objects.create(user=user, role=role, node=node)
    return user


def load(ctx: DemoContext) -> dict[str, int]:
    ctx.progress("venues")
    world = ctx.shared["world"]
    named = world.named
    subs = world.subdistricts
    today = timezone.localtime(timezone.now(), SHANGHAI).date()
    password = make_password(F.DEMO_PASSWORD)
    wanghu_admin = _account(
        "wanghu-admin", "望湖街道管理员", Role.SUBDISTRICT_ADMIN, subs["wanghu"], password
    )
    _account("shanxian-secretary", "善贤社区书记", Role.COMMUNITY_SECRETARY, named["善贤社区"], password)
    gongchen = _account(
        "gongchen-secretary", "拱宸社区书记", Role.COMMUNITY_SECRETARY, named["拱宸社区"], password
    )
    shangtang_admin = User.objects.get(username="shangtang-admin")

    # 祥符: the subdistrict centre and a centre in each of the 17 communities (over 10,000 m² in all).
    xf = _venue(
        subs["xiangfu"],
        "祥符街道党群服务中心",
        L.SUBDISTRICT_CENTRE,
        address="杭州市拱墅区春雀街92号",
        floor_area_m2=3000,
        operator="祥符街道党工委",
        opened_on=date(2019, 7, 1),
        description="“两中心两枢纽多分支”的中心枢纽：十大功能区，智慧党建互联互通。",
    )
    _areas(xf, XIANGFU_AREAS)
    _services(xf, XIANGFU_SERVICES)
    xf_centres = []
    for n, community in enumerate(world.communities["xiangfu"]):
        centre = _venue(
            community,
            f"{community.name}党群服务中心",
            L.COMMUNITY_CENTRE,
            floor_area_m2=560 + 37 * n,
            operator=f"{community.name}党委",
        )
        xf_centres.append(centre)
        _areas(centre, CENTRE_AREAS)
    # Residents book the reading rooms and the centre's culture and fitness rooms themselves.
    Space.objects.filter(venue__in=[xf, *xf_centres], name__in=RESIDENT_BOOKABLE).update(
        bookable_by=BookableBy.RESIDENTS
    )
    xf_visits, xf_acts = _visits(ctx, xf, days=365, per_day=(60, 140), today=today)
    # The figures reported since opening: what was counted before the platform, plus what it counted.
    Venue.objects.filter(pk=xf.pk).update(
        visits_before=max(0, 280_600 - xf_visits), activities_before=max(0, 1_312 - xf_acts)
    )

    # 上塘: the 5,800 m² centre, its red convenience station, desks, live-stream room, four waystations.
    st = _venue(
        subs["shangtang"],
        "上塘街道党群服务中心",
        L.SUBDISTRICT_CENTRE,
        floor_area_m2=5800,
        operator="上塘街道党工委",
        opened_on=date(2020, 7, 1),
        description="红色便民服务站、流动服务队、200余名中心志愿者；“最多跑一次”窗口。",
    )
    st_areas = _areas(
        st,
        [
            ("议事协商室", K.DELIBERATION, 24),
            ("红色直播间", K.OTHER, 8),
            ("多功能厅", K.CULTURE, 120),
            ("党员教育室", K.EDUCATION, 60),
        ],
    )
    _areas(
        st,
        [
            ("红色便民服务站", K.SERVICE, 20),
            ("流动服务队", K.SERVICE, 10),
            ("人社窗口", K.SERVICE, 6),
            ("医保窗口", K.SERVICE, 6),
            ("就业窗口", K.SERVICE, 6),
            ("退役军人服务站", K.SERVICE, 6),
        ],
        bookable_by=BookableBy.STAFF,
        needs_approval=False,
    )
    _services(st, SHANGTANG_SERVICES)
    for name in SHANGTANG_WAYSTATIONS:
        host = named.get(f"{name}社区", subs["shangtang"])
        _venue(host, f"{name}运河城市驿站", L.WAYSTATION, floor_area_m2=120, operator="上塘街道")
    for community in world.communities["shangtang"]:
        if community.node_type != NodeType.ECONOMIC_COOP and community.name != "七古登社区":
            _venue(community, f"{community.name}党群服务中心", L.COMMUNITY_CENTRE, floor_area_m2=450)
    st_visits, _st_acts = _visits(ctx, st, days=365, per_day=(80, 160), today=today)
    july = date(today.year if today.month > 7 else today.year - 1, 7, 1)
    july_rows = [
        VisitCount(
            venue=st,
            day=july + timedelta(days=d),
            kind=ActivityKind.CULTURE if d % 2 else ActivityKind.PARTY,
            visitors=60 + 7 * (d % 5),
            activities=1,
            title="轮值周活动",
        )
        for d in range(0, 31, 1)
        if (july + timedelta(days=d)).weekday() < 5
    ]
    VisitCount.objects.bulk_create(july_rows)
    st_visits += sum(r.visitors for r in july_rows)
    Venue.objects.filter(pk=st.pk).update(visits_before=max(0, 194_300 - st_visits))
    # The rotation table: communities and co-operatives take turns running the centre's week.
    members = [named[f"{n}社区"] for n in ("善贤", "拱宸", "皋亭", "蔡马", "假山路", "绍兴路", "七古登")]
    members += [c for c in world.communities["shangtang"] if c.node_type == NodeType.ECONOMIC_COOP][:1]
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=8)
    rotation = rotation_create(
        actor=shangtang_admin,
        venue=st,
        name=f"{today.year}年上塘街道党群服务中心活动轮值表",
        starts_on=start,
        ends_on=start + timedelta(weeks=30),
        members=members,
    )
    weeks = list(rotation.weeks.order_by("week_of"))
    for week in weeks[:8]:
        week.plan = f"{week.owner.name}轮值周：红色电影放映、便民服务日、亲子手工课、党员微课堂"
        week.save(update_fields=["plan"])
    # 善贤 books the deliberation room every Wednesday afternoon; 拱宸 once, waiting for approval.
    room = st_areas[0]
    first_wed = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    booking_create(
        actor=shangtang_admin,
        space=room,
        title="善贤社区居民议事会",
        starts_at=datetime.combine(first_wed, time(14), SHANGHAI),
        ends_at=datetime.combine(first_wed, time(16), SHANGHAI),
        for_node=named["善贤社区"],
        repeat=Repeat(kind="weekly", weekdays=[2], count=8),
    )
    booking_create(
        actor=gongchen,
        space=room,
        title="拱宸社区百姓圆桌会",
        starts_at=datetime.combine(first_wed + timedelta(days=1), time(9), SHANGHAI),
        ends_at=datetime.combine(first_wed + timedelta(days=1), time(11), SHANGHAI),
        for_node=named["拱宸社区"],
    )
    approved = booking_create(
        actor=gongchen,
        space=st_areas[1],
        title="拱宸社区直播带岗",
        starts_at=datetime.combine(first_wed + timedelta(days=2), time(10), SHANGHAI),
        ends_at=datetime.combine(first_wed + timedelta(days=2), time(11), SHANGHAI),
        for_node=named["拱宸社区"],
    ).bookings[0]
    booking_transition(actor=shangtang_admin, booking=approved, action="approve")

    # 大关: 西一运河城市驿站 (300 m², three floors) and 南苑's station run with 九洲大药房.
    xiyi = _venue(
        named["西一社区"],
        "西一运河城市驿站",
        L.WAYSTATION,
        floor_area_m2=300,
        operator="西一社区",
        description="三层：一楼党建书吧，二楼百姓书场，三楼新四军大讲堂；微心愿墙。",
    )
    _areas(xiyi, [("党建书吧", K.PARTY, 30), ("百姓书场", K.CULTURE, 60), ("新四军大讲堂", K.EDUCATION, 80)])
    nanyuan = named["南八苑"]
    _venue(nanyuan, "南八苑党群服务站", L.STATION, operator="南苑社区、九洲大药房", floor_area_m2=80)
    _venue(subs["daguan"], "大关街道党群服务中心", L.SUBDISTRICT_CENTRE, floor_area_m2=1200)

    # 城厢: 120 venues shared by alliance units.
    cx_compounds = world.compounds["chengxiang"]
    shared = [
        Venue(
            node=cx_compounds[i % len(cx_compounds)],
            name=f"共建单位共享阵地{i + 1:03d}",
            level=L.SHARED,
            lat=round(cx_compounds[i % len(cx_compounds)].lat + ctx.rng.uniform(-0.004, 0.004), 6),
            lng=round(cx_compounds[i % len(cx_compounds)].lng + ctx.rng.uniform(-0.004, 0.004), 6),
            operator="厢心力党建联盟成员单位",
        )
        for i in range(120)
    ]
    Venue.objects.bulk_create(shared)
    _venue(subs["chengxiang"], "城厢街道党群服务中心", L.SUBDISTRICT_CENTRE, floor_area_m2=2000)

    # 望湖: 1 subdistrict centre, 5 community centres, 12 compound stations laid out "5+X".
    wh = _venue(subs["wanghu"], "望湖街道党群服务中心", L.SUBDISTRICT_CENTRE, floor_area_m2=1500)
    _areas(wh, FIVE_PLUS_X)
    for community in world.communities["wanghu"]:
        _areas(
            _venue(community, f"{community.name}党群服务中心", L.COMMUNITY_CENTRE),
            FIVE_PLUS_X,
        )
    compounds = world.compounds["wanghu"]
    # The stations so far sit near the centre; the outer compounds are still beyond a 10-minute walk.
    centre = subs["wanghu"]
    nearest = sorted(compounds, key=lambda c: (c.lat - centre.lat) ** 2 + (c.lng - centre.lng) ** 2)
    for compound in nearest[:12]:
        station = _venue(
            compound, f"{compound.name}党群服务站", L.STATION, floor_area_m2=ctx.rng.randint(60, 150)
        )
        _areas(station, [*FIVE_PLUS_X, ("红色物业议事角", K.OTHER, 10)])
    # The 5 stations to build by year end: the exact maximal-covering plan over the compounds.
    result = circle_data.siting(
        fetched_by=User.objects.get(username="admin"),
        node=subs["wanghu"],
        k=5,
        candidates="compounds",
        distance=500,
    )
    plan = services.plan_save(
        actor=wanghu_admin,
        node=subs["wanghu"],
        year=today.year,
        title=f"{today.year}年望湖街道新建5个小区党群服务站",
        result=result,
        adopt=True,
    )
    return {
        "venues": Venue.objects.count(),
        "function areas": Space.objects.count(),
        "bookings": Booking.objects.count(),
        "convenience services": ConvenienceService.objects.count(),
        "wanghu plan: residents newly covered": plan.newly_covered,
    }
