"""Loads the five demo sub-districts. Deterministic (seeded), bulk-inserted, idempotent via --reset."""

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from gongzhi.accounts.models import Person, RoleBinding, User
from gongzhi.core import pii
from gongzhi.core.demo import figures as F
from gongzhi.core.roles import Role
from gongzhi.orgs.models import (
    GovernanceTeam,
    GovernanceTeamMember,
    MemberPost,
    Node,
    NodeKind,
    NodeType,
    OrgUnit,
    OrgUnitKind,
    PartyMembership,
    PartyOrg,
    PartyOrgKind,
    TeamPost,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞斌宇浩凯秀云晨欣怡子涵梓轩雨彤佳琪思远俊杰嘉怡博文一诺雅婷志强春梅海燕建华淑珍丽娟婷婷晓东晓明"
COMPOUND_SUFFIX = ["苑", "园", "小区", "新村", "家园", "公寓", "花园"]
COMPOUND_WORDS = (
    "和平安康宁瑞祥福丰景明华兴盛嘉润泽翠绿桂香梅兰竹菊锦绣阳光金银春秋东西南北新运河湖滨丽水半山"
)


class Tree:
    """Allocates materialised paths in memory so thousands of nodes go in with one bulk insert."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.next_step: dict[str, int] = defaultdict(int)

    def add(self, parent: Node | None, **fields: Any) -> Node:
        base = parent.path if parent else ""
        depth = parent.depth + 1 if parent else 1
        self.next_step[base] += 1
        node = Node(path=Node._get_path(base, depth, self.next_step[base]), depth=depth, numchild=0, **fields)
        if parent is not None:
            parent.numchild += 1
        self.nodes.append(node)
        return node

    def save(self) -> None:
        Node.objects.bulk_create(self.nodes, batch_size=1000)


class DemoLoader:
    def __init__(
        self,
        *,
        seed: int = 2024,
        residents_per_building: tuple[int, int] = (18, 30),
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.residents_per_building = residents_per_building
        self.progress = progress or (lambda message: None)
        self.tree = Tree()
        self.ids_used: set[str] = set()
        self.compounds: dict[str, list[Node]] = defaultdict(list)  # subdistrict key -> compounds
        self.buildings: dict[str, list[Node]] = defaultdict(list)  # compound path -> buildings
        self.communities: dict[str, list[Node]] = defaultdict(list)
        self.subdistricts: dict[str, Node] = {}
        self.districts: dict[str, Node] = {}
        self.named: dict[str, Node] = {}

    # --- synthetic values ------------------------------------------------------------------

    def point(self, key: str, spread: float = 0.012) -> tuple[float, float]:
        lat, lng = F.CENTRES[key]
        return round(lat + self.rng.uniform(-spread, spread), 6), round(
            lng + self.rng.uniform(-spread, spread), 6
        )

    def compound_name(self, taken: set[str]) -> str:
        while True:
            name = "".join(self.rng.sample(COMPOUND_WORDS, 2)) + self.rng.choice(COMPOUND_SUFFIX)
            if name not in taken:
                taken.add(name)
                return name

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2)))
        )

    def phone(self) -> str:
        return "1" + self.rng.choice("3456789") + f"{self.rng.randrange(10**9):09d}"

    def id_number(self, region: str, birth_year: int) -> str:
        while True:
            born = date(birth_year, self.rng.randint(1, 12), self.rng.randint(1, 28))
            first17 = f"{region}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            number = first17 + pii.id_check_character(first17)
            if number not in self.ids_used:
                self.ids_used.add(number)
                return number

    # --- tree ------------------------------------------------------------------------------

    def add_compound(
        self,
        sub: dict,
        community: Node,
        index: int,
        *,
        name: str | None = None,
        batch: int | None = None,
        buildings: int | None = None,
    ) -> Node:
        lat, lng = self.point(sub["key"])
        households = self.rng.randint(300, 1600)
        compound = self.tree.add(
            community,
            code=f"{community.code}{index:03d}",
            name=name or self.compound_name(self._names),
            kind=NodeKind.COMPOUND,
            node_type=self.rng.choice(
                [NodeType.OLD_COMPOUND, NodeType.OLD_COMPOUND, NodeType.RESETTLEMENT, NodeType.COMMERCIAL]
            ),
            lat=lat,
            lng=lng,
            households=households,
            population=int(households * self.rng.uniform(2.3, 2.9)),
            micro_governance_batch=batch,
        )
        self.named[compound.name] = compound
        self.compounds[sub["key"]].append(compound)
        for b in range(1, (buildings or self.rng.randint(6, 10)) + 1):
            blat, blng = (
                round(lat + self.rng.uniform(-0.001, 0.001), 6),
                round(lng + self.rng.uniform(-0.001, 0.001), 6),
            )
            building = self.tree.add(
                compound,
                code=f"{compound.code}{b:03d}",
                name=f"{compound.name}{b}幢",
                kind=NodeKind.BUILDING,
                lat=blat,
                lng=blng,
            )
            self.buildings[compound.path].append(building)
        return compound

    def add_subdistrict(self, sub: dict) -> Node:
        district = self.districts[sub["district"]]
        lat, lng = F.CENTRES[sub["key"]]
        node = self.tree.add(
            district,
            code=sub["code"],
            name=sub["name"],
            kind=NodeKind.SUBDISTRICT,
            address=sub["address"],
            lat=lat,
            lng=lng,
        )
        self.subdistricts[sub["key"]] = node
        self.named[sub["name"]] = node
        return node

    def add_community(self, sub: dict, parent: Node, index: int, name: str, node_type: str = "") -> Node:
        lat, lng = self.point(sub["key"], 0.008)
        community = self.tree.add(
            parent,
            code=f"{parent.code}{index:03d}",
            name=name,
            kind=NodeKind.COMMUNITY,
            node_type=node_type,
            lat=lat,
            lng=lng,
            address=f"{name}党群服务中心",
        )
        self.communities[sub["key"]].append(community)
        self.named[name] = community
        return community

    def build_tree(self) -> None:
        self._names: set[str] = {"慧园小区"}
        for code, name, city in F.DISTRICTS:
            self.districts[code] = self.tree.add(
                None, code=code, name=name, kind=NodeKind.DISTRICT, address=f"{city}{name}"
            )
        # 祥符: 87 micro-governance compounds in 16 of 17 communities, 36 of them in the first batch.
        sub = F.XIANGFU
        parent = self.add_subdistrict(sub)
        per_community = [6] * 7 + [5] * 9  # 87 compounds over the first 16 communities
        batch_left = sub["micro_governance_first_batch"]
        for i, name in enumerate(sub["communities"], start=1):
            community = self.add_community(sub, parent, i, f"{name}社区")
            if i <= 16:
                named = sub["named_compounds"].get(name, [])
                for j in range(1, per_community[i - 1] + 1):
                    batch = 1 if batch_left > 0 else 2
                    batch_left -= 1
                    self.add_compound(
                        sub, community, j, name=named[j - 1] if j <= len(named) else None, batch=batch
                    )
            else:
                for j in range(1, 3):
                    self.add_compound(sub, community, j)
        # 上塘: 21 communities and economic co-operatives.
        sub = F.SHANGTANG
        parent = self.add_subdistrict(sub)
        for i, name in enumerate(sub["communities"], start=1):
            community = self.add_community(sub, parent, i, f"{name}社区")
            for j in range(1, self.rng.randint(3, 5) + 1):
                self.add_compound(sub, community, j)
        for i, name in enumerate(sub["economic_coops"], start=len(sub["communities"]) + 1):
            self.add_community(sub, parent, i, name, NodeType.ECONOMIC_COOP)
        # 大关
        sub = F.DAGUAN
        parent = self.add_subdistrict(sub)
        for i, name in enumerate(sub["communities"], start=1):
            community = self.add_community(sub, parent, i, f"{name}社区")
            for j in range(1, self.rng.randint(3, 5) + 1):
                self.add_compound(sub, community, j)
        # 城厢: two communities of each of the five types.
        sub = F.CHENGXIANG
        parent = self.add_subdistrict(sub)
        for i, (name, kind) in enumerate(sub["communities"], start=1):
            community = self.add_community(sub, parent, i, f"{name}社区", kind)
            for j in range(1, self.rng.randint(3, 5) + 1):
                self.add_compound(sub, community, j)
        # 望湖: 29 compounds (one party branch each) with 233 buildings (one party group each).
        sub = F.WANGHU
        parent = self.add_subdistrict(sub)
        compounds_per_community = [6, 6, 6, 6, 5]
        buildings = [9] + [8] * 28  # 233 buildings
        k = 0
        for i, name in enumerate(sub["communities"], start=1):
            community = self.add_community(sub, parent, i, f"{name}社区")
            for j in range(1, compounds_per_community[i - 1] + 1):
                self.add_compound(sub, community, j, buildings=buildings[k])
                k += 1
        self.tree.save()

    # --- people ----------------------------------------------------------------------------

    def build_people(self) -> dict[str, list[Person]]:
        """Residents in every building; returns them by compound path."""
        region_of = {sub["key"]: sub["district"] for sub in F.SUBDISTRICTS}
        by_compound: dict[str, list[Person]] = defaultdict(list)
        batch: list[Person] = []
        low, high = self.residents_per_building
        for key, compounds in self.compounds.items():
            for compound in compounds:
                for building in self.buildings[compound.path]:
                    for n in range(self.rng.randint(low, high)):
                        year = self.rng.randint(1935, 2015)
                        person = Person(
                            node=building,
                            name=self.person_name(),
                            gender=self.rng.choice("FM"),
                            birth_year=year,
                            room=f"{self.rng.randint(1, 18)}{self.rng.randint(1, 4):02d}",
                        )
                        person.set_phone(self.phone())
                        if n % 3 != 2:  # not every register entry has an ID number on file
                            person.set_id_number(self.id_number(region_of[key], year))
                        batch.append(person)
                        by_compound[compound.path].append(person)
        for start in range(0, len(batch), 2000):
            Person.objects.bulk_create(batch[start : start + 2000])
        return by_compound

    # --- party organisations ---------------------------------------------------------------

    def build_party(self, people: dict[str, list[Person]]) -> None:
        orgs: list[PartyOrg] = []
        committee_of: dict[str, PartyOrg] = {}
        branch_of: dict[str, PartyOrg] = {}
        workings = PartyOrg.objects.bulk_create(
            PartyOrg(
                node=self.subdistricts[sub["key"]],
                name=f"{sub['name']}党工委",
                kind=PartyOrgKind.WORKING_COMMITTEE,
            )
            for sub in F.SUBDISTRICTS
        )
        for sub, working in zip(F.SUBDISTRICTS, workings, strict=True):
            for community in self.communities[sub["key"]]:
                committee = PartyOrg(
                    node=community, name=f"{community.name}党委", kind=PartyOrgKind.COMMITTEE, parent=working
                )
                committee_of[community.path] = committee
                orgs.append(committee)
        PartyOrg.objects.bulk_create(orgs)
        # "One compound, one party organisation": a branch in every compound.
        branches = []
        for compounds in self.compounds.values():
            for compound in compounds:
                branch = PartyOrg(
                    node=compound,
                    name=f"{compound.name}党支部",
                    kind=PartyOrgKind.BRANCH,
                    parent=committee_of[compound.path[: -Node.steplen]],
                )
                branch_of[compound.path] = branch
                branches.append(branch)
        # 望湖: 74 branches in all -> 45 community-level branches besides the 29 compound branches.
        extra_kinds = [
            "退休党支部",
            "非公企业联合党支部",
            "社会组织联合党支部",
            "物业企业党支部",
            "志愿者党支部",
            "流动党员党支部",
            "老干部党支部",
            "两新组织党支部",
            "机关在职党员党支部",
        ]
        for community in self.communities["wanghu"]:
            for label in extra_kinds:
                branches.append(
                    PartyOrg(
                        node=community,
                        name=f"{community.name}{label}",
                        kind=PartyOrgKind.BRANCH,
                        parent=committee_of[community.path],
                    )
                )
        PartyOrg.objects.bulk_create(branches)
        # 望湖: a party group in every building (233).
        groups = []
        for compound in self.compounds["wanghu"]:
            for building in self.buildings[compound.path]:
                groups.append(
                    PartyOrg(
                        node=building,
                        name=f"{building.name}党小组",
                        kind=PartyOrgKind.GROUP,
                        parent=branch_of[compound.path],
                    )
                )
        PartyOrg.objects.bulk_create(groups)

        # Members: about 6% of residents, exactly 2,836 in 上塘.
        memberships = []
        for key, compounds in self.compounds.items():
            pool = [
                (p, branch_of[c.path])
                for c in compounds
                for p in people[c.path]
                if (p.birth_year or 0) <= 2004
            ]
            count = F.SHANGTANG["party_members"] if key == "shangtang" else int(len(pool) * 0.06)
            for person, branch in self.rng.sample(pool, count):
                memberships.append(
                    PartyMembership(
                        party_org=branch,
                        person=person,
                        in_service=self.rng.random() < 0.45,
                        joined_party_on=date(
                            min(2023, (person.birth_year or 1970) + self.rng.randint(20, 40)), 7, 1
                        ),
                        workplace=self.rng.choice(
                            ["", "杭州市某中学", "某区卫健局", "某国有企业", "某银行支行"]
                        ),
                    )
                )
        by_branch: dict[int, list[PartyMembership]] = defaultdict(list)
        for m in memberships:
            by_branch[id(m.party_org)].append(m)
        for members in by_branch.values():
            members[0].post = MemberPost.SECRETARY
            if len(members) > 3:
                members[1].post = MemberPost.DEPUTY_SECRETARY
        PartyMembership.objects.bulk_create(memberships, batch_size=2000)

    def build_three_parties_and_teams(self, people: dict[str, list[Person]]) -> None:
        units = []
        for compounds in self.compounds.values():
            for compound in compounds:
                units.append(
                    OrgUnit(
                        node=compound, kind=OrgUnitKind.PROPERTY_MANAGER, name=f"{compound.name}物业服务中心"
                    )
                )
                if compound.node_type == NodeType.COMMERCIAL or compound.micro_governance_batch:
                    units.append(
                        OrgUnit(
                            node=compound,
                            kind=OrgUnitKind.OWNERS_COMMITTEE,
                            name=f"{compound.name}业主委员会",
                        )
                    )
        OrgUnit.objects.bulk_create(units)
        # 望湖: 28 "1+X" governance teams: 29 instructors, 52 red stewards, 28 student stewards.
        compounds = self.compounds["wanghu"][:28]
        teams = GovernanceTeam.objects.bulk_create(
            GovernanceTeam(node=c, name=f"{c.name}治理团队") for c in compounds
        )
        members = []
        for i, (team, compound) in enumerate(zip(teams, compounds, strict=True)):
            pool = self.rng.sample(people[compound.path], 6)
            posts = [TeamPost.INSTRUCTOR, TeamPost.SECRETARY, TeamPost.STUDENT_STEWARD, TeamPost.RED_STEWARD]
            if i < 24:
                posts.append(TeamPost.RED_STEWARD)
            if i == 0:
                posts.append(TeamPost.INSTRUCTOR)
            members += [
                GovernanceTeamMember(team=team, person=p, post=post)
                for p, post in zip(pool, posts, strict=False)
            ]
        GovernanceTeamMember.objects.bulk_create(members)

    # --- accounts --------------------------------------------------------------------------

    def build_accounts(self, people: dict[str, list[Person]]) -> None:
        password = make_password(F.DEMO_PASSWORD)
        named = self.named

        def account(
            username: str, display: str, phone: str, *bindings: tuple[str, Node], superuser=False
        ) -> User:
            user = User(
                username=username,
                display_name=display,
                password=password,
                is_superuser=superuser,
                is_staff=superuser,
            )
            user.set_phone(phone)
            user.save()
            RoleBinding.objects.bulk_create(
                RoleBinding(user=user, role=role, node=node) for role, node in bindings
            )
            return user

        account("admin", "系统管理员", "13800000000", superuser=True)
        account("xiangfu-admin", "祥符街道管理员", "13800000001", (Role.SUBDISTRICT_ADMIN, named["祥符街道"]))
        account("shenhui-staff", "申慧社区社工", "13800000002", (Role.COMMUNITY_STAFF, named["申慧社区"]))
        account("huiyuan-commissioner", "慧园小区专员", "13800000003", (Role.COMMISSIONER, named["慧园小区"]))
        resident = account("huiyuan-resident", "慧园居民", "13800000004", (Role.RESIDENT, named["慧园小区"]))
        account("xiyi-staff", "西一社区社工", "13800000005", (Role.COMMUNITY_STAFF, named["西一社区"]))
        account("daguan-admin", "大关街道管理员", "13800000006", (Role.SUBDISTRICT_ADMIN, named["大关街道"]))
        account(
            "district-viewer",
            "区级查看",
            "13800000007",
            *((Role.DISTRICT_VIEWER, district) for district in self.districts.values()),
        )
        # The demo resident is in the register of 慧园小区.
        home = people[named["慧园小区"].path][0]
        Person.objects.filter(pk=home.pk).update(user=resident, name="慧园居民")
        # 93 commissioners over 祥符's 87 micro-governance compounds (six compounds have two).
        micro = [c for c in self.compounds["xiangfu"] if c.micro_governance_batch]
        placements = micro + [c for c in micro if c.name != "慧园小区"][:6]
        users, bindings = [], []
        huiyuan_done = False
        for n, compound in enumerate(placements, start=1):
            if compound.name == "慧园小区" and not huiyuan_done:
                huiyuan_done = True  # huiyuan-commissioner (created above) is this compound's commissioner
                continue
            # Unusable password ("!"): these commissioners sign in by phone code once a number is set.
            unusable = "!"
            users.append(
                User(
                    username=f"xf-commissioner-{n:03d}",
                    display_name=f"{compound.name}专员",
                    password=unusable,
                )
            )
            bindings.append(compound)
        User.objects.bulk_create(users)
        RoleBinding.objects.bulk_create(
            RoleBinding(user=u, role=Role.COMMISSIONER, node=c) for u, c in zip(users, bindings, strict=True)
        )

    def load(self) -> dict[str, int]:
        with transaction.atomic():
            self.progress("nodes")
            self.build_tree()
            self.progress("residents")
            people = self.build_people()
            self.progress("party organisations")
            self.build_party(people)
            self.build_three_parties_and_teams(people)
            self.progress("accounts")
            self.build_accounts(people)
            self.progress("appeals")
            from gongzhi.core.demo.appeals import load_demo_appeals

            appeals = load_demo_appeals(self.rng)
            self.progress("volunteering, wishes and the points mall")
            from gongzhi.core.demo.volunteering import load_demo_volunteering

            service = load_demo_volunteering(self.rng)
        return {
            "nodes": len(self.tree.nodes),
            "residents": sum(len(v) for v in people.values()),
            "party_memberships": PartyMembership.objects.count(),
            "appeals": appeals,
            **service,
        }


def demo_is_loaded() -> bool:
    return Node.objects.filter(code=F.XIANGFU["code"]).exists()
