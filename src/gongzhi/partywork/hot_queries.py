"""The party-work requests members and staff make most, whose plans must not grow with years of member points
and training attendance (gongzhi.core.plans). A new list, queue or count of party work adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.accounts.models import Person, User
from gongzhi.core.plans import HotRequest
from gongzhi.orgs.models import PartyMembership, PartyOrg, PartyOrgKind
from gongzhi.partywork.models import (
    Attendance,
    Course,
    MemberPointsEntry,
    MemberPointsRule,
    PointsKind,
    SessionMode,
    TrainingSession,
)

LARGE_TABLES = ("partywork_memberpointsentry", "partywork_attendance")

_OWN_HOURS = "one member's own attendance of a year, summed"

HOT_REQUESTS = [
    # A member's own points: the year's entries found, counted, summed and paged through the member's index,
    # in its order (no sort), whatever the years kept.
    HotRequest(
        "my points",
        "resident",
        "/api/v1/party/member-points/mine",
        kind="detail",
        through=("partywork_memberpointsentry.pw_points_mine",),
    ),
    HotRequest(
        "my points, a later page",
        "resident",
        "/api/v1/party/member-points/mine?limit=5&offset=10",
        kind="middle page",
        through=("partywork_memberpointsentry.pw_points_mine",),
    ),
    HotRequest(
        "my study hours", "resident", "/api/v1/party/study-hours/mine", sorted_ok=_OWN_HOURS, kind="detail"
    ),
    HotRequest(
        "points to approve",
        "community_staff",
        "/api/v1/party/member-points?status=proposed",
        sorted_ok="the entries awaiting approval in reach: the work still to do (approved ones leave it)",
        through=("partywork_memberpointsentry.pw_points_proposed",),
    ),
    HotRequest(
        "member points",
        "community_staff",
        "/api/v1/party/member-points",
    ),
    HotRequest(
        "member points",
        "subdistrict_admin",
        "/api/v1/party/member-points",
    ),
    HotRequest(
        "member points, a middle page",
        "community_staff",
        "/api/v1/party/member-points?limit=25&offset=200",
        kind="middle page",
    ),
    HotRequest(
        "study ledger",
        "community_staff",
        "/api/v1/party/study-hours",
        sorted_ok="the year's minutes of the members in reach, grouped per member (the ledger is that sum)",
    ),
    HotRequest(
        "branch terms",
        "subdistrict_admin",
        "/api/v1/party/terms?limit=25",
        sorted_ok="one current term per branch in reach (a few hundred), by the day it ends",
    ),
    HotRequest(
        "strong branches",
        "resident",
        "/api/v1/party/strong-branches?limit=25",
        sorted_ok="the few branches cultivated around the user, their targets and entries counted",
    ),
]


def seed(
    world: Any, *, members: int = 400, months: int = 24, sessions: int = 20, attendees: int = 1000
) -> dict[str, Any]:
    """Two years of monthly member points for ``members`` members of branches in ``world.compounds`` (the
    resident's own among them), and ``sessions`` training sessions each attended by ``attendees`` members."""
    rng = random.Random(18)
    branches = {world.branch_a1a.node_id: world.branch_a1a, world.branch_a2a.node_id: world.branch_a2a}
    PartyOrg.objects.bulk_create(
        PartyOrg(node=c, name=f"{c.name}党支部", kind=PartyOrgKind.BRANCH)
        for c in world.compounds
        if c.pk not in branches
    )
    for org in PartyOrg.objects.filter(node__in=world.compounds, kind=PartyOrgKind.BRANCH):
        branches.setdefault(org.node_id, org)
    people = Person.objects.bulk_create(
        Person(node=world.compounds[n % len(world.compounds)], name=f"党员{n}", gender="M", birth_year=1970)
        for n in range(members)
    )
    memberships = PartyMembership.objects.bulk_create(
        PartyMembership(party_org=branches[p.node_id], person=p) for p in people
    )
    own = PartyMembership.objects.get(party_org=world.branch_a1a, person=world.p_a1a)
    rules = {
        sub.pk: [
            MemberPointsRule.objects.create(
                node=sub, code="base", name="月度基础分", kind=PointsKind.BASE, points=60
            ),
            MemberPointsRule.objects.create(
                node=sub, code="study", name="集中学习", kind=PointsKind.ITEM, points=5
            ),
        ]
        for sub in {world.subdistrict_of[c.pk] for c in world.compounds}
    }
    today = timezone.localdate().replace(day=1)
    rows = []
    for m in [*memberships, own]:
        compound = m.party_org.node
        for k in range(months):
            month = (today - timedelta(days=31 * k)).replace(day=1)
            for rule in rules[world.subdistrict_of[compound.pk].pk]:
                recent = k == 0 and rng.random() < 0.3
                rows.append(
                    MemberPointsEntry(
                        membership=m,
                        member=world.resident if m is own else None,
                        node=compound,
                        month=month,
                        rule=rule,
                        points=rule.points,
                        status="proposed" if recent else "approved",
                        proposed_by=world.a1_staff,
                        decided_by=None if recent else world.sub_admin,
                    )
                )
    MemberPointsEntry.objects.bulk_create(rows, batch_size=2000)
    users = User.objects.bulk_create(User(username=f"pw-plan-{n}", password="!") for n in range(attendees))  # noqa: S106
    course = Course.objects.create(node=world.sub_a, name="讲习所", created_by=world.sub_admin)
    start = timezone.now() - timedelta(days=300)
    made = TrainingSession.objects.bulk_create(
        TrainingSession(
            course=course,
            node=world.sub_a,
            title=f"第{n}讲",
            mode=SessionMode.LIVE,
            stream_url="https://live.example.org/s.m3u8",
            starts_at=start + timedelta(days=14 * n),
            minutes=90,
        )
        for n in range(sessions)
    )
    attendance = [
        Attendance(session=s, user=u, node=world.sub_a, year=s.starts_at.year, minutes=rng.randint(30, 90))
        for s in made
        for u in [*users, world.resident][: attendees if s.pk % 2 else attendees + 1]
    ]
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    return {"party_month": timezone.localdate().replace(day=1).isoformat()}
