"""Demo appeals: a year of compound life in the five demo subdistricts.

What residents report comes from the compound tree's labelled set: real public messages that concern a
compound (triage/data/compound_real.csv, from the 2020 TipDM Cup data, names already pseudonymised, with
the official reply where the source has one) and the examples written for the set from the compounds'
named problems (compound_written.csv). The named problems of named compounds (appeals/demo_texts.py:
慧园's garage leak and bin boxes solved through 议享幸福, its bicycle shed and fitness station, 望湖's
parking, 南八苑's shading trees and mosquitoes at the 百姓圆桌会, 七古登's sorting points at the 红桥议事会)
are told by several residents each, recently, so hot issues and the map show them.

Most appeals are resolved in the compound, some by the property manager or owners' committee they were
handed to, some passed up to the community or subdistrict, about one in eight later than its deadline;
most are rated. 上塘街道 reproduces its report: 312 appeals collected, 245 resolved; its ten complaints
about one compound's ground-floor eateries (a real run of public-board messages with residents' votes)
fall in the last four weeks.
"""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

import csv
import math
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.accounts.models import Person, RoleBinding
from gongzhi.appeals.categories import categories_load_default
from gongzhi.appeals.demo_texts import REPLIES, SEEDS, WEIGHTS, Seed
from gongzhi.appeals.models import (
    Appeal,
    AppealEvent,
    Category,
    CategoryTree,
    Channel,
    Rating,
    Status,
    Tier,
)
from gongzhi.appeals.tallies import tallies_rebuild
from gongzhi.appeals.triage import min_confidence, triage_model_train
from gongzhi.core.registry import DemoContext
from gongzhi.core.roles import Role
from gongzhi.core.workdays import add_working_days
from gongzhi.orgs.models import Node, NodeKind, OrgUnit, OrgUnitKind
from gongzhi.triage.classifier import Example
from gongzhi.triage.services import active_classifier
from gongzhi.triage.training import DATA as TRIAGE_DATA
from gongzhi.triage.training import compound_real, compound_written

HOT_SUBDISTRICT = "330105011"
HOT_GROUP = "hot-meili"  # the ten real messages about one compound's ground-floor eateries
# (collected, resolved) per subdistrict code; 上塘's figures are its report's.
PLAN = {
    "330105011": (312, 245),
    "330105010": (180, 164),
    "330105012": (90, 82),
    "330109001": (80, 72),
    "340111005": (60, 54),
}
# Where resolved appeals were resolved: most in the compound ("小事不出小区").
TIERS = [Tier.COMPOUND] * 76 + [Tier.COMMUNITY] * 18 + [Tier.SUBDISTRICT] * 6
OPEN_STATES = [Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.INFO_REQUESTED, Status.PROPOSED]
OPENERS = ["", "我住{b}，", "{b}居民反映：", "再次反映：", "{b}："]


@dataclass
class Case:
    """One appeal to be: what it says and how it went."""

    title: str
    body: str
    label: str  # first-level compound category
    category: Category | None
    compound: Node
    resolved: bool
    age: timedelta
    tier: str = Tier.COMPOUND
    reply: str = ""
    support: int = 0
    building: Node | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def load(ctx: DemoContext) -> dict[str, int]:
    ctx.progress("appeals")
    return {"appeals": load_demo_appeals(ctx.rng)}


def load_tallies(ctx: DemoContext) -> dict[str, int]:
    ctx.progress("appeal tallies")
    return {"appeal day tallies": tallies_rebuild()}


PSEUDONYM = re.compile(r"[A-Z][0-9]{0,2}(?=[市区县州镇])[市区县州镇]")


def _local(text: str) -> str:
    """The public messages' pseudonymised place codes ("A市", "B4区") left out: the demo places them in
    its own subdistricts."""
    return PSEUDONYM.sub("", text)


