"""The demo's alliances (DESIGN §4 and issue 15): 祥符党建红盟 (52 units, "50+"), 上塘's 党建红盟汇 (20 units,
21 communities, three named projects, 31 drives raising ¥2,800,000), 城厢's 厢心力 (34 member units; 7
circles and 35 micro-alliances; 20 running red-partner projects; a new round of 22 projects with 42 units in
five categories), 望湖's three lists with 50 service projects. Names the seeds give are real; the other
unit and project names, all amounts per drive and all coordinates are synthetic."""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.alliances import services
from gongzhi.alliances.models import (
    Alliance,
    AllianceKind,
    Membership,
    Milestone,
    Project,
    ProjectCategory,
    ProjectStatus,
    ProjectUnit,
    Unit,
    UnitKind,
)
from gongzhi.core.photos import photo_replace
from gongzhi.core.registry import DemoContext
from gongzhi.demo import figures as F
from gongzhi.demo.accounts import named_node
from gongzhi.demo.pictures import drawn_photo
from gongzhi.orgs.models import Node, NodeKind

K = UnitKind
XIANGFU_UNITS = [
    ("浙江省自然资源厅", K.GOVERNMENT),
    ("浙江省档案馆", K.GOVERNMENT),
    ("杭州银泰城", K.PRIVATE_FIRM),
]
SHANGTANG_UNITS = [
    ("建华文创集团", K.PRIVATE_FIRM),
    ("詹氏中医骨伤医院", K.HOSPITAL),
    ("顺丰速运", K.PRIVATE_FIRM),
    ("天和建设集团", K.PRIVATE_FIRM),
]
CHENGXIANG_NAMED = {
    "城消保安": ("安全提升", ["萧山区消防大队"]),
    "寻梦星河": ("发展提质", ["萧山区综合行政执法局", "国网萧山供电公司", "杭州野渡创意社"]),
}
CATEGORIES = ["发展提质", "硬件提标", "服务提档", "治理提效", "安全提升"]
WANGHU_NAMED = ["爱在楼栋 友邻相伴", "老韩说法", "幸福护卫", "情暖桑榆", "乐夕阳", "朝阳护学"]
SHANGTANG_PROJECTS = [
    ("创业帮·梦想插翅", "employment", "建华文创集团"),
    ("仁爱义工·健康相伴", "health", "詹氏中医骨伤医院"),
    ("红盟圆梦·情暖小候鸟", "children", "顺丰速运"),
]
# Synthetic names for the units the seeds do not name.
FIRST = [
    "钱江",
    "运河",
    "湖墅",
    "拱宸",
    "西湖",
    "之江",
    "临平",
    "萧然",
    "湘湖",
    "包河",
    "巢湖",
    "滨江",
    "武林",
    "半山",
    "良渚",
    "富春",
    "天目",
    "新安",
    "东信",
    "西溪",
]
LAST = [
    ("建设集团", K.PRIVATE_FIRM),
    ("实验学校", K.SCHOOL),
    ("社区医院", K.HOSPITAL),
    ("志愿者协会", K.SOCIAL_ORG),
    ("供水公司", K.STATE_FIRM),
    ("律师事务所", K.PRIVATE_FIRM),
    ("街道办事处科室", K.GOVERNMENT),
    ("银行支行", K.STATE_FIRM),
]
RESOURCES = [
    ("elderly", "助老陪诊志愿服务", "为独居老人陪同就医、代配药", "hours", 120),
    ("health", "义诊与健康讲座", "中医骨伤义诊、健康咨询", "places", 200),
    ("legal", "法律咨询进小区", "律师每月一次驻点咨询", "hours", 48),
    ("children", "暑期托管与课业辅导", "大学生志愿者辅导作业", "places", 60),
    ("repair", "家电维修与楼道照明维修", "电工上门维修", "hours", 80),
    ("space", "会议室与活动场地开放", "周末开放给社区活动", "hours", 100),
    ("employment", "就业创业指导", "简历辅导、岗位推荐", "places", 40),
    ("funds", "微心愿认领资金", "每年捐赠用于困难家庭", "money", 50000),
    ("safety", "消防安全培训", "灭火器使用、逃生演练", "hours", 60),
    ("environment", "绿化认养", "小区公共绿地补种", "people", 30),
]
NEEDS = [
    ("elderly", "独居老人就医陪同", "每周两次陪同就医", "hours", 16, 4),
    ("repair", "老旧楼道照明更换", "三个单元楼道灯不亮", "hours", 12, 3),
    ("children", "双职工家庭暑期看护", "小学生暑期托管", "places", 20, 3),
    ("legal", "邻里纠纷法律咨询", "噪音与漏水纠纷", "hours", 6, 2),
    ("health", "社区义诊", "慢病老人健康检查", "places", 80, 2),
    ("safety", "电动车充电消防宣传", "楼道充电隐患", "hours", 8, 4),
    ("space", "老年合唱队排练场地", "每周两次", "hours", 24, 1),
    ("employment", "失业人员再就业培训", "家政与电商培训", "places", 15, 2),
]


