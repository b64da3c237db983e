"""Demo of party organisation work (DESIGN §4, issue 18):

- 望湖: the working committee's scheme for the year (items × 70 % + peer review × 30 %, bands 90/80/70/60/50,
  five stars for at most 30 % and only with an innovation project) and its round over all 74 branches, final:
  66 with at least one star, 7 with five (one branch above 90 without an innovation project is held at four);
  budgets for the year from the stars (every compound branch at least ¥10,000); a revised scheme (version 2)
  that the finished round does not use; member points and the yearly evaluation of one branch; expenses.
- 上塘: the live-streamed 春训 from the 上塘好声音 room, attended by 2,800 members.
- 祥符: a 新时代讲习所 course with an in-person session.
- 大关: its three 过硬支部 (西二社区第三支部, 德胜社区第十支部, 九州大药房党支部) cultivated against the "six
  all-round" targets plus a measured one, with a showcase entry for every month of the year so far (one month
  left out, to show the gap).
- 望湖: every branch committee's term (elected within the last three years; a few ending within 90 days, one
  ended without an election) and the elections of its 29 compound branches.

Last year's stars shown on the board as the change are synthetic (loaded as history, not rated here).
"""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gongzhi.accounts.models import Person, RoleBinding, User
from gongzhi.core.registry import DemoContext
from gongzhi.core.roles import Role
from gongzhi.demo import figures as F
from gongzhi.demo.accounts import named_node
from gongzhi.orgs.models import MemberPost, NodeKind, PartyMembership
from gongzhi.partywork import services
from gongzhi.partywork.models import (
    Attendance,
    BranchRating,
    Budget,
    ExpenseCategory,
    ItemSource,
    MemberPointsRule,
    PeerGrade,
    PointsKind,
    PointsSource,
    RatingLine,
    RatingRound,
    RatingStatus,
    RoundStatus,
    SessionMode,
)
from gongzhi.partywork.stars import CENT, Candidate, Line, award, item_score, weighted_total
from gongzhi.partywork.workflow import rating_transition

WANGHU_RATED, WANGHU_STARRED, WANGHU_FIVE = 74, 66, 7
SHANGTANG_SPRING_TRAINING = 2800

ITEMS = [
    ("组织建设", "支部班子健全、按期换届", 15, False, ItemSource.MANUAL, None),
    ("组织生活", "三会一课、主题党日按时开展并公开纪要", 15, False, ItemSource.MANUAL, None),
    ("党员教育", "党员年度学习时长", 10, False, ItemSource.TRAINING_HOURS, 600),
    ("服务群众", "党员志愿服务时长", 15, False, ItemSource.VOLUNTEER_HOURS, 200),
    ("服务群众", "民情诉求小区、社区内化解率", 15, False, ItemSource.APPEAL_CONTAINMENT, 90),
    ("服务群众", "群众满意率", 10, False, ItemSource.APPEAL_SATISFACTION, 95),
    ("党员管理", "党员平均积分", 10, False, ItemSource.MEMBER_POINTS, 600),
    ("经费管理", "经费使用公开率", 10, False, ItemSource.FUNDS_PUBLISHED, 100),
    ("扣分项", "发生违纪违规或重大负面事件", 20, True, ItemSource.MANUAL, None),
]


def _targets(rng, n: int) -> list[tuple[Decimal, bool]]:
    """Totals for n branches that the computation turns into 7 five-star, 59 one- to four-star, 8 none;
    one branch above 90 has no innovation project (held at four)."""

    def pick(low: int, high: int) -> Decimal:
        return Decimal(rng.randint(low * 10 + 3, high * 10 - 3)) / 10

    rows = [(pick(90, 98), True) for _ in range(WANGHU_FIVE)] + [(pick(90, 95), False)]
    bands = [(80, 90), (70, 80), (60, 70), (50, 60)]
    rest = n - len(rows) - (WANGHU_RATED - WANGHU_STARRED)
    rows += [(pick(*bands[i % 4]), rng.random() < 0.3) for i in range(rest)]
    rows += [(pick(35, 50), False) for _ in range(WANGHU_RATED - WANGHU_STARRED)]
    rng.shuffle(rows)
    return rows


