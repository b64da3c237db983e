"""The tiered workflow: role × state × node for every action, idempotency, compare-and-set, SLA sweep."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import Appeal, AppealEvent, Rating, SlaPolicy, SlaUnit, Status, Tier
from gongzhi.appeals.services import appeal_submit, appeal_transition, appeals_sla_sweep
from gongzhi.appeals.workflow import TRANSITIONS
from gongzhi.core.roles import Role
from gongzhi.core.workdays import SHANGHAI
from gongzhi.notifications.models import Notification
from gongzhi.orgs.models import OrgUnit
from tests.accounts.factories import UserFactory, bind

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def move(appeal, actor, action, **payload):
    return appeal_transition(actor=actor, appeal=appeal, action=action, **payload)


def test_a_new_appeal_starts_at_the_residents_compound(world, file_appeal):
    appeal = file_appeal()
    assert (appeal.status, appeal.tier, appeal.handling_node) == (
        Status.SUBMITTED,
        Tier.COMPOUND,
        world.cmp_a1a,
    )
    assert appeal.resident == world.p_a1a
    assert appeal.accept_due is not None
    assert list(appeal.events.values_list("action", flat=True)) == ["submit"]


def test_double_tap_is_one_appeal(world):
    first, created = appeal_submit(
        actor=world.resident, node=world.bld_a1a, title="t", body="b", client_key="k1"
    )
    again, created_again = appeal_submit(
        actor=world.resident, node=world.bld_a1a, title="t", body="b", client_key="k1"
    )
    assert created and not created_again and first.pk == again.pk
    assert Appeal.objects.count() == 1
    # Another person's identical key is their own appeal.
    other, created_other = appeal_submit(
        actor=world.commissioner, node=world.bld_a1a, title="t", body="b", client_key="k1", channel="phone"
    )
    assert created_other and other.pk != first.pk


@pytest.mark.parametrize(
    ("actor", "node", "error"),
    [
        ("resident", "cmp_a2a", PermissionDenied),  # another compound
        ("viewer", "cmp_a1a", PermissionDenied),  # read-only role
        ("nobody", "cmp_a1a", PermissionDenied),
        ("resident", "comm_a1", ValidationError),  # not a compound or building
    ],
)
def test_intake_refuses_wrong_place_or_role(world, actor, node, error):
    with pytest.raises(error):
        appeal_submit(actor=getattr(world, actor), node=getattr(world, node), title="t", body="b")
    assert not Appeal.objects.exists()


def test_intake_validates_input(world):
    for kwargs in (
        {"title": " ", "body": "b"},
        {"title": "t", "body": ""},
        {"title": "t", "body": "b", "lat": 30.0},
        {"title": "t", "body": "b", "lat": 95.0, "lng": 120.0},
        {"title": "t", "body": "b", "channel": "fax"},
        {"title": "t", "body": "b", "channel": "walk_in"},
    ):  # residents do not record walk-ins
        with pytest.raises(ValidationError):
            appeal_submit(actor=world.resident, node=world.cmp_a1a, **kwargs)
    assert not Appeal.objects.exists()


def test_staff_file_on_behalf_of_a_resident(world):
    appeal, _ = appeal_submit(
        actor=world.commissioner,
        node=world.cmp_a1a,
        title="t",
        body="b",
        channel="door_to_door",
        resident=world.p_a1a,
    )
    assert (appeal.channel, appeal.resident, appeal.submitted_by) == (
        "door_to_door",
        world.p_a1a,
        world.commissioner,
    )
    with pytest.raises(PermissionDenied):  # a resident cannot file in someone else's name
        appeal_submit(actor=world.resident, node=world.cmp_a1a, title="t", body="b", resident=world.p_a1b)


def test_the_whole_way_up_and_back(world, file_appeal):
    """小事不出小区、大事不出社区、难事不出街道: compound → community → subdistrict, resolved, rated."""
    appeal = file_appeal()
    appeal = move(appeal, world.commissioner, "accept")
    assert appeal.status == Status.ACCEPTED and appeal.resolve_due
    appeal = move(appeal, world.commissioner, "escalate", note="需要社区协调物业")
    assert (appeal.tier, appeal.handling_node, appeal.status) == (
        Tier.COMMUNITY,
        world.comm_a1,
        Status.SUBMITTED,
    )
    with pytest.raises(PermissionDenied):  # the compound's commissioner no longer handles it
        move(appeal, world.commissioner, "accept")
    appeal = move(appeal, world.a1_staff, "accept")
    appeal = move(appeal, world.a1_staff, "escalate", note="涉及多个社区")
    assert (appeal.tier, appeal.handling_node) == (Tier.SUBDISTRICT, world.sub_a)
    with pytest.raises(PermissionDenied):
        move(appeal, world.a1_staff, "accept")
    appeal = move(appeal, world.sub_admin, "accept")
    with pytest.raises(AppealError) as top:
        move(appeal, world.sub_admin, "escalate", note="x")
    assert top.value.code == "top_tier"
    appeal = move(appeal, world.sub_admin, "resolve", reply="已协调清理")
    assert (appeal.status, appeal.resolved_tier) == (Status.RESOLVED, Tier.SUBDISTRICT)
    appeal = move(appeal, world.resident, "rate", rating=Rating.SATISFIED, comment="谢谢")
    assert (appeal.status, appeal.rating) == (Status.CLOSED, Rating.SATISFIED)
    actions = list(appeal.events.values_list("action", "from_tier", "to_tier"))
    assert actions[2] == ("escalate", "compound", "community") and actions[4] == (
        "escalate",
        "community",
        "subdistrict",
    )


def test_dissatisfied_reopens_once(world, file_appeal):
    appeal = move(
        move(file_appeal(), world.commissioner, "accept"), world.commissioner, "resolve", reply="已处理"
    )
    appeal = move(appeal, world.resident, "rate", rating=Rating.DISSATISFIED, comment="没解决")
    assert (appeal.status, appeal.reopened_count, appeal.rating) == (Status.ACCEPTED, 1, "")
    appeal = move(appeal, world.commissioner, "resolve", reply="再次处理")
    appeal = move(appeal, world.resident, "rate", rating=Rating.DISSATISFIED)
    assert (appeal.status, appeal.rating) == (Status.CLOSED, Rating.DISSATISFIED)


def test_no_rating_in_time_is_recorded_as_such(world, file_appeal):
    appeal = move(
        move(file_appeal(), world.commissioner, "accept"), world.commissioner, "resolve", reply="已处理"
    )
    with pytest.raises(AppealError):  # the resident still has time
        move(appeal, world.commissioner, "close")
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        with pytest.raises(AppealError):
            move(appeal, world.resident, "rate", rating=Rating.SATISFIED)
        appeal = move(appeal, None, "close")
    assert (appeal.status, appeal.rating) == (Status.CLOSED, Rating.NOT_RATED)


def test_only_the_resident_rates_and_provides_information(world, file_appeal):
    appeal = move(file_appeal(), world.commissioner, "request_info", note="请提供照片")
    for outsider in (world.commissioner, world.a1_staff, world.sub_admin):
        with pytest.raises(PermissionDenied):
            move(appeal, outsider, "provide_info", note="x")
    appeal = move(appeal, world.resident, "provide_info", note="已上传")
    assert appeal.status == Status.SUBMITTED  # not yet accepted: back to waiting for acceptance
    appeal = move(move(appeal, world.commissioner, "accept"), world.commissioner, "resolve", reply="ok")
    with pytest.raises(PermissionDenied):
        move(appeal, world.commissioner, "rate", rating=Rating.SATISFIED)


ALL_STATES = [s for s in Status]


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_actions_refuse_every_state_they_do_not_start_from(world, file_appeal, action):
    appeal = file_appeal()
    target = file_appeal(title="another")
    for state in ALL_STATES:
        if state in TRANSITIONS[action].sources:
            continue
        merged_into = target if state == Status.MERGED else None  # the database insists on a target
        Appeal.objects.filter(pk=appeal.pk).update(status=state, merged_into=merged_into)
        appeal.refresh_from_db()
        with pytest.raises(AppealError) as err:
            move(appeal, world.sub_admin, action, note="x", reply="x", rating="satisfied", transferred_to="x")
        assert err.value.code == "wrong_state"


@pytest.mark.parametrize("actor", ["a2_staff", "sub_b_admin", "viewer", "resident", "nobody"])
def test_staff_actions_need_casework_reach_over_the_handling_node(world, file_appeal, actor):
    appeal = file_appeal()
    with pytest.raises(PermissionDenied):
        move(appeal, getattr(world, actor), "accept")
    assert Appeal.objects.get(pk=appeal.pk).status == Status.SUBMITTED


def test_stale_copies_lose_the_compare_and_set(world, file_appeal):
    appeal = file_appeal()
    stale = Appeal.objects.get(pk=appeal.pk)
    move(appeal, world.commissioner, "accept")
    with pytest.raises(AppealError) as err:
        move(stale, world.a1_staff, "request_info", note="x")  # stale copy still says "submitted"
    assert err.value.code == "conflict"
    assert AppealEvent.objects.filter(appeal=appeal).count() == 2


def test_assignment_to_the_three_parties(world, file_appeal):
    appeal = move(file_appeal(), world.commissioner, "accept")
    property_manager = OrgUnit.objects.create(node=world.cmp_a1a, kind="property_manager", name="物业")
    elsewhere = OrgUnit.objects.create(node=world.cmp_a2a, kind="property_manager", name="别处物业")
    appeal = move(appeal, world.commissioner, "assign", assignee_unit=property_manager)
    assert (appeal.status, appeal.assignee_unit) == (Status.ASSIGNED, property_manager)
    for bad in (
        {"assignee_unit": elsewhere},
        {"assignee_user": world.a2_staff},
        {},
        {"assignee_unit": property_manager, "assignee_user": world.commissioner},
    ):
        with pytest.raises(ValidationError):
            move(appeal, world.commissioner, "assign", **bad)
    appeal = move(appeal, world.commissioner, "assign", assignee_user=world.a1_staff)
    assert appeal.assignee_user == world.a1_staff and appeal.assignee_unit is None


def test_merge_a_duplicate(world, file_appeal):
    original = file_appeal()
    duplicate = file_appeal(title="楼道杂物又堆了")
    merged = move(duplicate, world.commissioner, "merge", merge_into=original)
    assert (merged.status, merged.merged_into) == (Status.MERGED, original)
    other = file_appeal(actor=world.sub_b_admin, node=world.cmp_b1a, channel="phone")
    for target in (duplicate, other):  # closed target; another subdistrict
        with pytest.raises(ValidationError):
            move(file_appeal(), world.sub_admin, "merge", merge_into=target)


def test_internal_comments_are_hidden_from_the_resident(world, file_appeal):
    from gongzhi.appeals.selectors import appeal_timeline

    appeal = move(file_appeal(), world.commissioner, "comment", note="该户有纠纷史")
    assert appeal.status == Status.SUBMITTED
    staff_view = [e.action for e in appeal_timeline(fetched_by=world.commissioner, appeal=appeal)]
    resident_view = [e.action for e in appeal_timeline(fetched_by=world.resident, appeal=appeal)]
    assert staff_view == ["submit", "comment"] and resident_view == ["submit"]


def test_history_is_append_only(world, file_appeal):
    event = file_appeal().events.get()
    event.note = "rewritten"
    with pytest.raises(ValueError):
        event.save()


def test_sla_sweep_escalates_overdue_appeals_by_the_working_day_clock(world, file_appeal, sla):
    def sweep_at(*when):
        clock.move_to(timezone.datetime(*when, tzinfo=SHANGHAI))
        return appeals_sla_sweep()

    def kinds(user):
        return list(user.notifications.order_by("pk").values_list("kind", flat=True))

    nothing = {"escalated": 0, "skipped": 0, "reminded": 0, "late": 0}
    friday = timezone.datetime(2026, 11, 20, 18, 0, tzinfo=SHANGHAI)
    with time_machine.travel(friday, tick=False) as clock:
        appeal = file_appeal()
        assert appeal.accept_due.astimezone(SHANGHAI).date().isoformat() == "2026-11-23"  # next working day
        # Due within four hours: its commissioner is reminded, once.
        assert sweep_at(2026, 11, 23, 23, 0) == nothing | {"reminded": 1}
        assert appeals_sla_sweep() == nothing
        assert kinds(world.commissioner) == ["appeal.due_soon"]
        # Past it: up to the community, whose staff hear of it; the commissioner hears that it went up.
        assert sweep_at(2026, 11, 24, 0, 30) == nothing | {"escalated": 1}
        appeal.refresh_from_db()
        assert (appeal.tier, appeal.status) == (Tier.COMMUNITY, Status.SUBMITTED)
        event = appeal.events.last()
        assert event.actor is None and event.detail == {"overdue": True} and event.note
        assert appeals_sla_sweep() == nothing  # a fresh clock at the new tier
        assert kinds(world.commissioner) == ["appeal.due_soon", "appeal.overdue"]
        assert kinds(world.a1_staff) == ["appeal.escalated"]
        # The community lets it run out too (due at the end of Wednesday): up to the subdistrict.
        assert sweep_at(2026, 11, 26, 0, 30) == nothing | {"escalated": 1}
        assert kinds(world.a1_staff) == ["appeal.escalated", "appeal.overdue"]
        assert kinds(world.sub_admin) == ["appeal.escalated"]
        # The subdistrict is the last level: past its deadline the appeal stays, and its staff are told once.
        assert sweep_at(2026, 11, 28, 0, 30) == nothing | {"late": 1}
        assert appeals_sla_sweep() == nothing
        appeal.refresh_from_db()
        assert appeal.tier == Tier.SUBDISTRICT
        assert kinds(world.sub_admin) == ["appeal.escalated", "appeal.overdue"]
        assert kinds(world.sub_b_admin) == []


def test_reminders_go_to_every_handler_once_in_a_few_queries(world, file_appeal, sla):
    """The sweep sees due-soon appeals again every ten minutes: each handler is told once, and the number
    of queries does not grow with the number of appeals."""
    second = UserFactory(username="a1a-second-commissioner")
    bind(second, Role.COMMISSIONER, world.cmp_a1a)
    idle = UserFactory(username="a1a-former-commissioner", is_active=False)
    bind(idle, Role.COMMISSIONER, world.cmp_a1a)
    friday = timezone.datetime(2026, 11, 20, 18, 0, tzinfo=SHANGHAI)
    with time_machine.travel(friday, tick=False) as clock:
        here = [file_appeal() for _ in range(3)]
        neighbours = file_appeal(actor=world.a2_staff, node=world.cmp_a2a, channel="phone")  # no commissioner
        clock.move_to(timezone.datetime(2026, 11, 23, 23, 0, tzinfo=SHANGHAI))
        assert appeals_sla_sweep(batch=2)["reminded"] == 6  # over two batches
        told = Notification.objects.filter(kind="appeal.due_soon")
        assert sorted((n.recipient.username, n.link) for n in told) == sorted(
            (user, f"/appeals/{a.pk}/")
            for a in here
            for user in ("a1a-commissioner", "a1a-second-commissioner")
        )
        assert not Notification.objects.filter(link=f"/appeals/{neighbours.pk}/").exists()
        with CaptureQueriesContext(connection) as three:
            assert appeals_sla_sweep() == {"escalated": 0, "skipped": 0, "reminded": 0, "late": 0}
        clock.move_to(friday)
        more = [file_appeal() for _ in range(6)]  # due when the first three are
        clock.move_to(timezone.datetime(2026, 11, 23, 23, 0, tzinfo=SHANGHAI))
        with CaptureQueriesContext(connection) as nine_new:
            assert appeals_sla_sweep()["reminded"] == 2 * len(more)
        with CaptureQueriesContext(connection) as nine:
            assert appeals_sla_sweep()["reminded"] == 0
        assert len(nine.captured_queries) == len(three.captured_queries)
        # The new reminders cost one insert (in its savepoint), not a query per appeal.
        assert len(nine_new.captured_queries) == len(nine.captured_queries) + 3


def test_escalating_a_batch_looks_things_up_once(world, file_appeal, sla):
    """Per overdue appeal the sweep writes its compare-and-set, its event and the new handlers' messages;
    places, policies, handlers and the calendar are read once per batch."""

    def sweep_of(count: int) -> tuple[int, int]:
        with time_machine.travel(
            timezone.datetime(2026, 11, 20, 18, 0, tzinfo=SHANGHAI), tick=False
        ) as clock:
            for _ in range(count):
                file_appeal()
            clock.move_to(timezone.datetime(2026, 11, 24, 0, 30, tzinfo=SHANGHAI))
            with CaptureQueriesContext(connection) as queries:
                escalated = appeals_sla_sweep()["escalated"]
        return escalated, len(queries.captured_queries)

    two, four = sweep_of(2), sweep_of(4)
    assert (two[0], four[0]) == (2, 4)  # the first two are at the community now, not overdue again
    per_appeal = (four[1] - two[1]) // 2
    # its own transaction (a savepoint here), update + event, a message to each of the community's two
    # staff and one to the commissioner who had it and one to the resident (each insert in its savepoint),
    # and the look-up of the neighbours who follow it
    assert per_appeal == 2 + 2 + 2 * 3 + 3 + 3 + 1
    assert two[1] - 2 * per_appeal <= 9  # the batch's look-ups, whatever the batch's size


def test_urgent_categories_get_hour_level_limits(world, file_appeal, categories, sla):
    SlaPolicy.objects.create(
        category=categories["middle"],
        accept_limit=2,
        accept_unit=SlaUnit.HOURS,
        resolve_limit=24,
        resolve_unit=SlaUnit.HOURS,
    )
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        appeal = file_appeal(category=categories["leaf"])  # the leaf inherits its parent's policy
        assert appeal.accept_due == now + timedelta(hours=2)
        plain = file_appeal(category=categories["other"])
        assert plain.accept_due > now + timedelta(hours=20)