def _unit_names(prefix: str, count: int, rng: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for n in range(count):
        first, (last, kind) = FIRST[n % len(FIRST)], LAST[(n // len(FIRST) + n) % len(LAST)]
        out.append((f"{prefix}{first}{last}", kind))
    return out


def _units(
    admin: User, sub: Node, names: list[tuple[str, str]], alliance: Alliance | None, rng: Any
) -> list[Unit]:
    units = []
    for n, (name, kind) in enumerate(names):
        lat = (sub.lat or 30.3) + rng.uniform(-0.02, 0.02)
        lng = (sub.lng or 120.1) + rng.uniform(-0.02, 0.02)
        units.append(
            services.unit_register(
                actor=admin,
                subdistrict=sub,
                name=name,
                kind=kind,
                party_org=f"{name}党支部",
                contact_name="联络员",
                lat=lat,
                lng=lng,
                alliances=[alliance] if alliance else [],
                joined_on=date(2021, 3, 1) + timedelta(days=30 * (n % 24)),
            )
        )
    return units


def _categories(sub: Node) -> dict[str, ProjectCategory]:
    return {
        name: ProjectCategory.objects.create(node=sub, name=name, order=n)
        for n, name in enumerate(CATEGORIES)
    }


def _project(
    admin: User,
    node: Node,
    name: str,
    *,
    units: list[Unit],
    status: str,
    alliance: Alliance | None = None,
    category: ProjectCategory | None = None,
    reached: int = 0,
    progress_done: int = 0,
) -> Project:
    """A project set up by the system's staff account and moved to ``status`` through the workflow."""
    project = services.project_create(
        actor=admin,
        node=node,
        name=name,
        category=category,
        alliance=alliance,
        units=[(u, "lead" if i == 0 else "partner") for i, u in enumerate(units)],
        milestones=[("筹备", 1), ("实施", 2), ("总结", 1)],
        residents_reached=reached,
    )
    if status == ProjectStatus.DRAFT:
        return project
    project = services.project_transition(actor=admin, project=project, action="publish")
    if status == ProjectStatus.OPEN:
        return project
    if project.status == ProjectStatus.OPEN:
        project = services.project_transition(actor=admin, project=project, action="close_claims")
    if status == ProjectStatus.CLAIMED:
        return project
    project = services.project_transition(actor=admin, project=project, action="start")
    milestones = list(project.milestones.all())
    todo = (
        milestones if status in (ProjectStatus.DONE, ProjectStatus.EVALUATED) else milestones[:progress_done]
    )
    for m in todo:
        project = services.milestone_done(actor=admin, milestone=m)
    if status == ProjectStatus.IN_PROGRESS:
        return project
    project = services.project_transition(actor=admin, project=project, action="finish")
    if status == ProjectStatus.EVALUATED:
        project = services.project_transition(
            actor=admin, project=project, action="evaluate", note="群众满意，按期完成。"
        )
    return project


def _lists(admin: User, sub: Node, units: list[Unit], places: list[Node], rng: Any) -> tuple[int, int]:
    today = timezone.localdate()
    for n, (cat, title, desc, kind, cap) in enumerate(RESOURCES):
        unit = units[n % len(units)]
        services.resource_post(
            actor=admin,
            unit=unit,
            category=cat,
            title=title,
            description=desc,
            capacity_kind=kind,
            capacity=cap,
            radius_km=rng.choice([2.0, 3.0, 5.0]),
            available_from=today - timedelta(days=30),
            available_until=today + timedelta(days=180),
        )
    for n, (cat, title, desc, kind, qty, urgency) in enumerate(NEEDS):
        services.need_post(
            actor=admin,
            node=places[n % len(places)],
            category=cat,
            title=title,
            description=desc,
            quantity_kind=kind,
            quantity=qty,
            urgency=urgency,
            wanted_from=today,
            wanted_until=today + timedelta(days=60),
        )
    return len(RESOURCES), len(NEEDS)


# (name, the picture's caption, how far it is) of the projects in 申慧 (the community, then 慧园 …)
SHENHUI_PROJECTS = [
    ("银泰助老午餐", "每周二、四", ProjectStatus.IN_PROGRESS),
    ("慧园楼道微改造", "扶手与照明", ProjectStatus.OPEN),
    ("夏季纳凉电影夜", "广场放映", ProjectStatus.OPEN),
]


def load(ctx: DemoContext) -> dict[str, int]:
    ctx.progress("alliances")
    rng = ctx.rng
    admin = User.objects.get(username="admin")
    subs = {s["key"]: Node.objects.get(code=s["code"]) for s in F.SUBDISTRICTS}
    password = make_password(F.DEMO_PASSWORD)

    # 祥符: 祥符党建红盟, 52 units ("50+"), the lists, and a unit account for 杭州银泰城.
    xf = subs["xiangfu"]
    hongmeng = services.alliance_create(actor=admin, node=xf, name="祥符党建红盟", motto="党建红盟 共建共享")
    xf_units = _units(admin, xf, XIANGFU_UNITS + _unit_names("", 49, rng), hongmeng, rng)
    yintai = xf_units[2]
    unit_user = User.objects.create(
        username="yintai-unit", display_name="杭州银泰城联络员", password=password
    )
    services.unit_staff_add(actor=admin, unit=yintai, user=unit_user)
    shenhui = named_node("申慧社区")
    xf_places = [
        shenhui,
        *Node.objects.filter(path__startswith=shenhui.path, kind=NodeKind.COMPOUND).order_by("path")[:3],
    ]
    resources, needs = _lists(admin, xf, [yintai, *xf_units[:6]], xf_places, rng)
    # 申慧 and 慧园: projects of 祥符党建红盟 where the demo's 慧园 residents live, with drawn pictures.
    where = (shenhui, named_node("慧园小区"))
    for n, (name, caption, status) in enumerate(SHENHUI_PROJECTS):
        project = _project(
            admin,
            where[n % 2],
            name,
            units=[yintai, xf_units[3 + n]],
            status=status,
            alliance=hongmeng,
            reached=120 if status == ProjectStatus.IN_PROGRESS else 0,
            progress_done=1,
        )
        photo_replace(actor=admin, kind="project", pk=project.pk, upload=drawn_photo(name, caption))

    # 上塘: 党建红盟汇 of 20 units linking its 21 communities and co-operatives; three named projects; drives.
    st = subs["shangtang"]
    hmh = services.alliance_create(actor=admin, node=st, name="党建红盟汇", motto="红盟汇聚 共建共治")
    hmh.communities.set(Node.objects.filter(path__startswith=st.path, kind=NodeKind.COMMUNITY))
    st_units = _units(admin, st, SHANGTANG_UNITS + _unit_names("上塘", 16, rng), hmh, rng)
    by_name = {u.name: u for u in st_units}
    st_comms = list(Node.objects.filter(path__startswith=st.path, kind=NodeKind.COMMUNITY).order_by("path"))
    for n, (name, _cat, unit_name) in enumerate(SHANGTANG_PROJECTS):
        _project(
            admin,
            st_comms[n],
            name,
            units=[by_name[unit_name]],
            status=ProjectStatus.IN_PROGRESS,
            alliance=hmh,
            progress_done=n + 1,
        )
    sf_user = User.objects.create(username="shunfeng-unit", display_name="顺丰速运联络员", password=password)
    services.unit_staff_add(actor=admin, unit=by_name["顺丰速运"], user=sf_user)
    drives = _drives(admin, st, hmh, st_units, rng)

    # 城厢: 厢心力, 34 member units; 7 circles and 35 micro-alliances; 20 running projects; 22 new-round ones.
    cx = subs["chengxiang"]
    xxl = services.alliance_create(actor=admin, node=cx, name="厢心力", motto="“1+7”党建联盟体系")
    Alliance.objects.filter(pk=xxl.pk).update(
        reported_units=262,
        reported_activities=300,
        reported_venues=120,
        reported_reached=10000,
        reported_solved=450,
    )
    cats = _categories(cx)
    named_units = [u for _c, (_cat, units) in CHENGXIANG_NAMED.items() for u in units]
    kinds = {
        "萧山区消防大队": K.GOVERNMENT,
        "萧山区综合行政执法局": K.GOVERNMENT,
        "国网萧山供电公司": K.STATE_FIRM,
        "杭州野渡创意社": K.SOCIAL_ORG,
    }
    members = _units(admin, cx, [(n, kinds[n]) for n in named_units] + _unit_names("萧山", 30, rng), xxl, rng)
    cx_comms = list(Node.objects.filter(path__startswith=cx.path, kind=NodeKind.COMMUNITY).order_by("path"))
    for c in range(7):
        circle = services.alliance_create(
            actor=admin, node=cx, name=f"联盟圈{c + 1}", kind=AllianceKind.CIRCLE, parent=xxl
        )
        circle.communities.set(cx_comms[c::7])
    circles = list(xxl.children.order_by("id"))
    for m in range(35):
        comm = cx_comms[m % len(cx_comms)]
        services.alliance_create(
            actor=admin,
            node=comm,
            name=f"{comm.name}微联盟{m // len(cx_comms) + 1}",
            kind=AllianceKind.MICRO,
            parent=circles[m % 7],
        )
    # Eight co-building units of the micro-alliances join the new round (42 units in all).
    newcomers = _units(admin, cx, _unit_names("城厢", 8, rng), None, rng)
    running = 0
    for n in range(20):  # the first round: 20 projects running, by the 34 member units
        unit_pair = [members[(2 * n) % 34], members[(2 * n + 1) % 34]][: 1 + (n % 2)]
        _project(
            admin,
            cx_comms[n % len(cx_comms)],
            f"红色合伙人首轮项目{n + 1:02d}",
            units=unit_pair,
            status=ProjectStatus.IN_PROGRESS,
            alliance=xxl,
            category=cats[CATEGORIES[n % 5]],
            reached=500,
            progress_done=1 + n % 2,
        )
        running += 1
    round_units = members + newcomers  # 42
    named_by = {u.name: u for u in members}
    new_round = 0
    used: set[int] = set()
    for name, (cat, unit_names) in CHENGXIANG_NAMED.items():
        units = [named_by[u] for u in unit_names]
        used.update(u.pk for u in units)
        _project(admin, cx, name, units=units, status=ProjectStatus.CLAIMED, alliance=xxl, category=cats[cat])
        new_round += 1
    rest = [u for u in round_units if u.pk not in used]  # 38 units over 20 projects
    for n in range(20):
        units = rest[n * 38 // 20 : (n + 1) * 38 // 20]
        _project(
            admin,
            cx_comms[n % len(cx_comms)],
            f"红色合伙人新一轮项目{n + 3:02d}",
            units=units,
            status=ProjectStatus.CLAIMED,
            alliance=xxl,
            category=cats[CATEGORIES[n % 5]],
        )
        new_round += 1

    # 望湖: the three lists worked by the compound party organisations, owners' committees, property
    # managers, governance teams and co-building units; 50 service projects, six of them named.
    wh = subs["wanghu"]
    whl = services.alliance_create(actor=admin, node=wh, name="望湖街道共建联盟", motto="三张清单 共建共享")
    wh_units = _units(admin, wh, _unit_names("合肥", 12, rng), whl, rng)
    wh_comms = list(Node.objects.filter(path__startswith=wh.path, kind=NodeKind.COMMUNITY).order_by("path"))
    wh_compounds = list(
        Node.objects.filter(path__startswith=wh.path, kind=NodeKind.COMPOUND).order_by("path")
    )
    _lists(admin, wh, wh_units, wh_compounds[:6] or wh_comms, rng)
    states = [ProjectStatus.EVALUATED, ProjectStatus.DONE, ProjectStatus.IN_PROGRESS]
    for n in range(50):
        name = WANGHU_NAMED[n] if n < len(WANGHU_NAMED) else f"望湖服务项目{n + 1:02d}"
        place = wh_compounds[n % len(wh_compounds)] if wh_compounds else wh_comms[n % len(wh_comms)]
        _project(
            admin,
            place,
            name,
            units=[wh_units[n % len(wh_units)]],
            status=states[n % 3],
            alliance=whl,
            reached=120,
            progress_done=1,
        )

    return {
        "alliances": Alliance.objects.count(),
        "alliance_units": Unit.objects.count(),
        "memberships": Membership.objects.count(),
        "alliance_projects": Project.objects.count(),
        "alliance_resources": resources * 2,
        "alliance_needs": needs * 2,
        "donation_drives": drives,
        "milestones": Milestone.objects.count(),
        "project_units": ProjectUnit.objects.count(),
        "chengxiang_running": running,
        "chengxiang_new_round": new_round,
    }


SHANGTANG_TOTAL = 2_800_000  # yuan raised by 上塘's drives (its report: 30+ drives, ¥2.8 million)
SHANGTANG_DRIVES = 31


def _drives(admin: User, st: Node, alliance: Alliance, units: list[Unit], rng: Any) -> int:
    """31 drives whose receipts add up to exactly ¥2,800,000; one public drive names a charity."""
    weights = [rng.randint(5, 20) for _ in range(SHANGTANG_DRIVES)]
    amounts = [SHANGTANG_TOTAL * w // sum(weights) for w in weights]
    amounts[-1] += SHANGTANG_TOTAL - sum(amounts)
    start = date(2022, 1, 10)
    for n, total in enumerate(amounts):
        public = n == 0
        drive = services.drive_create(
            actor=admin,
            node=st,
            alliance=alliance,
            title=f"红盟汇爱心募捐第{n + 1}期",
            kind="cash",
            goal=total,
            starts_on=start + timedelta(days=30 * n),
            ends_on=start + timedelta(days=30 * n + 20),
            receiver="拱墅区慈善总会（示例）" if public else "上塘街道党工委",
            public=public,
            charity_code="53330105MJ00000001" if public else "",
        )
        givers = rng.sample(units, 3)
        parts = [total // 3, total // 3, total - 2 * (total // 3)]
        for unit, amount in zip(givers, parts, strict=True):
            pledge = services.pledge_make(actor=admin, drive=drive, unit=unit, amount=amount)
            services.pledge_receive(actor=admin, pledge=pledge)
    return SHANGTANG_DRIVES


def link_venues(ctx: DemoContext) -> dict[str, int]:
    """After the venues step: each subdistrict alliance shares the venues module's venues of its subdistrict
    (the reported totals, e.g. 城厢's 120 shared venues, stay the figure its page shows until more are on
    the map)."""
    from gongzhi.venues.models import Venue

    ctx.progress("alliance venues")
    linked = 0
    for alliance in Alliance.objects.filter(kind=AllianceKind.ALLIANCE).select_related("node"):
        venues = list(
            Venue.objects.filter(node__path__startswith=alliance.node.path).values_list("pk", flat=True)
        )
        alliance.venues.set(venues)
        linked += len(venues)
    return {"alliance venues": linked}