def _real_replies() -> dict[str, str]:
    with (TRIAGE_DATA / "messages_with_replies.csv").open(encoding="utf-8") as handle:
        return {row["id"]: row["reply"] for row in csv.DictReader(handle)}


def _seed_compound(seed: Seed, compounds: list[Node], communities: dict[str, Node]) -> Node | None:
    """The compound a seed names, if it is in this subdistrict: by name, or a community's first compound."""
    if seed.place.endswith("社区"):
        community = communities.get(seed.place)
        if community is None:
            return None
        inside = [c for c in compounds if c.path.startswith(community.path)]
        return min(inside, key=lambda c: c.path) if inside else None
    return next((c for c in compounds if c.name == seed.place), None)


def load_demo_appeals(rng: random.Random) -> int:
    categories_load_default()
    for tree in (CategoryTree.COMPOUND, CategoryTree.HOTLINE):
        triage_model_train(use_confirmed=False, tree=tree)
    classifier = active_classifier(CategoryTree.COMPOUND)
    assert classifier is not None
    compound_tree = Category.objects.filter(tree=CategoryTree.COMPOUND, subdistrict__isnull=True)
    tops = {c.name: c for c in compound_tree.filter(level=1)}
    entries = {c.name: c for c in compound_tree.filter(level=2).select_related("parent")}
    under: dict[str, list[Category]] = {}
    for entry in entries.values():
        under.setdefault(entry.parent.name, []).append(entry)  # type: ignore[union-attr]
    written: dict[str, list[Example]] = {}
    for example in compound_written():
        written.setdefault(example.label, []).append(example)
    for examples in written.values():
        rng.shuffle(examples)
    real, groups = compound_real()
    with (TRIAGE_DATA / "compound_real.csv").open(encoding="utf-8") as handle:
        real_rows = list(csv.DictReader(handle))
    with (TRIAGE_DATA / "compound_written.csv").open(encoding="utf-8") as handle:
        level2 = {row["subject"]: row["level2"] for row in csv.DictReader(handle)}
    level2 |= {row["subject"]: row["level2"] for row in real_rows}
    replies = _real_replies()
    with (TRIAGE_DATA / "messages_hot.csv").open(encoding="utf-8") as handle:
        likes = {
            row["id"]: (int(row["likes"] or 0), int(row["dislikes"] or 0)) for row in csv.DictReader(handle)
        }
    eateries = [(e, row) for e, row, g in zip(real, real_rows, groups, strict=True) if g == HOT_GROUP]
    others = [(e, row) for e, row, g in zip(real, real_rows, groups, strict=True) if g != HOT_GROUP]
    parties = {(u.node_id, u.kind): u for u in OrgUnit.objects.all()}
    commissioner = {b.node_id: b.user_id for b in RoleBinding.objects.filter(role=Role.COMMISSIONER)}
    now = timezone.now()
    appeals: list[Appeal] = []
    histories: list[list[AppealEvent]] = []
    labels, weights = list(WEIGHTS), list(WEIGHTS.values())
    turn = {label: 0 for label in labels}

    def category_for(label: str, subject: str) -> Category | None:
        """The second-level entry the labelled set gives the text, under its first level."""
        entry = entries.get(level2.get(subject, ""))
        return entry if entry is not None else tops.get(label)

    for n, (code, (collected, resolved)) in enumerate(PLAN.items()):
        subdistrict = Node.objects.get(code=code)
        nodes = list(
            Node.objects.filter(
                path__startswith=subdistrict.path,
                kind__in=[NodeKind.COMMUNITY, NodeKind.COMPOUND, NodeKind.BUILDING],
            ).order_by("path")
        )
        compounds = [x for x in nodes if x.kind == NodeKind.COMPOUND]
        communities = {x.name: x for x in nodes if x.kind == NodeKind.COMMUNITY}
        by_path = {x.path: x for x in nodes} | {subdistrict.path: subdistrict}
        buildings: dict[str, list[Node]] = {}
        for x in nodes:
            if x.kind == NodeKind.BUILDING:
                buildings.setdefault(x.path[: -Node.steplen], []).append(x)
        people: dict[str, list[Person]] = {}
        for person in Person.objects.filter(node__path__startswith=subdistrict.path).select_related("node"):
            home = (
                person.node.path[: -Node.steplen]
                if person.node.kind == NodeKind.BUILDING
                else person.node.path
            )
            people.setdefault(home, []).append(person)
        cases: list[Case] = []
        # The named problems of named compounds, told by several residents.
        for seed in SEEDS:
            compound = _seed_compound(seed, compounds, communities)
            if compound is None:
                continue
            category = entries[seed.category]
            label = category.parent.name  # type: ignore[union-attr]
            for k in range(seed.count):
                building = rng.choice(buildings.get(compound.path) or [compound])
                opener = OPENERS[k % len(OPENERS)].format(b=building.name)
                cases.append(
                    Case(
                        title=seed.title if k == 0 else rng.choice([seed.title, f"{seed.title}，请尽快处理"]),
                        body=opener + seed.body,
                        label=label,
                        category=category,
                        compound=compound,
                        building=building if building.kind == NodeKind.BUILDING else None,
                        resolved=seed.outcome == "resolved",
                        age=timedelta(days=rng.uniform(2, seed.days)),
                        tier=seed.tier if seed.outcome == "resolved" else Tier.COMPOUND,
                        reply=seed.reply,
                        support=rng.randint(2, 9),
                        extra={"pinned": True},
                    )
                )
        # Real messages that concern a compound, with the official reply where there is one.
        if code == HOT_SUBDISTRICT:
            home = rng.choice(compounds)
            for example, row in eateries:
                up, down = likes.get(row["id"], (0, 0))
                cases.append(
                    Case(
                        _local(example.subject),
                        _local(example.detail),
                        example.label,
                        category_for(example.label, example.subject),
                        home,
                        resolved=False,
                        age=timedelta(days=rng.uniform(1, 27)),
                        support=up,
                        extra={"support_down": down, "pinned": True},
                    )
                )
        for example, row in others[n :: len(PLAN)]:
            cases.append(
                Case(
                    _local(example.subject),
                    _local(example.detail),
                    example.label,
                    category_for(example.label, example.subject),
                    rng.choice(compounds),
                    resolved=True,
                    age=timedelta(days=rng.uniform(20, 360)),
                    reply=replies.get(row["id"], "").strip(),
                )
            )
        # The rest: everyday problems, by how often each kind comes up.
        while len(cases) < collected:
            label = rng.choices(labels, weights=weights)[0]
            example = written[label][turn[label] % len(written[label])]
            turn[label] += 1
            compound = rng.choice(compounds)
            building = rng.choice(buildings.get(compound.path) or [compound])
            opener = rng.choice(OPENERS).format(b=building.name)
            cases.append(
                Case(
                    example.subject,
                    opener + example.detail,
                    label,
                    category_for(label, example.subject),
                    compound,
                    building=building if building.kind == NodeKind.BUILDING else None,
                    resolved=True,
                    age=timedelta(days=rng.uniform(1, 360)),
                )
            )
        cases = cases[:collected]
        # Exactly ``resolved`` of them resolved: the named problems and the eateries as told, then the
        # oldest of the rest; the others are open and recent, as in a subdistrict that keeps up.
        free = [c for c in cases if not c.extra.get("pinned")]
        need = resolved - sum(1 for c in cases if c.extra.get("pinned") and c.resolved)
        # The open ones are mostly of the last month or two, a few older (a backlog, some late).
        still_open = len(free) - need
        # A big backlog (上塘: a fifth still open) reaches further back than a small one.
        reach = 30 if still_open < 0.15 * len(free) else 90
        for case in free:
            case.extra["open_key"] = rng.random() ** (1 / math.exp(-case.age.days / reach))
        ranked = sorted(free, key=lambda c: -c.extra["open_key"])
        for i, case in enumerate(ranked):
            case.resolved = i >= still_open
            if case.resolved:
                case.tier = rng.choice(TIERS)
        for case in cases:
            appeal, events = _appeal(rng, case, now, by_path, people, parties, commissioner, classifier, tops)
            appeals.append(appeal)
            histories.append(events)
    Appeal.objects.bulk_create(appeals, batch_size=1000)
    events = []
    for appeal, history in zip(appeals, histories, strict=True):
        for event in history:
            event.appeal = appeal
            events.append(event)
    AppealEvent.objects.bulk_create(events, batch_size=2000)
    # What the intake task does for each new appeal: note the likely duplicate of open ones.
    from gongzhi.appeals.triage import appeal_duplicates_flag

    for appeal in appeals:
        if appeal.status in OPEN_STATES:
            appeal_duplicates_flag(appeal_id=appeal.pk)
    return len(appeals) + _huiyuan_open_appeals()


