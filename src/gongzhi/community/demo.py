"""Demo of the module: 城厢's ten communities typed with its five types and its "1356" three-year plan (six
actions, three steps, a task per community and action, one bound to the appeals resolved); 上塘's compound
types; 祥符's compound doctors, teachers and lawyers and a dozen 能人 services around 慧园小区; 上塘's
centre desks (最多跑一次) and its convenience services; orders in every state, some rated."""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.community.directory import (
    node_type_set,
    order_place,
    price_cap_set,
    provider_register,
    service_add,
    type_create,
)
from gongzhi.community.models import PlanAction, PlanStep, Provider, ProviderKind, Service, TypeLevel
from gongzhi.community.plans import plan_create, plan_indicators_refresh, task_add, task_update
from gongzhi.community.schedule import closure_on, open_on
from gongzhi.community.workflow import order_transition, plan_transition, provider_transition
from gongzhi.core.registry import DemoContext
from gongzhi.core.roles import Role
from gongzhi.demo import figures as F
from gongzhi.demo.accounts import named_node
from gongzhi.orgs.models import Node, NodeKind, NodeType

CHENGXIANG_TYPES = [
    (NodeType.HISTORIC, "历史文化型", "保护老街巷与文化遗存，讲好社区故事"),
    (NodeType.ELDERLY_CARE, "养老服务型", "助餐、助医、助浴，居家养老服务全覆盖"),
    (NodeType.VIBRANT, "优质活力型", "青年与家庭服务，社区活动与共享空间"),
    (NodeType.RENEWAL, "改造提升型", "老旧小区改造、加装电梯、停车与环境整治"),
    (NodeType.INTEGRATION, "融合发展型", "新老居民融合，村社融合发展"),
]
SIX_ACTIONS = [
    "强社惠民",
    "公共服务优化提升",
    "数字赋能现代社区建设",
    "社工人才提质增量",
    "除险保安护航",
    "党建统领基层治理",
]
THREE_STEPS = ["第一年：示范点建设", "第二年：出成效", "第三年：全覆盖"]
TASKS = {
    "强社惠民": "社区惠民服务清单落地",
    "公共服务优化提升": "15分钟公共服务圈建设",
    "数字赋能现代社区建设": "数字社区平台上线",
    "社工人才提质增量": "持证社工占比提升",
    "除险保安护航": "隐患排查整治闭环",
    "党建统领基层治理": "民生诉求就地化解",
}
SHANGTANG_COMPOUND_TYPES = [
    (NodeType.RESETTLEMENT, "安置小区", "邻里融合、公共秩序、物业服务补位"),
    (NodeType.OLD_COMPOUND, "老旧小区", "改造提升、适老服务、停车与安全"),
    (NodeType.COMMERCIAL, "商品房小区", "三方协同、业委会规范运作"),
]
XIANGFU_PROVIDERS = [
    # kind, name, licence, category, service, where, price kind, price, weekdays, description
    (
        ProviderKind.DOCTOR,
        "王医生",
        "110330100012345",
        "health",
        "小区医生健康咨询",
        "home",
        "free",
        None,
        [2, 4],
        "量血压、看化验单、用药咨询，行动不便可上门。",
    ),
    (
        ProviderKind.TEACHER,
        "李老师",
        "20193301422000123",
        "education",
        "小区教师作业辅导",
        "venue",
        "free",
        None,
        [1, 3, 5],
        "小学语文数学作业辅导，放学后在驿站。",
    ),
    (
        ProviderKind.LAWYER,
        "赵律师",
        "13301201910123456",
        "legal",
        "小区律师法律咨询",
        "online",
        "free",
        None,
        [6],
        "婚姻家庭、邻里纠纷、劳动合同咨询。",
    ),
]
SKILLED = [
    # name, party member?, category, service, price kind, price
    ("陈师傅", True, "repair", "家电小修", "low_cost", Decimal(10)),
    ("周阿姨", False, "haircut", "上门理发", "low_cost", Decimal(15)),
    ("孙师傅", True, "repair", "水电维修", "low_cost", Decimal(20)),
    ("吴老师", True, "education", "老年人智能手机教学", "free", None),
    ("郑阿姨", False, "care", "助老陪诊", "free", None),
    ("冯师傅", False, "repair", "修自行车", "low_cost", Decimal(5)),
    ("蒋大姐", True, "care", "独居老人代买菜", "free", None),
    ("韩会计", True, "other", "家庭理财与报税咨询", "free", None),
    ("杨师傅", False, "repair", "开锁换锁", "regular", Decimal(80)),
    ("朱书法家", True, "education", "书法兴趣课", "free", None),
    ("秦护士", True, "health", "上门换药测血糖", "free", None),
    ("许大厨", False, "other", "家宴烹饪指导", "low_cost", Decimal(25)),
]
SHANGTANG_DESKS = [
    ("人社服务窗口", "public_affairs", "社保参保登记与查询", "身份证、户口本"),
    ("医保服务窗口", "public_affairs", "医保参保、报销与异地备案", "身份证、医保卡、发票原件"),
    ("就业服务窗口", "public_affairs", "就业登记与失业登记", "身份证、劳动合同或解除证明"),
    ("退役军人服务站", "public_affairs", "退役军人优待证与帮扶申请", "身份证、退役证"),
    ("党员服务窗口", "party_affairs", "组织关系接转", "党员身份证明、介绍信"),
    ("党员服务窗口", "party_affairs", "流动党员登记与服务", "身份证、党员证明"),
]
SHANGTANG_CONVENIENCE = [
    ("便民服务点", "repair", "磨刀"),
    ("便民服务点", "repair", "修伞修鞋"),
    ("便民服务点", "haircut", "理发"),
    ("便民服务点", "repair", "小家电维修"),
]
COMMENTS = [
    "王医生很耐心，给我妈量了血压。",
    "准时上门，修得很好。",
    "服务周到，谢谢！",
    "讲得很清楚。",
    "下次还找他。",
]