def _account(username: str, display: str, role: str, node, password: str) -> User:
    """The demo account, made here or by an earlier module's step (e.g. venues' ``wanghu-admin``)."""
    user, _made = User.objects.get_or_create(
        username=username, defaults={"display_name": display, "password": password}
    )
    RoleBinding.objects.get_or_create(user=user, role=role, node=node)
    return user


def _wanghu(ctx: DemoContext, password: str) -> dict[str, int]:
    wanghu = named_node("望湖街道")
    admin = _account("wanghu-admin", "望湖街道党工委", Role.SUBDISTRICT_ADMIN, wanghu, password)
    community = named_node("望湖社区")
    reviewer = _account("wanghu-reviewer", "望湖社区书记", Role.COMMUNITY_SECRETARY, community, password)
    policy = services.policy_for(wanghu)
    year = timezone.localdate().year
    scheme = services.scheme_create(
        actor=admin,
        subdistrict=wanghu,
        year=year,
        name="望湖街道基层党支部评星细则",
        items=[
            {"dimension": d, "name": n, "max_points": m, "deduction": ded, "source": s, "full_at": f}
            for d, n, m, ded, s, f in ITEMS
        ],
        item_weight=Decimal(70),
        peer_weight=Decimal(30),
        five_star_quota=Decimal(30),
        five_star_needs_innovation=True,
    )
    branches = services.branches_under(wanghu)
    assert len(branches) == WANGHU_RATED, len(branches)
    rnd = RatingRound.objects.create(
        node=wanghu, scheme=scheme, year=year, notice_days=5, created_by=admin, status=RoundStatus.CLOSED
    )
    scheme.frozen = True
    scheme.save(update_fields=["frozen"])
    items = list(scheme.items.all())
    targets = _targets(ctx.rng, len(branches))
    ratings, lines_of = [], []
    for branch, (target, innovation) in zip(branches, targets, strict=True):
        lines = []
        for item in items:
            share = Decimal(0) if item.deduction else min(Decimal(1), target / 100)
            lines.append((item, (item.max_points * share).quantize(CENT)))
        items_pct = item_score([Line(p, i.max_points, i.deduction) for i, p in lines])
        total = weighted_total(items_pct, target, scheme.item_weight, scheme.peer_weight)
        ratings.append(
            BranchRating(
                round=rnd,
                branch=branch,
                node=branch.node,
                status=RatingStatus.NOTICE,
                innovation_project="“红色管家”议事创新项目" if innovation else "",
                item_score=items_pct,
                peer_score=target,
                total=total,
                scored_by=reviewer,
                rechecked_by=admin,
                previous_stars=ctx.rng.choice([0, 1, 2, 3, 3, 4, 4, 5]),
            )
        )
        lines_of.append(lines)
    awards = award(
        [Candidate(n, r.total or Decimal(0), bool(r.innovation_project)) for n, r in enumerate(ratings)],
        bands=scheme.bands,
        five_star_quota=scheme.five_star_quota,
        needs_innovation=True,
    )
    for n, r in enumerate(ratings):
        r.stars, r.capped_by, r.status = awards[n].stars, awards[n].capped_by, RatingStatus.FINAL
    BranchRating.objects.bulk_create(ratings)
    RatingLine.objects.bulk_create(
        RatingLine(rating=r, item=i, self_points=p, points=p, evidence_note="台账已上传")
        for r, lines in zip(ratings, lines_of, strict=True)
        for i, p in lines
    )
    services.budgets_from_stars(actor=admin, subdistrict=wanghu, year=year)
    # The rubric revised after the round (version 2: peer review weighs 40 %); the round keeps version 1.
    services.scheme_revise(actor=admin, scheme=scheme, item_weight=Decimal(60), peer_weight=Decimal(40))

    # One branch's people: its secretary and a member sign in (the walk of README).
    branch = next(b for b in branches if b.node.kind == NodeKind.COMPOUND)
    members = list(PartyMembership.objects.filter(party_org=branch).select_related("person").order_by("pk"))
    secretary_m = next(m for m in members if m.post == MemberPost.SECRETARY)
    member_m = next(m for m in members if m.post == MemberPost.MEMBER)
    secretary = _account(
        "wanghu-secretary", f"{branch.node.name}支部书记", Role.PARTY_MEMBER, branch.node, password
    )
    member = _account("wanghu-member", f"{branch.node.name}党员", Role.PARTY_MEMBER, branch.node, password)
    Person.objects.filter(pk=secretary_m.person_id).update(user=secretary)
    Person.objects.filter(pk=member_m.person_id).update(user=member)
    secretary_m.person.user = secretary
    member_m.person.user = member
    rules = MemberPointsRule.objects.bulk_create(
        [
            MemberPointsRule(node=wanghu, code="base", name="月度基础分", kind=PointsKind.BASE, points=60),
            MemberPointsRule(
                node=wanghu,
                code="study",
                name="参加集中学习（每次）",
                kind=PointsKind.ITEM,
                points=5,
                monthly_cap=20,
            ),
            MemberPointsRule(
                node=wanghu,
                code="meeting",
                name="参加组织生活（每次）",
                kind=PointsKind.ITEM,
                points=5,
                monthly_cap=20,
            ),
            MemberPointsRule(
                node=wanghu,
                code="volunteer",
                name="志愿服务（每小时）",
                kind=PointsKind.ITEM,
                points=2,
                source=PointsSource.VOLUNTEER_HOURS,
            ),
            MemberPointsRule(
                node=wanghu,
                code="report",
                name="在职党员到小区报到服务（每次）",
                kind=PointsKind.ITEM,
                points=5,
            ),
            MemberPointsRule(
                node=wanghu,
                code="identity",
                name="亮身份、开门一件事（每件）",
                kind=PointsKind.ITEM,
                points=3,
            ),
            MemberPointsRule(
                node=wanghu,
                code="absent",
                name="无故缺席组织生活（每次）",
                kind=PointsKind.DEDUCTION,
                points=10,
            ),
        ]
    )
    by_code = {r.code: r for r in rules}
    today = timezone.localdate()
    entries = 0
    for back in range(min(today.month, 4) - 1, -1, -1):
        month = (today.replace(day=1) - timedelta(days=28 * back)).replace(day=1)
        for m in (secretary_m, member_m):
            for code, units in (("base", 1), ("study", 2), ("meeting", 1), ("identity", 1)):
                e = services.points_propose(
                    actor=secretary, membership=m, rule=by_code[code], month=month, units=units
                )
                if back > 0 or code == "base":
                    services.points_decide(actor=reviewer, entry=e, approve=True)
                entries += 1
    services.points_propose(
        actor=secretary,
        membership=member_m,
        rule=by_code["absent"],
        month=today.replace(day=1),
        note="三月主题党日未请假缺席",
    )
    services.peer_evaluate(actor=secretary, membership=member_m, year=year - 1, grade=PeerGrade.EXCELLENT)
    services.peer_evaluate(actor=reviewer, membership=secretary_m, year=year - 1, grade=PeerGrade.QUALIFIED)

    # Expenses of the branch: two approved and published, one awaiting approval.
    budget = Budget.objects.get(branch=branch, year=year)
    receipt = _receipt()
    spent_on = today.replace(day=1)
    for amount, category, purpose, publish in (
        ("1280.50", ExpenseCategory.ACTIVITIES, "七一主题党日活动物料", True),
        ("860.00", ExpenseCategory.CARE, "走访慰问困难党员", True),
        ("2400.00", ExpenseCategory.SERVICE, "楼道微更新便民服务", False),
    ):
        receipt.seek(0)
        expense = services.expense_enter(
            actor=secretary,
            budget=budget,
            amount=amount,
            category=category,
            purpose=purpose,
            receipt=receipt,
            spent_on=spent_on,
        )
        if publish:
            expense = services.expense_transition(actor=reviewer, expense=expense, action="approve")
            services.expense_transition(actor=secretary, expense=expense, action="publish")
    starred = sum(1 for r in ratings if r.stars)
    five = sum(1 for r in ratings if r.stars == 5)
    ctx.shared["partywork_round"] = rnd
    return {
        "party_branches_rated": len(ratings),
        "party_branches_starred": starred,
        "party_branches_five_star": five,
        "party_budgets": Budget.objects.filter(node__path__startswith=wanghu.path, year=year).count(),
        "party_points_entries": entries,
        "party_compound_base_yuan": int(policy.compound_base),
    }


