"""The demo's world: the tree of the five sub-districts and the residents' register (the first demo step).
Deterministic (seeded) and bulk-inserted; the party organisations and accounts follow (party.py, accounts.py)."""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

import random
from collections import defaultdict
from datetime import date
from typing import Any

from gongzhi.accounts.models import Person
from gongzhi.core import pii
from gongzhi.core.registry import DemoContext
from gongzhi.demo import figures as F
from gongzhi.orgs.models import Node, NodeKind, NodeType

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


class World:
    """The tree and the register as they are built, with the places later steps look up by name."""

    def __init__(
        self,
        *,
        rng: random.Random,
        residents_per_building: tuple[int, int] = (18, 30),
    ) -> None:
        self.rng = rng
        self.residents_per_building = residents_per_building
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
        self._names: set[str] = {"慧园小区", "南八苑"}
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
            named = sub["named_compounds"].get(name, [])
            for j in range(1, self.rng.randint(3, 5) + 1):
                self.add_compound(sub, community, j, name=named[j - 1] if j <= len(named) else None)
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


def load(ctx: DemoContext) -> dict[str, int]:
    """Build the tree and the register; later steps find them in ``ctx.shared``."""
    world = World(rng=ctx.rng, residents_per_building=ctx.shared.get("residents_per_building", (18, 30)))
    ctx.progress("nodes")
    world.build_tree()
    ctx.progress("residents")
    people = world.build_people()
    ctx.shared.update(world=world, people=people)
    return {"nodes": len(world.tree.nodes), "residents": sum(len(v) for v in people.values())}


def demo_is_loaded() -> bool:
    return Node.objects.filter(code=F.XIANGFU["code"]).exists()