def _account(username: str, display: str, role: str, node: Node, password: str) -> User:
    user = User.objects.create(username=username, display_name=display, password=password)
    RoleBinding.objects.create(user=user, role=role, node=node)
    return user


def _typed(ctx: DemoContext, admin: User, subdistrict: Node, level: str, kinds, nodes: list[Node]) -> int:
    by_code = {}
    for order, (code, name, priorities) in enumerate(kinds, start=1):
        by_code[code] = type_create(
            actor=admin, subdistrict=subdistrict, level=level, name=name, priorities=priorities, order=order
        )
    typed = 0
    for node in nodes:
        if node.node_type in by_code:
            node_type_set(actor=admin, node=node, community_type=by_code[node.node_type])
            typed += 1
    return typed


def _plan(ctx: DemoContext, admin: User, chengxiang: Node, communities: list[Node], secretary: User) -> int:
    today = timezone.localdate()
    start = today.year - 1  # the demo is in the plan's second year
    plan = plan_create(
        actor=admin,
        node=chengxiang,
        title="城厢街道现代社区建设三年行动计划（“1356”）",
        summary="1个计划、3个步骤、5类社区、6大行动：第一年抓示范点，第二年出成效，第三年全覆盖。",
        start_year=start,
        years=3,
        steps=THREE_STEPS,
        actions=SIX_ACTIONS,
    )
    actions = {a.name: a for a in PlanAction.objects.filter(plan=plan)}
    steps = list(PlanStep.objects.filter(plan=plan).order_by("order"))
    tasks = 0
    updates = []
    for n, community in enumerate(communities):
        for m, (action, title) in enumerate(TASKS.items()):
            step = steps[(n + m) % 2]  # model points in year one, results in year two
            begins = step.starts_on + timedelta(days=30 * (m % 3))
            due = min(step.ends_on, begins + timedelta(days=150 + 20 * (n % 4)))
            bound = action == "党建统领基层治理"
            task = task_add(
                actor=admin,
                plan=plan,
                action=actions[action],
                node=community,
                title=title,
                starts_on=begins,
                due_on=due if not bound else step.ends_on,
                weight=3 if bound else 1 + (m % 2),
                step=step,
                owner_user=secretary if community.name == "城河社区" and not bound else None,
                owner_label=f"{community.name}党委",
                kpi_app="appeals" if bound else "",
                kpi_figure="resolved" if bound else "",
                indicator="诉求解决件数" if bound else "",
                baseline=0 if bound else None,
                target=40 if bound else None,
            )
            tasks += 1
            if bound:
                continue
            # Finished where due, except some late ones; under way where not yet due.
            progress = (100 if (n + m) % 5 else 60) if due < today else min(90, 10 * ((n * 3 + m * 7) % 9))
            if progress:
                updates.append((task, progress))
    plan = plan_transition(actor=admin, plan=plan, action="launch")
    for task, progress in updates:
        task.plan = plan
        task_update(actor=admin, task=task, progress=progress, evidence="台账与现场照片已上传")
    plan_indicators_refresh(plan=plan)
    return tasks