def _appeal(
    rng: random.Random,
    case: Case,
    now: datetime,
    by_path: dict[str, Node],
    people: dict[str, list[Person]],
    parties: dict[tuple[int, str], OrgUnit],
    commissioner: dict[int, int],
    classifier: Any,
    tops: dict[str, Category],
) -> tuple[Appeal, list[AppealEvent]]:
    compound = case.compound
    node = case.building or compound
    created = now - case.age - timedelta(minutes=rng.randint(0, 600))
    handling: dict[str, Node | None] = {
        Tier.COMPOUND: compound,
        Tier.COMMUNITY: by_path[compound.path[: -Node.steplen]],
        Tier.SUBDISTRICT: by_path.get(compound.path[: -2 * Node.steplen]),
    }
    suggestion = classifier.suggest(case.title, case.body)
    shown = suggestion is not None and suggestion.confidence >= min_confidence()
    point = node if node.lat is not None else compound
    appeal = Appeal(
        node=node,
        handling_node=compound,
        tier=Tier.COMPOUND,
        title=case.title[:120],
        body=case.body[:5000],
        channel=rng.choice([Channel.WEB] * 6 + [Channel.PHONE, Channel.WALK_IN, Channel.DOOR_TO_DOOR]),
        category=case.category,
        category_confirmed=case.resolved and case.category is not None,
        suggested_category=tops.get(suggestion.label) if shown and suggestion else None,
        suggestion_confidence=suggestion.confidence if shown and suggestion else None,
        support_up=case.support if case.support else rng.choice([0, 0, 0, 0, 1, 1, 2, 3]),
        support_down=case.extra.get("support_down", 0),
        hidden_from_neighbours=rng.random() < 0.1,
        resident=rng.choice(people.get(compound.path) or [None]),
        lat=round(point.lat + rng.uniform(-0.0002, 0.0002), 6) if point.lat is not None else None,
        lng=round(point.lng + rng.uniform(-0.0002, 0.0002), 6) if point.lng is not None else None,
        created_at=created,
        accept_due=add_working_days(created, 1, {}),
    )
    # About two in three of those shown to neighbours also consented to open data (no draw: the demo's
    # figures come from a fixed sequence of random numbers).
    appeal.open_data = not appeal.hidden_from_neighbours and len(case.title) % 3 != 0
    events = [AppealEvent(action="submit", to_status=Status.SUBMITTED, to_tier=Tier.COMPOUND, at=created)]
    handler = commissioner.get(compound.pk)

    def event(action: str, at: datetime, frm: str, to: str, tier: str, **extra: Any) -> None:
        events.append(
            AppealEvent(
                action=action, from_status=frm, to_status=to, from_tier=tier, to_tier=tier, at=at, **extra
            )
        )

    accepted = created + timedelta(hours=rng.uniform(1, 30))
    tier = case.tier if case.resolved else Tier.COMPOUND
    if not case.resolved:
        appeal.status = rng.choice(OPEN_STATES) if case.age < timedelta(days=4) else Status.ASSIGNED
        if appeal.status == Status.SUBMITTED:
            return appeal, events
        appeal.accepted_at = appeal.first_accepted_at = accepted
        appeal.resolve_due = add_working_days(accepted, 5, {})
        event("accept", accepted, Status.SUBMITTED, Status.ACCEPTED, Tier.COMPOUND, actor_id=handler)
        if appeal.status in (Status.ASSIGNED, Status.PROPOSED):
            unit = parties.get((compound.pk, OrgUnitKind.PROPERTY_MANAGER))
            if unit is None:
                appeal.status = Status.ACCEPTED
                return appeal, events
            appeal.assignee_unit = unit
            event("assign", accepted, Status.ACCEPTED, Status.ASSIGNED, Tier.COMPOUND, actor_id=handler)
            if appeal.status == Status.PROPOSED:
                appeal.proposed_at = min(now, accepted + timedelta(hours=rng.uniform(4, 48)))
                appeal.proposed_reply = rng.choice(REPLIES[case.label])
                event(
                    "propose",
                    appeal.proposed_at,
                    Status.ASSIGNED,
                    Status.PROPOSED,
                    Tier.COMPOUND,
                    note=appeal.proposed_reply,
                )
        return appeal, events
    # Resolved: accepted in the compound, perhaps handed to a party, perhaps passed up.
    appeal.first_accepted_at = accepted
    event("accept", accepted, Status.SUBMITTED, Status.ACCEPTED, Tier.COMPOUND, actor_id=handler)
    if tier != Tier.COMPOUND and handling[tier] is not None:
        for step in [Tier.COMMUNITY] if tier == Tier.COMMUNITY else [Tier.COMMUNITY, Tier.SUBDISTRICT]:
            moved = accepted + timedelta(hours=rng.uniform(12, 60))
            events.append(
                AppealEvent(
                    action="escalate",
                    from_status=Status.ACCEPTED,
                    to_status=Status.SUBMITTED,
                    from_tier=appeal.tier,
                    to_tier=step,
                    at=moved,
                    note="需要上一级协调",
                )
            )
            appeal.tier, appeal.handling_node = step, handling[step] or compound
            accepted = moved + timedelta(hours=rng.uniform(1, 20))
            event("accept", accepted, Status.SUBMITTED, Status.ACCEPTED, step)
    appeal.accepted_at = accepted
    appeal.resolve_due = add_working_days(accepted, 5, {})
    late = rng.random() < 0.12
    resolved_at = accepted + timedelta(hours=rng.uniform(130, 300) if late else rng.uniform(4, 96))
    resolved_at = min(resolved_at, now - timedelta(hours=1))
    reply = case.reply or rng.choice(REPLIES[case.label])
    if appeal.tier == Tier.COMPOUND and rng.random() < 0.4:
        kind = OrgUnitKind.OWNERS_COMMITTEE if rng.random() < 0.15 else OrgUnitKind.PROPERTY_MANAGER
        unit = parties.get((compound.pk, kind)) or parties.get((compound.pk, OrgUnitKind.PROPERTY_MANAGER))
        if unit is not None:
            appeal.assignee_unit = unit
            event("assign", accepted, Status.ACCEPTED, Status.ASSIGNED, appeal.tier, actor_id=handler)
            appeal.proposed_reply = reply
            appeal.proposed_at = accepted + (resolved_at - accepted) * 0.7
            event("propose", appeal.proposed_at, Status.ASSIGNED, Status.PROPOSED, appeal.tier, note=reply)
    appeal.resolved_at, appeal.resolved_tier, appeal.reply = resolved_at, appeal.tier, reply
    staff = handler if appeal.tier == Tier.COMPOUND else None
    if rng.random() < 0.5:
        event(
            "follow_up",
            resolved_at - timedelta(minutes=30),
            Status.ACCEPTED,
            Status.ACCEPTED,
            appeal.tier,
            actor_id=staff,
            public=False,
            note="电话回访，居民认可处理结果。",
            detail={"reached": True},
        )
    event("resolve", resolved_at, Status.ACCEPTED, Status.RESOLVED, appeal.tier, note=reply, actor_id=staff)
    roll = rng.random()
    if now - resolved_at < timedelta(days=7) and roll < 0.5:
        appeal.status = Status.RESOLVED
    elif roll < 0.08:
        appeal.status, appeal.rating = Status.CLOSED, Rating.NOT_RATED
        appeal.closed_at = resolved_at + timedelta(days=7)
        event("close", appeal.closed_at, Status.RESOLVED, Status.CLOSED, appeal.tier)
    else:
        appeal.status = Status.CLOSED
        appeal.rating = rng.choices(
            [Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED], weights=[76, 18, 6]
        )[0]
        appeal.rated_at = appeal.closed_at = min(now, resolved_at + timedelta(hours=rng.uniform(1, 100)))
        event(
            "rate",
            appeal.rated_at,
            Status.RESOLVED,
            Status.CLOSED,
            appeal.tier,
            detail={"rating": appeal.rating},
        )
    return appeal, events


