"""Demo appeals: real citizen messages and official replies (triage/data/messages_with_replies.csv, the public
2020 TipDM Cup data, names already pseudonymised), filed across the demo compounds over the past year.

上塘街道 reproduces its report: 300+ appeals collected (312), 245 resolved. Thirty of 上塘's appeals are
the public-board messages with residents' votes (triage/data/messages_hot.csv), filed in the last four
weeks where they happened: ten about one compound's ground-floor eateries, five about one college, so the
hot-issues page has real runs of complaints to find.

The triage model is trained first; each appeal's first-level category is the model's suggestion and its
second and third levels are drawn under it (the messages carry no category of their own).
"""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

import csv
import random
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from gongzhi.accounts.models import Person, RoleBinding
from gongzhi.appeals.categories import categories_load_default
from gongzhi.appeals.models import Appeal, AppealEvent, Category, Channel, Rating, Status, Tier
from gongzhi.appeals.triage import triage_model_train
from gongzhi.core.registry import DemoContext
from gongzhi.core.roles import Role
from gongzhi.core.workdays import add_working_days
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.triage.services import active_classifier
from gongzhi.triage.training import DATA as TRIAGE_DATA

MESSAGES = TRIAGE_DATA / "messages_with_replies.csv"
HOT = TRIAGE_DATA / "messages_hot.csv"
HOT_GROUPS = TRIAGE_DATA / "duplicates_hot_groups.csv"
HOT_SUBDISTRICT = "330105011"
# (collected, resolved) per subdistrict code; 上塘's figures are its report's.
PLAN = {
    "330105011": (312, 245),
    "330105010": (180, 150),
    "330105012": (90, 70),
    "330109001": (80, 60),
    "340111005": (60, 45),
}
TIERS = [Tier.COMPOUND] * 70 + [Tier.COMMUNITY] * 22 + [Tier.SUBDISTRICT] * 8
OPEN_STATES = [Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.INFO_REQUESTED]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["subject"].strip() and row["detail"].strip()]


def load(ctx: DemoContext) -> dict[str, int]:
    ctx.progress("appeals")
    return {"appeals": load_demo_appeals(ctx.rng)}