def _directory(ctx: DemoContext) -> dict[str, int]:
    password = make_password(F.DEMO_PASSWORD)
    xiangfu, shangtang = named_node("祥符街道"), named_node("上塘街道")
    shenhui, huiyuan = named_node("申慧社区"), named_node("慧园小区")
    xf_admin = User.objects.get(username="xiangfu-admin")
    st_admin = User.objects.get(username="shangtang-admin")
    price_cap_set(actor=xf_admin, subdistrict=xiangfu, cap=Decimal(30))
    price_cap_set(actor=st_admin, subdistrict=shangtang, cap=Decimal(20))
    providers = services = 0
    made: dict[str, Service] = {}
    desks: dict[str, Provider] = {}
    # 祥符: the compound doctor, teacher and lawyer of 慧园小区 (党建微盟), checked and listed.
    for n, (kind, name, licence, category, title, place, price_kind, price, days, description) in enumerate(
        XIANGFU_PROVIDERS
    ):
        username = ["huiyuan-doctor", "huiyuan-teacher", "huiyuan-lawyer"][n]
        user = _account(username, name, Role.RESIDENT, huiyuan, password)
        provider = provider_register(
            actor=xf_admin,
            node=huiyuan,
            kind=kind,
            name=name,
            user=user,
            licence_no=licence,
            organisation=["祥符街道社区卫生服务中心", "申花路小学", "浙江某律师事务所"][n],
            volunteer=True,
            intro=description,
        )
        provider = provider_transition(actor=xf_admin, provider=provider, action="list", licence_checked=True)
        made[username] = service_add(
            actor=xf_admin,
            provider=provider,
            area=shenhui,
            category=category,
            title=title,
            place=place,
            description=description,
            venue="申慧社区党群服务驿站" if place == "venue" else "",
            weekdays=days,
            opens=time(14),
            closes=time(17),
            eligibility="申慧社区居民",
            price_kind=price_kind,
            price=price,
        )
        providers += 1
        services += 1
    # A dozen 能人 services of skilled party members and owners, one still awaiting review.
    compounds = list(
        Node.objects.filter(path__startswith=shenhui.path, kind=NodeKind.COMPOUND).order_by("path")
    )
    for n, (name, party, category, title, price_kind, price) in enumerate(SKILLED):
        user = _account(
            f"shenhui-skilled-{n + 1:02d}",
            name,
            Role.PARTY_MEMBER if party else Role.RESIDENT,
            compounds[n % len(compounds)],
            "!",
        )
        provider = provider_register(
            actor=xf_admin,
            node=compounds[n % len(compounds)],
            kind=ProviderKind.PARTY_MEMBER if party else ProviderKind.SKILLED_RESIDENT,
            name=name,
            user=user,
            volunteer=price_kind == "free",
            intro=f"{'能人党员' if party else '能人业主'}，{title}",
        )
        providers += 1
        if n == len(SKILLED) - 1:
            continue  # awaiting review
        provider = provider_transition(actor=xf_admin, provider=provider, action="list")
        made[title] = service_add(
            actor=xf_admin,
            provider=provider,
            area=shenhui,
            category=category,
            title=title,
            place="home",
            weekdays=[1, 2, 3, 4, 5, 6, 7] if n % 2 else [6, 7],
            opens=time(9),
            closes=time(18),
            price_kind=price_kind,
            price=price,
            description=f"{name}提供{title}，{'免费' if price_kind == 'free' else '低偿'}服务本社区居民。",
        )
        services += 1
    # 上塘: the centre's 最多跑一次 desks and its convenience services.
    centre = st_admin
    for desk, category, title, documents in SHANGTANG_DESKS + [
        (d, c, t, "") for d, c, t in SHANGTANG_CONVENIENCE
    ]:
        if desk not in desks:
            registered = provider_register(
                actor=st_admin,
                node=shangtang,
                kind=ProviderKind.PUBLIC_DESK if desk != "便民服务点" else ProviderKind.MERCHANT,
                name=desk,
                user=centre,
                organisation="上塘街道党群服务中心",
            )
            desks[desk] = provider_transition(actor=st_admin, provider=registered, action="list")
            providers += 1
        desk_provider = desks[desk]
        service_add(
            actor=st_admin,
            provider=desk_provider,
            area=shangtang,
            category=category,
            title=title,
            place="venue",
            venue="上塘街道党群服务中心一楼",
            weekdays=[1, 2, 3, 4, 5] if documents else [6],
            opens=time(9),
            closes=time(17) if documents else time(11, 30),
            documents=documents,
            eligibility="辖区居民" if documents else "",
            orderable=not documents,
            price_kind="free" if documents or title == "磨刀" else "low_cost",
            price=None if documents or title == "磨刀" else Decimal(10),
            description="最多跑一次：材料齐全，一次办结。"
            if documents
            else "每周六上午，党员志愿者便民服务。",
        )
        services += 1
    return {"providers": providers, "services": services, **_orders(made, huiyuan)}