def _huiyuan_open_appeals() -> int:
    """慧园's appeals of this week, filed and moved through the real services, so that each demo account
    has something to do: the commissioner an appeal to accept and one the property manager reports done,
    the property manager one to work on, the resident one to answer, the neighbour one to support."""
    from gongzhi.accounts.models import User
    from gongzhi.appeals.services import appeal_submit, appeal_support, appeal_transition

    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["huiyuan-resident", "huiyuan-neighbour", "huiyuan-commissioner", "huiyuan-property"]
        )
    }
    resident, commissioner = users["huiyuan-resident"], users["huiyuan-commissioner"]
    compound = Node.objects.get(name="慧园小区", kind=NodeKind.COMPOUND)
    building = Node.objects.filter(path__startswith=compound.path, kind=NodeKind.BUILDING).order_by("path")[2]
    property_manager = OrgUnit.objects.get(node=compound, kind=OrgUnitKind.PROPERTY_MANAGER)
    told = [
        ("3幢楼道灯不亮", "3幢2单元楼道灯坏了一个多星期，晚上上下楼黑漆漆的，老人摔过一跤。"),
        ("电动车在楼道里充电", "有人把电动车推进1单元楼道，从家里拉电线充电，很危险。"),
        ("楼下烧烤店油烟大", "沿街烧烤店油烟直接往楼上飘，晚上不敢开窗。"),
        ("垃圾投放点清运不及时", "3号投放点的垃圾桶满出来了，两天没有清运。"),
    ]
    filed = []
    for title, body in told:
        appeal, _created = appeal_submit(actor=resident, node=building, title=title, body=body)
        filed.append(appeal)
    lamp, charging, smoke, _bins = filed
    lamp = appeal_transition(actor=commissioner, appeal=lamp, action="accept")
    lamp = appeal_transition(actor=commissioner, appeal=lamp, action="assign", assignee_unit=property_manager)
    charging = appeal_transition(actor=commissioner, appeal=charging, action="accept")
    charging = appeal_transition(
        actor=commissioner, appeal=charging, action="assign", assignee_unit=property_manager
    )
    appeal_transition(
        actor=users["huiyuan-property"],
        appeal=charging,
        action="propose",
        reply="已清理楼道电动车和飞线，在小区东侧新装10个充电桩，并张贴安全告示。",
    )
    appeal_transition(
        actor=commissioner, appeal=smoke, action="request_info", note="请告知是哪一家店、大概几点。"
    )
    appeal_support(actor=users["huiyuan-neighbour"], appeal=lamp)
    return len(filed)