def _receipt():
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile("receipt.pdf", body, content_type="application/pdf")
    upload.file = BytesIO(body)
    return upload


def _shangtang(ctx: DemoContext, password: str) -> dict[str, int]:
    shangtang = named_node("上塘街道")
    admin = User.objects.get(username="shangtang-admin")
    year = timezone.localdate().year
    course = services.course_create(actor=admin, node=shangtang, name="上塘街道党员春训", series="春训")
    zone = ZoneInfo(settings.TIME_ZONE)
    starts = datetime(year, 2, 20, 14, 0, tzinfo=zone)
    session = services.session_create(
        actor=admin,
        course=course,
        title="春训第一讲：上塘好声音直播课堂",
        mode=SessionMode.LIVE,
        starts_at=starts,
        minutes=90,
        stream_url="https://live.shangtang.example.org/hls/chunxun/index.m3u8",
        place="上塘好声音直播间",
    )
    # Tonight's live session, for members to join from their phones.
    tonight = timezone.localtime().replace(hour=19, minute=0, second=0, microsecond=0)
    services.session_create(
        actor=admin,
        course=course,
        title="春训第二讲：基层治理案例分享",
        mode=SessionMode.LIVE,
        starts_at=tonight,
        minutes=60,
        stream_url="https://live.shangtang.example.org/hls/chunxun2/index.m3u8",
        place="上塘好声音直播间",
    )
    members = list(
        PartyMembership.objects.filter(party_org__node__path__startswith=shangtang.path)
        .select_related("party_org__node", "person")
        .order_by("pk")[:SHANGTANG_SPRING_TRAINING]
    )
    users = User.objects.bulk_create(
        User(username=f"st-member-{n:04d}", display_name=f"上塘党员{n:04d}", password="!")  # noqa: S106 - unusable
        for n in range(1, len(members) + 1)
    )
    RoleBinding.objects.bulk_create(
        RoleBinding(user=u, role=Role.PARTY_MEMBER, node=m.party_org.node)
        for u, m in zip(users, members, strict=True)
    )
    for u, m in zip(users, members, strict=True):
        m.person.user_id = u.pk
    Person.objects.bulk_update([m.person for m in members], ["user"], batch_size=1000)
    Attendance.objects.bulk_create(
        (
            Attendance(
                session=session,
                user=u,
                node=shangtang,
                year=year,
                minutes=90 if ctx.rng.random() < 0.8 else ctx.rng.randint(30, 89),
                last_credit_at=starts,
            )
            for u in users
        ),
        batch_size=1000,
    )
    member_user = _account(
        "shangtang-member", "上塘党员", Role.PARTY_MEMBER, members[0].party_org.node, password
    )
    del member_user
    return {"party_spring_training_attendees": len(users)}