def _next_open(service: Service, now: datetime) -> datetime:
    """The opening time of the service's next day open after today (orders are made for such times)."""
    today = timezone.localtime(now).date()
    day = next(
        today + timedelta(days=k)
        for k in range(1, 30)
        if open_on(service, today + timedelta(days=k))
        and closure_on(service, today + timedelta(days=k)) is None
    )
    return timezone.make_aware(datetime.combine(day, service.opens or time(9)))


def _orders(made: dict, huiyuan: Node) -> dict[str, int]:
    """Orders of 慧园's residents over the past weeks: most confirmed and rated, some open."""
    now = timezone.now()
    residents = list(
        User.objects.filter(
            role_bindings__node=huiyuan, role_bindings__role=Role.RESIDENT, username__startswith="huiyuan-"
        ).exclude(username__in=["huiyuan-doctor", "huiyuan-teacher", "huiyuan-lawyer"])
    )
    neighbour = User.objects.get(username="huiyuan-neighbour")
    plan = [
        ("huiyuan-doctor", "confirm", 5, "母亲"),
        ("家电小修", "confirm", 5, ""),
        ("上门理发", "confirm", 4, "父亲"),
        ("老年人智能手机教学", "confirm", 5, ""),
        ("水电维修", "done", None, ""),
        ("助老陪诊", "accept", None, "母亲"),
        ("huiyuan-lawyer", "request", None, ""),
    ]
    orders = 0
    for n, (key, until, rating, for_whom) in enumerate(plan):
        service = made[key]
        resident = neighbour if n % 2 else next(u for u in residents if u.username == "huiyuan-resident")
        order = order_place(
            actor=resident,
            service=service,
            compound=huiyuan,
            wished_at=_next_open(service, now) + timedelta(minutes=30 * (n % 3)),
            address="慧园小区3幢2单元501",
            for_whom=for_whom,
            note="",
        )
        orders += 1
        provider = service.provider.user
        if until == "request":
            continue
        order = order_transition(actor=provider, order=order, action="accept", note="好的，按时到。")
        if until == "accept":
            continue
        price = service.price if service.price_kind != "free" else None
        order = order_transition(
            actor=provider,
            order=order,
            action="done",
            hours=1.5 if service.provider.volunteer else None,
            price_paid=price,
        )
        if until == "done":
            continue
        order_transition(
            actor=resident, order=order, action="confirm", rating=rating, note=COMMENTS[n % len(COMMENTS)]
        )
    return {"service_orders": orders}


def load(ctx: DemoContext) -> dict[str, int]:
    ctx.progress("community services and plans")
    password = make_password(F.DEMO_PASSWORD)
    chengxiang, shangtang = named_node("城厢街道"), named_node("上塘街道")
    cx_admin = _account("chengxiang-admin", "城厢街道管理员", Role.SUBDISTRICT_ADMIN, chengxiang, password)
    communities = list(
        Node.objects.filter(path__startswith=chengxiang.path, kind=NodeKind.COMMUNITY).order_by("path")
    )
    secretary = _account(
        "chenghe-secretary", "城河社区书记", Role.COMMUNITY_SECRETARY, named_node("城河社区"), password
    )
    typed = _typed(ctx, cx_admin, chengxiang, TypeLevel.COMMUNITY, CHENGXIANG_TYPES, communities)
    st_admin = User.objects.get(username="shangtang-admin")
    st_compounds = list(
        Node.objects.filter(path__startswith=shangtang.path, kind=NodeKind.COMPOUND).order_by("path")
    )
    typed += _typed(ctx, st_admin, shangtang, TypeLevel.COMPOUND, SHANGTANG_COMPOUND_TYPES, st_compounds)
    tasks = _plan(ctx, cx_admin, chengxiang, communities, secretary)
    return {"typed_places": typed, "plan_tasks": tasks, **_directory(ctx)}
