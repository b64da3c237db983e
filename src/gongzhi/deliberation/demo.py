"""Demo deliberation and mediation: 慧园's 议享幸福 with 22 settled topics (地下车库渗漏 with an owners' vote
on maintenance funds, 垃圾箱体改造 among them) and an owners' vote open now; 七古登's 大家谈·红桥议事会 choosing
sorting points by ranked vote; 南八苑's 百姓圆桌会 meeting three times on the green belt, through to the
finished garden and the residents' rating; 望湖's 月月谈 at three levels (3+X at the community) with its three
settled matters; mediation cases at 望湖 and 上塘 (people synthetic)."""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

from datetime import datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.appeals.intake import appeal_submit
from gongzhi.appeals.workflow import appeal_transition
from gongzhi.core.registry import DemoContext
from gongzhi.core.roles import Role
from gongzhi.deliberation import services
from gongzhi.deliberation.models import (
    ActionItem,
    Council,
    MediationCase,
    Meeting,
    OwnedUnit,
    Seat,
    Topic,
    Vote,
)
from gongzhi.demo import figures as F
from gongzhi.demo.accounts import demo_users, named_node
from gongzhi.orgs.models import Node, NodeKind

# The register's position of the demo resident's second flat in 慧园小区: 3幢6楼1号 (3-601).
RESIDENT_SECOND_FLAT = 58
HUIYUAN_SETTLED = [
    ("地下车库渗漏", "使用专项维修资金对地下车库顶板做防水，物业牵头施工，业委会监督。"),
    ("垃圾箱体改造", "更换为分类密闭箱体，设洗手池，定时定点投放。"),
    ("楼道杂物清理", "每月第一个周六集中清理，党员志愿者带头。"),
    ("单元门禁维修", "物业两周内更换损坏的门禁。"),
    ("电动车违规充电", "新建集中充电棚，楼道禁止充电。"),
    ("小区路灯不亮", "更换12盏路灯为LED灯。"),
    ("儿童游乐设施破损", "拆除破损滑梯，新设软质地面游乐区。"),
    ("快递堆放无序", "设快递柜与驿站，楼下不再堆放。"),
    ("高空抛物隐患", "加装高空监控，入户宣传。"),
    ("外来车辆乱停", "道闸改造，访客登记。"),
    ("绿地被占种菜", "恢复绿地，另设共享菜园。"),
    ("雨水井堵塞", "疏通雨水管网，汛前检查。"),
    ("老人活动室闲置", "改造为老年食堂和活动室。"),
    ("宠物粪便扰民", "设宠物便袋箱，文明养宠公约。"),
    ("外墙瓷砖脱落", "排查并修补外墙，设警示区。"),
    ("消防通道堵塞", "划定消防通道标线，每日巡查。"),
    ("小区广场舞噪音", "约定时段与音量，错峰活动。"),
    ("电梯频繁故障", "维保单位更换主板，每月公示维保记录。"),
    ("非机动车棚破旧", "翻新车棚，加装照明。"),
    ("健身器材老化", "更换健身器材，设使用须知。"),
    ("楼顶违建", "拆除违建，恢复楼顶平台。"),
    ("化粪池异味", "清掏化粪池，更换井盖。"),
]

WANGHU_SETTLED = [
    ("自行车棚", "在3幢北侧建自行车棚，共建单位出资，居民志愿者维护。"),
    ("智能健身驿站", "在中心广场建智能健身驿站，社区申请项目资金。"),
    ("停车秩序", "划定车位、错时共享共建单位停车场，红色管家巡查。"),
]