def _xiangfu(password: str) -> dict[str, int]:
    xiangfu = named_node("祥符街道")
    admin = User.objects.get(username="xiangfu-admin")
    course = services.course_create(actor=admin, node=xiangfu, name="新时代讲习所", series="讲习所")
    starts = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0) + timedelta(days=2)
    services.session_create(
        actor=admin,
        course=course,
        title="讲习所：垃圾分类与文明小区",
        mode=SessionMode.IN_PERSON,
        starts_at=starts,
        minutes=60,
        place="祥符街道党群服务中心 讲习所",
    )
    return {"party_courses": 1}


DAGUAN_STRONG = (
    ("西二社区", "西二社区第三支部"),
    ("德胜社区", "德胜社区第十支部"),
    (None, "九州大药房党支部"),
)
SHOWCASE = [
    ("支部学习日", "集中学习党的创新理论，党员轮流领学并交流体会。"),
    ("巡河护河", "党员认领河道段，每周巡河，清理垃圾、劝导不文明行为。"),
    ("红色代办", "为行动不便的老人代办证照、代购药品。"),
    ("楼道微更新", "发动党员和居民清理楼道堆积物，加装扶手。"),
]


def _daguan(ctx: DemoContext) -> dict[str, int]:
    from gongzhi.orgs.models import PartyOrg, PartyOrgKind
    from gongzhi.partywork import branches

    daguan = named_node("大关街道")
    admin = User.objects.get(username="daguan-admin")
    working = PartyOrg.objects.filter(node=daguan, kind=PartyOrgKind.WORKING_COMMITTEE).first()
    today = timezone.localdate()
    started = today.replace(month=1, day=1)
    made = 0
    for k, (community_name, name) in enumerate(DAGUAN_STRONG):
        node = named_node(community_name) if community_name else daguan
        parent = PartyOrg.objects.filter(node=node, kind=PartyOrgKind.COMMITTEE).first() or working
        branch = PartyOrg.objects.create(node=node, name=name, kind=PartyOrgKind.BRANCH, parent=parent)
        strong = branches.strong_mark(
            actor=admin,
            branch=branch,
            targets=[{"name": t} for t in branches.DEFAULT_TARGETS]
            + [{"name": "党员志愿服务时长", "source": ItemSource.VOLUNTEER_HOURS, "goal": "200"}],
            started_on=started,
            note="六个全面过硬",
        )
        for target in list(strong.targets.filter(source=ItemSource.MANUAL))[: 4 + k % 3]:
            branches.strong_target_check(actor=admin, target=target, met=True, note="对照台账核验")
        for month in range(1, today.month + 1):
            if k == 2 and month == today.month:
                continue  # this month's entry still to come
            title, text = SHOWCASE[(month + k) % len(SHOWCASE)]
            branches.showcase_add(
                actor=admin, strong=strong, month=today.replace(month=month, day=1), title=title, text=text
            )
        made += 1
    return {"party_strong_branches": made}