def load_demo_appeals(rng: random.Random) -> int:
    categories_load_default()
    triage_model_train(use_confirmed=False)
    classifier = active_classifier()
    assert classifier is not None
    leaves = list(Category.objects.filter(level=3, subdistrict__isnull=True).select_related("parent__parent"))
    by_top: dict[str, list[Category]] = {}
    for leaf in leaves:
        by_top.setdefault(leaf.parent.parent.name, []).append(leaf)  # type: ignore[union-attr]
    tops = {c.name: c for c in Category.objects.filter(level=1, subdistrict__isnull=True)}
    messages = _read(MESSAGES)
    hot = _read(HOT)
    with HOT_GROUPS.open(encoding="utf-8") as handle:
        groups = {row["id"]: row["group"] for row in csv.DictReader(handle)}
    suggestions = {
        id(m): s
        for m, s in zip(
            messages + hot,
            classifier.suggest_many([(m["subject"], m["detail"]) for m in messages + hot]),
            strict=True,
        )
    }
    commissioner = {b.node_id: b.user_id for b in RoleBinding.objects.filter(role=Role.COMMISSIONER)}
    now = timezone.now()
    no_overrides: dict = {}
    appeals: list[Appeal] = []
    plans: list[tuple[int | None, str]] = []
    for code, (collected, resolved) in PLAN.items():
        subdistrict = Node.objects.get(code=code)
        compounds = list(Node.objects.filter(path__startswith=subdistrict.path, kind=NodeKind.COMPOUND))
        ancestors = {
            n.path: n
            for n in Node.objects.filter(
                path__startswith=subdistrict.path, kind__in=[NodeKind.COMMUNITY, NodeKind.SUBDISTRICT]
            )
        }
        people: dict[str, list[Person]] = {}
        for person in Person.objects.filter(node__path__startswith=subdistrict.path).select_related("node"):
            people.setdefault(
                person.node.path[: len(person.node.path) - Node.steplen]
                if person.node.kind == NodeKind.BUILDING
                else person.node.path,
                [],
            ).append(person)
        group_home = {g: rng.choice(compounds) for g in sorted(set(groups.values()))}
        # 上塘: thirty appeals around the resolved/open boundary are the public-board messages.
        board = (
            dict(zip(range(resolved - 20, resolved + 10), hot, strict=False))
            if code == HOT_SUBDISTRICT
            else {}
        )
        for i in range(collected):
            compound = rng.choice(compounds)
            message = board.get(i) or messages[(i * 7 + len(appeals)) % len(messages)]
            if i in board and message["id"] in groups:
                compound = group_home[groups[message["id"]]]
            # Resolved appeals spread over the year; open ones are recent, as in a sub-district that keeps up.
            age = timedelta(days=rng.uniform(1, 360)) if i < resolved else timedelta(hours=rng.uniform(2, 72))
            if i in board and i < resolved:
                age = timedelta(days=rng.uniform(3, 28))
            created = now - age - timedelta(minutes=rng.randint(0, 600))
            tier = rng.choice(TIERS) if i < resolved else rng.choice([Tier.COMPOUND] * 4 + [Tier.COMMUNITY])
            handling_path = {
                Tier.COMPOUND: compound.path,
                Tier.COMMUNITY: compound.path[: -Node.steplen],
                Tier.SUBDISTRICT: subdistrict.path,
            }[tier]
            handling = compound if tier == Tier.COMPOUND else ancestors[handling_path]
            resident = rng.choice(people.get(compound.path) or [None])
            suggestion = suggestions[id(message)]
            appeal = Appeal(
                node=compound,
                handling_node=handling,
                tier=tier,
                title=message["subject"].strip()[:120],
                body=message["detail"].strip()[:5000],
                channel=rng.choice(
                    [Channel.WEB] * 6 + [Channel.PHONE, Channel.WALK_IN, Channel.DOOR_TO_DOOR]
                ),
                category=rng.choice(by_top.get(suggestion.label, leaves)) if suggestion else None,
                suggested_category=tops.get(suggestion.label) if suggestion else None,
                suggestion_confidence=suggestion.confidence if suggestion else None,
                support_up=int(message.get("likes") or 0),
                support_down=int(message.get("dislikes") or 0),
                resident=resident,
                created_at=created,
                accept_due=add_working_days(created, 1, no_overrides),
            )
            accepted = created + timedelta(hours=rng.uniform(1, 30))
            if i < resolved:
                resolved_at = accepted + timedelta(hours=rng.uniform(4, 240))
                appeal.accepted_at = appeal.first_accepted_at = accepted
                appeal.resolve_due = add_working_days(accepted, 5, no_overrides)
                appeal.resolved_at, appeal.resolved_tier = resolved_at, tier
                appeal.reply = (message.get("reply") or "已处理。").strip()[:5000]
                roll = rng.random()
                if now - resolved_at < timedelta(days=7) and roll < 0.5:
                    appeal.status = Status.RESOLVED
                elif roll < 0.08:
                    appeal.status, appeal.rating, appeal.closed_at = (
                        Status.CLOSED,
                        Rating.NOT_RATED,
                        resolved_at + timedelta(days=7),
                    )
                else:
                    appeal.status = Status.CLOSED
                    appeal.rating = rng.choices(
                        [Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED],
                        weights=[76, 18, 6],
                    )[0]
                    appeal.rated_at = appeal.closed_at = resolved_at + timedelta(hours=rng.uniform(1, 100))
            else:
                appeal.status = rng.choice(OPEN_STATES)
                if appeal.status != Status.SUBMITTED:
                    appeal.accepted_at = appeal.first_accepted_at = accepted
                    appeal.resolve_due = add_working_days(accepted, 5, no_overrides)
            appeals.append(appeal)
            plans.append((commissioner.get(compound.pk), tier))
    Appeal.objects.bulk_create(appeals, batch_size=1000)
    events = []
    for appeal, (handler, handled_at) in zip(appeals, plans, strict=True):
        events.append(
            AppealEvent(
                appeal=appeal,
                action="submit",
                to_status=Status.SUBMITTED,
                to_tier=Tier.COMPOUND,
                at=appeal.created_at,
            )
        )
        if appeal.first_accepted_at:
            events.append(
                AppealEvent(
                    appeal=appeal,
                    action="accept",
                    from_status=Status.SUBMITTED,
                    to_status=Status.ACCEPTED,
                    from_tier=handled_at,
                    to_tier=handled_at,
                    at=appeal.first_accepted_at,
                    actor_id=handler if handled_at == Tier.COMPOUND else None,
                )
            )
        if appeal.resolved_at:
            events.append(
                AppealEvent(
                    appeal=appeal,
                    action="resolve",
                    from_status=Status.ACCEPTED,
                    to_status=Status.RESOLVED,
                    from_tier=handled_at,
                    to_tier=handled_at,
                    note=appeal.reply,
                    at=appeal.resolved_at,
                )
            )
        if appeal.rated_at:
            events.append(
                AppealEvent(
                    appeal=appeal,
                    action="rate",
                    from_status=Status.RESOLVED,
                    to_status=Status.CLOSED,
                    from_tier=handled_at,
                    to_tier=handled_at,
                    at=appeal.rated_at,
                    detail={"rating": appeal.rating},
                )
            )
    AppealEvent.objects.bulk_create(events, batch_size=2000)
    # What the intake task does for each new appeal: note the likely duplicate of open ones.
    from gongzhi.appeals.triage import appeal_duplicates_flag

    for appeal in appeals:
        if appeal.status in OPEN_STATES:
            appeal_duplicates_flag(appeal_id=appeal.pk)
    return len(appeals) + _huiyuan_open_appeals(messages)


def _huiyuan_open_appeals(messages: list[dict[str, str]]) -> int:
    """A few fresh appeals from the demo resident, filed through the real service, for the demo commissioner."""
    from gongzhi.accounts.models import User
    from gongzhi.appeals.services import appeal_submit, appeal_transition

    resident = User.objects.get(username="huiyuan-resident")
    commissioner = User.objects.get(username="huiyuan-commissioner")
    home = Person.objects.get(user=resident).node
    filed = []
    for message in messages[3:8]:
        appeal, _created = appeal_submit(
            actor=resident,
            node=home,
            title=message["subject"].strip()[:120],
            body=message["detail"].strip()[:5000],
        )
        filed.append(appeal)
    appeal_transition(actor=commissioner, appeal=filed[0], action="accept")
    appeal_transition(actor=commissioner, appeal=filed[1], action="request_info", note="请补充现场照片。")
    return len(filed)