MEDIATION = [
    # (place key, kind, title, facts, claims, at_risk, outcome)
    (
        "wanghu",
        "neighbours",
        "楼上噪音扰民",
        "楼上住户夜间拖动家具，楼下老人长期失眠，双方多次口角。",
        "晚十点后保持安静",
        False,
        "written",
    ),
    (
        "wanghu",
        "property",
        "物业费与停车费纠纷",
        "业主以车位被占为由拒交物业费，与物业人员发生推搡。",
        "物业清理占位车辆",
        True,
        "open",
    ),
    (
        "wanghu",
        "housing",
        "房屋漏水赔偿",
        "楼上管道漏水致楼下吊顶受损，赔偿金额协商不成。",
        "赔偿吊顶修复费3000元",
        False,
        "litigation",
    ),
    (
        "shangtang",
        "family",
        "赡养老人分歧",
        "三兄妹对母亲赡养费分摊有分歧，母亲到传心工作室求助。",
        "每月赡养费按三人均摊",
        False,
        "oral",
    ),
    (
        "shangtang",
        "neighbours",
        "公共过道堆物",
        "邻居长期在公共过道堆放杂物，影响通行和消防安全。",
        "清理过道杂物",
        False,
        "written",
    ),
]


class Demo:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = Random(17)
        self.now = timezone.now()
        self.admin = User.objects.get(username="admin")
        self.password = make_password(F.DEMO_PASSWORD)
        self.counts = {"councils": 0, "topics": 0, "meetings": 0, "votes": 0, "cases": 0}

    def account(self, username: str, display: str, role: str, node: Node) -> User:
        user = User.objects.create(username=username, display_name=display, password=self.password)
        RoleBinding.objects.create(user=user, role=role, node=node)
        return user

    def council(
        self, actor: User, node: Node, name: str, seats: list[tuple[str, str, User | None]], **kw: Any
    ) -> Council:
        council = services.council_create(actor=actor, node=node, name=name, notice_days=0, **kw)
        for member_name, seat, user in seats:
            services.council_member_add(actor=actor, council=council, name=member_name, seat=seat, user=user)
        self.counts["councils"] += 1
        return council

    def meeting(self, actor: User, council: Council, title: str, when: datetime, place: str) -> Meeting:
        meeting = services.meeting_schedule(
            actor=actor, council=council, title=title, starts_at=self.now + timedelta(minutes=5), place=place
        )
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=when)
        meeting.starts_at = when
        self.counts["meetings"] += 1
        return meeting

    def sit(self, actor: User, meeting: Meeting, share: float = 0.8) -> None:
        """Open the meeting with most members present."""
        services.meeting_open(actor=actor, meeting=meeting)
        members = list(meeting.council.members.all())
        for member in members[: max(1, round(len(members) * share))]:
            services.attendance_mark(actor=actor, meeting=meeting, member=member)

    def publish(self, actor: User, meeting: Meeting, chair: User, published: datetime) -> None:
        services.meeting_close(actor=actor, meeting=meeting)
        services.minutes_approve(actor=chair, meeting=meeting)
        services.minutes_publish(actor=actor, meeting=meeting)
        days = meeting.council
        Meeting.objects.filter(pk=meeting.pk).update(
            minutes_approved_at=published,
            published_at=published,
            notice_until=published + timedelta(days=days.publish_days),
            objection_until=published + timedelta(days=days.objection_days),
        )

    def carry_out(
        self, actor: User, topic: Topic, items: list[tuple[str, str, str]], done: datetime, raters: list[User]
    ) -> None:
        for title, kind, owner in items:
            services.action_add(
                actor=actor,
                topic=topic,
                title=title,
                owner_kind=kind,
                owner_name=owner,
                due=timezone.localdate() + timedelta(days=30),
            )
        for item in list(topic.actions.all()):
            services.action_progress(actor=actor, item=item, progress=100, note="已完成，照片存档")
        topic.refresh_from_db()
        for rater in raters:
            services.topic_rate(actor=rater, topic=topic, score=self.rng.choice([5, 5, 5, 4, 4, 3]))
        ActionItem.objects.filter(topic=topic).update(due=done.date(), done_at=done)
        Topic.objects.filter(pk=topic.pk).update(decided_at=done - timedelta(days=20), done_at=done)

    def settle(
        self,
        actor: User,
        council: Council,
        meeting: Meeting,
        title: str,
        decision: str,
        raters: list[User],
        done: datetime,
    ) -> Topic:
        topic = services.topic_propose(actor=actor, council=council, title=title)
        services.topic_transition(actor=actor, topic=topic, action="accept")
        services.agenda_add(actor=actor, meeting=meeting, topic=topic)
        services.topic_transition(actor=actor, topic=topic, action="decide", decision=decision)
        self.carry_out(actor, topic, [(decision[:40], "unit", "物业公司")], done, raters)
        Topic.objects.filter(pk=topic.pk).update(created_at=done - timedelta(days=35))
        self.counts["topics"] += 1
        return topic

    def units(self, compound: Node, count: int, owners: dict[int, User]) -> list[OwnedUnit]:
        rows = []
        for n in range(count):
            building, floor, door = n // 24 + 1, (n % 24) // 2 + 1, n % 2 + 1
            number = f"{building}-{floor}{door:02d}"
            owner = owners.get(n)
            name = owner.display_name if owner else f"业主{n + 1:03d}"
            rows.append(
                OwnedUnit(
                    node=compound,
                    number=number,
                    area=Decimal(self.rng.choice([68, 75, 89, 89, 96, 110, 128])),
                    owner=owner,
                    owner_name=name,
                    owner_key=f"user:{owner.pk}" if owner else f"name:{name}",
                )
            )
        return OwnedUnit.objects.bulk_create(rows)

    # --- the seeds -----------------------------------------------------------------------------------

    def huiyuan(self) -> None:
        compound = named_node("慧园小区")
        commissioner = User.objects.get(username="huiyuan-commissioner")
        resident = User.objects.get(username="huiyuan-resident")
        owners = User.objects.get(username="huiyuan-owners")
        prop = User.objects.get(username="huiyuan-property")
        raters = demo_users("huiyuan-rater", "慧园居民", 8, Role.RESIDENT, [compound])
        council = self.council(
            commissioner,
            compound,
            "议享幸福党群议事会",
            [
                ("慧园小区专员", Seat.PARTY_ORG, commissioner),
                ("慧园业委会", Seat.OWNERS_COMMITTEE, owners),
                ("慧园物业", Seat.PROPERTY_MANAGER, prop),
                ("居民代表老周", Seat.RESIDENTS, None),
                ("居民代表小林", Seat.RESIDENTS, None),
            ],
            rule="3+x",
            support_needed=10,
        )
        services.council_roles_set(
            actor=commissioner, council=council, chair=commissioner, secretary=commissioner
        )
        # The demo resident owns two flats, 1-101 where they live and 3-601 (let to a tenant): one head in
        # an owners' vote, two units, a ballot for each.
        units = self.units(compound, 96, {0: resident, 1: owners, RESIDENT_SECOND_FLAT: resident})
        for n, (title, decision) in enumerate(HUIYUAN_SETTLED):
            when = self.now - timedelta(days=30 * (len(HUIYUAN_SETTLED) - n) // 2 + 40)
            meeting = self.meeting(
                commissioner, council, f"议享幸福议事会（{when:%Y年%m月}）", when, "慧园小区党群驿站"
            )
            self.sit(commissioner, meeting)
            topic = services.topic_propose(actor=commissioner, council=council, title=title)
            services.topic_transition(actor=commissioner, topic=topic, action="accept")
            services.agenda_add(actor=commissioner, meeting=meeting, topic=topic)
            if title == "地下车库渗漏":
                # Using maintenance funds is a major matter: an owners' vote under art. 278 (¾ of both).
                vote = services.vote_open(
                    actor=commissioner,
                    topic=topic,
                    kind="owners",
                    question="使用专项维修资金修复地下车库顶板",
                    major=True,
                    compound=compound,
                )
                self.owners_vote(commissioner, vote, units, turnout=0.82, agree=0.9)
            else:
                vote = services.vote_open(
                    actor=commissioner,
                    topic=topic,
                    kind="yes_no",
                    question=f"同意：{decision[:40]}",
                    meeting=meeting,
                )
                for member in council.members.exclude(user=None):
                    if member.user is not None and meeting.attendance.filter(member=member).exists():
                        services.ballot_cast(actor=member.user, vote=vote, choice="agree")
            services.vote_close(actor=commissioner, vote=vote)
            self.counts["votes"] += 1
            services.topic_transition(actor=commissioner, topic=topic, action="decide", decision=decision)
            self.publish(commissioner, meeting, commissioner, when + timedelta(days=1))
            done = when + timedelta(days=25)
            self.carry_out(
                commissioner, topic, [(decision[:40], "unit", "慧园物业")], done, raters[: 3 + n % 5]
            )
            Topic.objects.filter(pk=topic.pk).update(created_at=when - timedelta(days=10))
            self.counts["topics"] += 1
        # Open now: an owners' vote the demo resident can cast from a phone.
        meeting = services.meeting_schedule(
            actor=commissioner,
            council=council,
            title="议享幸福议事会（本月）",
            starts_at=self.now + timedelta(days=3),
            place="慧园小区党群驿站",
        )
        self.counts["meetings"] += 1
        topic = services.topic_propose(actor=commissioner, council=council, title="老旧电梯更新")
        services.topic_transition(actor=commissioner, topic=topic, action="accept")
        services.agenda_add(actor=commissioner, meeting=meeting, topic=topic)
        vote = services.vote_open(
            actor=commissioner,
            topic=topic,
            kind="owners",
            question="使用维修资金更新3幢电梯",
            major=True,
            compound=compound,
        )
        # The resident's and the owners' committee's units are left for them to vote from their phones.
        self.owners_vote(
            commissioner,
            vote,
            [u for u in units if u.owner_id not in (resident.pk, owners.pk)],
            turnout=0.4,
            agree=0.85,
        )
        self.counts["votes"] += 1
        # And a resident's proposal gathering support.
        services.topic_propose(
            actor=resident, council=council, title="小区增设休息座椅", body="老人散步走累了没地方坐。"
        )
        self.counts["topics"] += 2

    def owners_vote(
        self, actor: User, vote: Vote, units: list[OwnedUnit], *, turnout: float, agree: float
    ) -> None:
        for unit in units:
            if self.rng.random() > turnout:
                continue
            choice = "agree" if self.rng.random() < agree else self.rng.choice(["disagree", "abstain"])
            channel = self.rng.choice(["paper", "paper", "proxy"])
            services.ballot_cast(
                actor=actor,
                vote=vote,
                choice=choice,
                unit=unit,
                channel=channel,
                proxy_name="家属代投" if channel == "proxy" else "",
            )

    def qigudeng(self) -> None:
        community = named_node("七古登社区")
        admin = User.objects.get(username="shangtang-admin")
        members = demo_users("qigudeng-member", "红桥议事员", 7, Role.RESIDENT, [community])
        council = self.council(
            admin,
            community,
            "大家谈·红桥议事会",
            [
                ("社区党委书记", Seat.PARTY_ORG, members[0]),
                ("业委会代表", Seat.OWNERS_COMMITTEE, members[1]),
                ("物业代表", Seat.PROPERTY_MANAGER, members[2]),
                ("居民代表", Seat.RESIDENTS, members[3]),
                ("居民代表", Seat.RESIDENTS, members[4]),
                ("共建单位代表", Seat.ALLIANCE_UNIT, members[5]),
                ("社区律师", Seat.LAWYER, members[6]),
            ],
            rule="3+x",
        )
        services.council_roles_set(actor=admin, council=council, chair=members[0], secretary=members[3])
        when = self.now - timedelta(days=21)
        meeting = self.meeting(admin, council, "红桥议事会：垃圾分类投放点位", when, "七古登运河驿站")
        self.sit(admin, meeting, share=1.0)
        topic = services.topic_propose(
            actor=admin,
            council=council,
            title="垃圾分类投放点设在哪里",
            body="三种布局方案，请议事会排序表决。",
        )
        services.topic_transition(actor=admin, topic=topic, action="accept")
        services.agenda_add(actor=admin, meeting=meeting, topic=topic)
        options = ["方案一：沿河步道集中设点", "方案二：每幢楼下分散设点", "方案三：东西两门各设一点"]
        vote = services.vote_open(
            actor=admin,
            topic=topic,
            kind="ranked",
            question="垃圾分类投放点位方案",
            options=options,
            meeting=meeting,
        )
        # 3 × 一>三>二, 2 × 二>三>一, 2 × 三>二>一: 一 leads round one, 二 is out and its ballots go to 三, 三 wins 4:3.
        rankings = [[0, 2, 1]] * 3 + [[1, 2, 0]] * 2 + [[2, 1, 0]] * 2
        for member, ranking in zip(members, rankings, strict=True):
            services.ballot_cast(actor=member, vote=vote, choice=ranking)
        vote = services.vote_close(actor=admin, vote=vote)
        self.counts["votes"] += 1
        services.topic_transition(
            actor=admin,
            topic=topic,
            action="decide",
            decision=f"按排序表决结果采用{options[vote.result['winner']]}，物业一个月内完成设点。",
        )
        self.publish(admin, meeting, members[0], when + timedelta(days=1))
        services.action_add(
            actor=admin,
            topic=topic,
            title="东西两门投放点建设",
            owner_kind="unit",
            owner_name="物业公司",
            due=timezone.localdate() + timedelta(days=10),
        )
        Topic.objects.filter(pk=topic.pk).update(created_at=when - timedelta(days=7))
        self.counts["topics"] += 1

    def nanbayuan(self) -> None:
        compound = named_node("南八苑")
        admin = User.objects.get(username="daguan-admin")
        resident = self.account("nanbayuan-resident", "南八苑居民", Role.RESIDENT, compound)
        neighbours = demo_users("nanbayuan-resident", "南八苑居民", 6, Role.RESIDENT, [compound])
        council = self.council(
            admin,
            compound,
            "百姓圆桌会",
            [
                ("南苑社区党委", Seat.PARTY_ORG, None),
                ("业委会主任", Seat.OWNERS_COMMITTEE, neighbours[0]),
                ("物业经理", Seat.PROPERTY_MANAGER, neighbours[1]),
                ("一楼住户代表", Seat.RESIDENTS, resident),
                ("居民代表", Seat.RESIDENTS, neighbours[2]),
            ],
            rule="3+x",
        )
        services.council_roles_set(actor=admin, council=council, chair=neighbours[0], secretary=None)
        appeal, _ = appeal_submit(
            actor=resident,
            node=compound,
            title="楼前绿化带挡光又招蚊子",
            body="8幢前的绿化带树木太密，一楼常年晒不到太阳，夏天蚊子特别多，希望修剪或改造。",
        )
        topic = services.topic_from_appeal(actor=admin, appeal=appeal, council=council)
        start = self.now - timedelta(days=120)
        rounds = [
            ("第一次百姓圆桌会：绿化带问题摆一摆", "居民意见分歧：有人要砍树，有人要保留绿化。"),
            ("第二次百姓圆桌会：改造方案议一议", "园林专家提出改造为口袋花园，保留大树、移除灌木。"),
            ("第三次百姓圆桌会：口袋花园定一定", ""),
        ]
        for n, (title, notes) in enumerate(rounds):
            when = start + timedelta(days=14 * n)
            meeting = self.meeting(admin, council, title, when, "南八苑8幢楼前")
            topic.refresh_from_db()
            services.agenda_add(actor=admin, meeting=meeting, topic=topic)
            self.sit(admin, meeting, share=1.0)
            services.meeting_notes(actor=admin, meeting=meeting, notes=notes or "表决通过口袋花园方案。")
            if n == len(rounds) - 1:
                topic.refresh_from_db()
                vote = services.vote_open(
                    actor=admin,
                    topic=topic,
                    kind="yes_no",
                    question="将8幢前绿化带改造为口袋花园",
                    meeting=meeting,
                    threshold="present",
                )
                for member in council.members.exclude(user=None):
                    if member.user is not None:
                        services.ballot_cast(actor=member.user, vote=vote, choice="agree")
                services.vote_close(actor=admin, vote=vote)
                self.counts["votes"] += 1
                services.topic_transition(
                    actor=admin,
                    topic=topic,
                    action="decide",
                    decision="保留大树、移除灌木，改造为口袋花园；圆桌会成员监督施工。",
                )
            self.publish(admin, meeting, neighbours[0], when + timedelta(days=1))
        topic.refresh_from_db()
        done = start + timedelta(days=75)
        self.carry_out(
            admin,
            topic,
            [
                ("移除灌木、修剪大树", "unit", "物业公司"),
                ("铺设步道与座椅", "unit", "园林公司"),
                ("施工监督", "team", "圆桌会成员"),
            ],
            done,
            [resident, *neighbours[2:]],
        )
        appeal.refresh_from_db()
        if appeal.status == "resolved":
            appeal_transition(
                actor=resident,
                appeal=appeal,
                action="rate",
                rating="satisfied",
                comment="口袋花园很漂亮，一楼终于见阳光了",
            )
        Topic.objects.filter(pk=topic.pk).update(created_at=start - timedelta(days=7))
        self.counts["topics"] += 1

    def wanghu(self) -> None:
        sub, community = named_node("望湖街道"), named_node("望湖社区")
        compound = (
            Node.objects.filter(path__startswith=community.path, kind=NodeKind.COMPOUND)
            .order_by("path")
            .first()
        )
        assert compound is not None
        secretary = self.account(
            "wanghu-community-secretary", "望湖社区书记", Role.COMMUNITY_SECRETARY, community
        )
        mediator = self.account("wanghu-mediator", "望湖调解员", Role.COMMUNITY_STAFF, community)
        police = self.account("wanghu-police", "望湖社区民警", Role.RESIDENT, community)
        lawyer = self.account("wanghu-lawyer", "望湖社区律师", Role.RESIDENT, community)
        reps = demo_users("wanghu-rep", "望湖居民代表", 6, Role.RESIDENT, [compound])
        levels: list[tuple[Node, str, list[tuple[str, str, User | None]], str]] = [
            (
                sub,
                "望湖街道月月谈",
                [("街道党工委", Seat.PARTY_ORG, secretary), ("社区代表", Seat.OTHER, None)],
                "none",
            ),
            (
                community,
                "望湖社区“3+X”议事会",
                [
                    ("社区党委", Seat.PARTY_ORG, secretary),
                    ("业委会", Seat.OWNERS_COMMITTEE, reps[0]),
                    ("物业", Seat.PROPERTY_MANAGER, reps[1]),
                    ("居民代表", Seat.RESIDENTS, reps[2]),
                    ("共建单位", Seat.ALLIANCE_UNIT, None),
                    ("社区律师", Seat.LAWYER, lawyer),
                    ("社区民警", Seat.POLICE, police),
                ],
                "3+x",
            ),
            (
                compound,
                f"{compound.name}月月谈",
                [
                    ("小区党支部", Seat.PARTY_ORG, mediator),
                    ("业委会", Seat.OWNERS_COMMITTEE, reps[0]),
                    ("物业", Seat.PROPERTY_MANAGER, reps[1]),
                    ("红色管家", Seat.RESIDENTS, reps[3]),
                ],
                "3+x",
            ),
        ]
        councils = []
        for node, name, seats, rule in levels:
            c = self.council(self.admin, node, name, seats, series="月月谈", rule=rule)
            services.council_roles_set(
                actor=self.admin, council=c, chair=secretary if node != compound else mediator, secretary=None
            )
            councils.append(c)
            for month in range(3, 0, -1):
                when = (self.now - timedelta(days=30 * month)).replace(day=15, hour=19, minute=0)
                meeting = self.meeting(
                    self.admin, c, f"{name}（{when:%m}月）", when, f"{node.name}党群服务站"
                )
                self.sit(self.admin, meeting)
                self.publish(self.admin, meeting, c.chair or secretary, when + timedelta(days=1))
        # Problem collection → coordination → resources → residents' verdict (问题收集 → 统筹协调 → 资源融合 → 群众评议).
        com_council, cmp_council = councils[1], councils[2]
        when = self.now - timedelta(days=50)
        meeting = self.meeting(self.admin, com_council, "“3+X”议事会：三件实事", when, "望湖社区党群服务中心")
        self.sit(self.admin, meeting, share=1.0)
        for title, decision in WANGHU_SETTLED:
            if title == "停车秩序":
                # The compound could not settle parking alone: moved up to the community's 3+X with a reason.
                topic = services.topic_propose(actor=mediator, council=cmp_council, title=title)
                services.topic_transition(
                    actor=mediator,
                    topic=topic,
                    action="escalate",
                    council=com_council,
                    note="涉及共建单位停车场错时共享，小区层面无法协调",
                )
            else:
                topic = services.topic_propose(actor=secretary, council=com_council, title=title)
            services.topic_transition(actor=secretary, topic=topic, action="accept")
            services.agenda_add(actor=secretary, meeting=meeting, topic=topic)
            services.topic_transition(actor=secretary, topic=topic, action="decide", decision=decision)
            self.carry_out(
                secretary,
                topic,
                [(title, "unit", "共建单位"), ("居民评议", "team", "红色管家")],
                when + timedelta(days=30),
                reps[2:],
            )
            self.counts["topics"] += 1
        self.mediation(community, compound, mediator, lawyer)

    def mediation(self, community: Node, compound: Node, mediator: User, lawyer: User) -> None:
        shangtang = named_node("上塘社区")
        zhao = self.account("shangtang-mediator", "赵大姐", Role.COMMUNITY_STAFF, shangtang)
        self.account("shangtang-secretary", "上塘社区书记", Role.COMMUNITY_SECRETARY, shangtang)
        places = {
            "wanghu": (
                compound,
                mediator,
                "望湖警民联调室",
                [(mediator, "小区调解队"), (lawyer, "社区律师")],
            ),
            "shangtang": (shangtang, zhao, "传心工作室", [(zhao, "赵大姐谈警室")]),
        }
        surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
        for n, (key, kind, title, facts, claims, at_risk, outcome) in enumerate(MEDIATION):
            node, actor, room, mediators = places[key]
            a, b = surnames[2 * n], surnames[2 * n + 1]
            case = services.case_open(
                actor=actor,
                node=node,
                kind=kind,
                source="walk_in" if n % 2 else "police",
                title=title,
                facts=facts,
                claims=claims,
                at_risk=at_risk,
                parties=[
                    {"name": f"{a}某某", "phone": f"139{n:04d}{1234 + n:04d}", "side": "applicant"},
                    {"name": f"{b}某某", "phone": f"137{n:04d}{5678 + n:04d}", "side": "respondent"},
                ],
                mediators=mediators,
            )
            services.session_record(
                actor=actor,
                case=case,
                at=self.now - timedelta(days=20 - n),
                place=room,
                present=f"{a}某某、{b}某某、调解员",
                notes="双方陈述事实，调解员释法说理。",
            )
            if outcome == "written":
                case = services.case_transition(
                    actor=actor,
                    case=case,
                    action="agree",
                    outcome="written",
                    terms=f"{claims}；{b}某某书面致歉。",
                    responsibilities=f"{b}某某承担主要责任，{a}某某予以谅解。",
                    performance="双方在各自住所履行，调解员上门确认",
                    perform_by=timezone.localdate() + timedelta(days=15),
                    sealed_by=f"{node.name}人民调解委员会",
                )
                visit = services.follow_up_schedule(
                    actor=actor, case=case, due=timezone.localdate() + timedelta(days=16)
                )
                if n == 0:
                    services.follow_up_record(
                        actor=actor, visit=visit, performed=True, note="回访：已按协议履行，双方满意。"
                    )
            elif outcome == "oral":
                services.case_transition(actor=actor, case=case, action="agree", outcome="oral", terms=claims)
            elif outcome == "litigation":
                services.case_transition(
                    actor=actor, case=case, action="refer", outcome="litigation", note="金额分歧大，引导诉讼"
                )
            MediationCase.objects.filter(pk=case.pk).update(created_at=self.now - timedelta(days=25 - n))
            self.counts["cases"] += 1


def load(ctx: DemoContext) -> dict[str, int]:
    ctx.progress("deliberation and mediation")
    demo = Demo(ctx)
    demo.huiyuan()
    demo.qigudeng()
    demo.nanbayuan()
    demo.wanghu()
    return demo.counts