def _wanghu_terms(ctx: DemoContext) -> dict[str, int]:
    from gongzhi.partywork import branches

    wanghu = named_node("望湖街道")
    admin = User.objects.get(username="wanghu-admin")
    today = timezone.localdate()
    three_years = 3 * 365
    elections = 0
    for n, branch in enumerate(services.branches_under(wanghu)):
        if n < 6:
            ago = three_years - ctx.rng.randint(10, 80)  # ends within 90 days
        elif n == 6:
            ago = three_years + 20  # ended without an election
        else:
            ago = ctx.rng.randint(30, three_years - 120)
        held = today - timedelta(days=ago)
        if branch.node.kind == NodeKind.COMPOUND:
            eligible = ctx.rng.randint(15, 60)
            branches.election_record(
                actor=admin,
                branch=branch,
                held_on=held,
                eligible=eligible,
                voted=eligible - ctx.rng.randint(0, eligible // 6),
                committee_size=3 if eligible < 50 else 5,
            )
            elections += 1
        else:
            branches.term_set(actor=admin, branch=branch, elected_on=held)
    return {"party_branch_terms": n + 1, "party_elections": elections}


SHORT_ITEMS = [
    {"dimension": "组织建设", "name": "支部班子健全、按期换届", "max_points": 20},
    {
        "dimension": "组织生活",
        "name": "三会一课、支部学习日按时开展",
        "max_points": 20,
        "source": ItemSource.MEETINGS_HELD,
        "full_at": 12,
    },
    {
        "dimension": "组织生活",
        "name": "会议纪要公开",
        "max_points": 15,
        "source": ItemSource.MINUTES_PUBLISHED,
        "full_at": 100,
    },
    {
        "dimension": "党员教育",
        "name": "党员年度学习时长",
        "max_points": 15,
        "source": ItemSource.TRAINING_HOURS,
        "full_at": 600,
    },
    {"dimension": "服务群众", "name": "为民办实事", "max_points": 30},
    {"dimension": "扣分项", "name": "发生违纪违规或重大负面事件", "max_points": 20, "deduction": True},
]
MEETING_TOPICS = [
    ("members", "学习贯彻党的二十届三中全会精神"),
    ("committee", "研究小区加装电梯群众意见"),
    ("lecture", "书记讲党课：做群众身边的贴心人"),
    ("study_day", "支部学习日：基层治理案例交流"),
    ("theme_day", "主题党日：楼道清洁志愿服务"),
    ("group", "党小组会：走访困难党员"),
]


def _meetings(ctx: DemoContext, branch, actor: User, n: int) -> int:
    """``n`` meetings of a branch this year, most with their minutes (the rating's evidence)."""
    from gongzhi.partywork import branches as branch_work

    today = timezone.localdate()
    members = max(1, PartyMembership.objects.filter(party_org=branch).count())
    made = 0
    for k in range(n):
        day = today - timedelta(days=12 + 23 * k)
        if day.year != today.year:
            break
        kind, topic = MEETING_TOPICS[k % len(MEETING_TOPICS)]
        branch_work.meeting_record(
            actor=actor,
            branch=branch,
            kind=kind,
            held_on=day,
            topic=topic,
            attended=ctx.rng.randint(max(1, members // 2), members),
            minutes=_receipt() if k % 4 != 3 else None,
        )
        made += 1
    return made


def _community_of(node):
    return node if node.kind == NodeKind.COMMUNITY else node.get_parent()


def _rounds_elsewhere(ctx: DemoContext, password: str) -> dict[str, int]:
    """This year's round in every other subdistrict with a working committee's administrator, open: in the
    community with the most branches, a branch secretary with the self-assessment still to do (the demo's
    ``<prefix>-secretary``), three branches handed in and awaiting scoring, two scored awaiting the recheck,
    for the community's reviewer (``<prefix>-reviewer``); their meetings held this year as evidence."""
    from gongzhi.orgs.models import Node

    year = timezone.localdate().year
    rounds = handed_in = 0
    for sub in Node.objects.filter(kind=NodeKind.SUBDISTRICT).exclude(name="望湖街道").order_by("path"):
        binding = (
            RoleBinding.objects.filter(node=sub, role=Role.SUBDISTRICT_ADMIN)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        branch_list = services.branches_under(sub)
        if binding is None or not branch_list:
            continue
        admin, prefix = binding.user, binding.user.username.split("-")[0]
        led = {
            m.party_org_id: m
            for m in PartyMembership.objects.filter(
                party_org__in=branch_list, post=MemberPost.SECRETARY
            ).select_related("person")
        }
        # The community with the most branches that have a secretary: one reviewer over all six.
        by_community: dict[int, list] = {}
        for b in branch_list:
            if b.pk in led:
                by_community.setdefault(_community_of(b.node).pk, []).append(b)
        walked = max(by_community.values(), key=len)[:6] if by_community else []
        for b in walked:
            _meetings(ctx, b, admin, ctx.rng.randint(3, 8))
        scheme = services.scheme_create(
            actor=admin,
            subdistrict=sub,
            year=year,
            name=f"{sub.name}基层党支部评星细则",
            items=SHORT_ITEMS,
            item_weight=Decimal(70),
            peer_weight=Decimal(30),
            five_star_quota=Decimal(30),
            five_star_needs_innovation=True,
        )
        rnd = services.round_open(actor=admin, scheme=scheme)
        rounds += 1
        if not walked:
            continue
        reviewer = _account(
            f"{prefix}-reviewer",
            f"{_community_of(walked[0].node).name}书记",
            Role.COMMUNITY_SECRETARY,
            _community_of(walked[0].node),
            password,
        )
        for k, b in enumerate(walked):
            person = led[b.pk].person
            if k == 0 or person.user_id is None:
                # The first branch's secretary signs in as ``<prefix>-secretary`` (their person linked to it even
                # when an earlier step gave them an account without a password, as 上塘's members have).
                username = f"{prefix}-secretary" if k == 0 else f"{prefix}-secretary-{k}"
                user = _account(
                    username, f"{b.node.name}支部书记", Role.PARTY_MEMBER, b.node, password if k == 0 else "!"
                )
                Person.objects.filter(pk=person.pk).update(user=user)
            else:
                user = User.objects.get(pk=person.user_id)
            if k == 0:
                continue  # the self-assessment still to do
            rating = rnd.ratings.select_related("round__scheme", "node", "branch").get(branch=b)
            lines = list(rating.lines.select_related("item").order_by("item__order"))
            share = Decimal(ctx.rng.randint(70, 95)) / 100
            points = {
                ln.pk: Decimal(0) if ln.item.deduction else (ln.item.max_points * share).quantize(CENT)
                for ln in lines
            }
            services.rating_self_assess(
                actor=user,
                rating=rating,
                points=points,
                notes={lines[0].pk: "换届选举材料、支委会分工表已上传"},
                innovation_project="“红色楼道”议事创新项目" if k % 2 else "",
            )
            rating.refresh_from_db()
            rating = rating_transition(actor=user, rating=rating, action="submit")
            handed_in += 1
            if k >= 4:
                rating_transition(
                    actor=reviewer,
                    rating=rating,
                    action="score",
                    points={pk: str(p) for pk, p in points.items()},
                    peer_score=str(ctx.rng.randint(75, 95)),
                )
    return {"party_rounds_open": rounds, "party_ratings_handed_in": handed_in}


def _wanghu_live(ctx: DemoContext) -> dict[str, int]:
    """望湖's winter training: a live session on now (for members joining from their phones) and the
    secretary's branch's meetings this year."""
    wanghu = named_node("望湖街道")
    admin = User.objects.get(username="wanghu-admin")
    course = services.course_create(actor=admin, node=wanghu, name="望湖街道党员冬训", series="冬训")
    services.session_create(
        actor=admin,
        course=course,
        title="冬训直播：社区治理“六大机制”解读",
        mode=SessionMode.LIVE,
        starts_at=timezone.now() - timedelta(minutes=10),
        minutes=180,
        stream_url="https://live.wanghu.example.org/hls/dongxun/index.m3u8",
        place="望湖街道党群服务中心",
    )
    secretary = User.objects.get(username="wanghu-secretary")
    branch = PartyMembership.objects.filter(person__user=secretary).select_related("party_org__node").first()
    made = _meetings(ctx, branch.party_org, secretary, 8) if branch else 0
    return {"party_wanghu_meetings": made}


def load(ctx: DemoContext) -> dict[str, int]:
    ctx.progress("party work")
    password = make_password(F.DEMO_PASSWORD)
    figures = _wanghu(ctx, password)
    figures |= _shangtang(ctx, password)
    figures |= _xiangfu(password)
    figures |= _daguan(ctx)
    figures |= _wanghu_terms(ctx)
    figures |= _wanghu_live(ctx)
    figures |= _rounds_elsewhere(ctx, password)
    return figures
