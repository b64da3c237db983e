"""The workflow engine on its own terms, with a toy machine over the wish model: the order of the checks,
required fields, phase-aware predicates, the compare-and-set, hooks inside one transaction, the history."""

import pytest
import rules

from gongzhi.core.errors import ServiceError
from gongzhi.core.workflow import Required, Step, Transition, Workflow
from gongzhi.wishes.models import Wish, WishEvent, WishStatus
from gongzhi.wishes.services import wish_post

pytestmark = pytest.mark.django_db
S = WishStatus


class ToyError(ServiceError):
    pass


@rules.predicate
def is_staff_user(user, wish):
    return user is not None and user.username == "a1-staff"


# Phase-aware: open only while the wish says so (as a council meeting is open for votes).
@rules.predicate
def while_open(user, wish):
    return wish.body == "open"


class Toy(Workflow):
    model, event_model, event_fk, error = Wish, WishEvent, "wish", ToyError
    transitions = [
        Transition("publish", {S.PENDING}, S.PUBLISHED, allowed=is_staff_user),
        Transition(
            "reject",
            {S.PENDING},
            S.REJECTED,
            allowed=is_staff_user,
            fields=[Required("note", "Say why.", "note_required")],
        ),
        Transition("vote", {S.PUBLISHED}, None, allowed=while_open),
        Transition("explode", {S.PENDING}, S.WITHDRAWN, allowed=is_staff_user),
    ]
    calls: list[str]

    def __init__(self, *, actor_first: bool = False) -> None:
        super().__init__()
        self.actor_first = actor_first  # type: ignore[misc]
        self.calls = []

    def prepare_publish(self, step: Step) -> None:
        self.calls.append("prepare")
        step.changes["published_at"] = step.now
        step.detail["why"] = "test"

    def lock(self, step: Step) -> None:
        self.calls.append("lock")

    def after_publish(self, step: Step) -> None:
        self.calls.append("after")

    def after_explode(self, step: Step) -> None:
        raise ToyError("boom", "after the compare-and-set")

    def tell(self, step: Step) -> None:
        self.calls.append("tell")


@pytest.fixture
def wish(world):
    return wish_post(actor=world.resident, compound=world.cmp_a1a, title="想要一副老花镜")


def test_a_step_runs_its_hooks_in_order_and_writes_history(world, wish):
    toy = Toy()
    toy.apply(actor=world.a1_staff, obj=wish, action="publish", note=" looks fine ")
    assert toy.calls == ["prepare", "lock", "after", "tell"]
    fresh = Wish.objects.get(pk=wish.pk)
    assert fresh.status == S.PUBLISHED and fresh.version == wish.version == 1 and fresh.published_at
    event = WishEvent.objects.filter(wish=wish).last()
    assert (event.action, event.from_status, event.to_status, event.note) == (
        "publish",
        S.PENDING,
        S.PUBLISHED,
        "looks fine",
    )


def test_checks_state_then_fields_then_actor_and_with_actor_first_the_actor_first(world, wish):
    with pytest.raises(ToyError) as unknown:
        Toy().apply(actor=world.a1_staff, obj=wish, action="fly")
    assert (unknown.value.code, unknown.value.status) == ("unknown_action", 422)
    with pytest.raises(ToyError) as missing:
        Toy().apply(actor=world.resident, obj=wish, action="reject")  # wrong actor, and no note
    assert (missing.value.code, missing.value.status, missing.value.fields) == (
        "note_required",
        422,
        {"note": ["Say why."]},
    )
    with pytest.raises(ToyError) as forbidden:
        Toy(actor_first=True).apply(actor=world.resident, obj=wish, action="reject")
    assert (forbidden.value.code, forbidden.value.status) == ("forbidden", 403)
    with pytest.raises(ToyError) as state:
        Toy().apply(actor=world.resident, obj=wish, action="vote")  # a pending wish has no vote yet
    assert (state.value.code, state.value.status) == ("wrong_state", 409)
    assert (
        Wish.objects.get(pk=wish.pk).status == S.PENDING and WishEvent.objects.filter(wish=wish).count() == 1
    )


def test_a_phase_aware_predicate_opens_and_closes_with_the_object(world, wish):
    Toy().apply(actor=world.a1_staff, obj=wish, action="publish")
    wish = Wish.objects.get(pk=wish.pk)
    assert Toy().available(world.resident, wish) == []
    Wish.objects.filter(pk=wish.pk).update(body="open")
    wish = Wish.objects.get(pk=wish.pk)
    assert Toy().available(world.resident, wish) == ["vote"]
    Toy().apply(actor=world.resident, obj=wish, action="vote")  # no target: the state stays, history grows
    assert Wish.objects.get(pk=wish.pk).status == S.PUBLISHED
    assert WishEvent.objects.filter(
        wish=wish, action="vote", from_status=S.PUBLISHED, to_status=S.PUBLISHED
    ).exists()


def test_a_stale_copy_loses_the_compare_and_set(world, wish):
    stale = Wish.objects.get(pk=wish.pk)
    Toy().apply(actor=world.a1_staff, obj=wish, action="publish")
    with pytest.raises(ToyError) as lost:
        Toy().apply(actor=world.a1_staff, obj=stale, action="reject", note="x")
    assert (lost.value.code, lost.value.status) == ("conflict", 409)
    assert Wish.objects.get(pk=wish.pk).status == S.PUBLISHED


def test_a_failing_hook_after_the_compare_and_set_undoes_the_step(world, wish):
    with pytest.raises(ToyError):
        Toy().apply(actor=world.a1_staff, obj=wish, action="explode")
    fresh = Wish.objects.get(pk=wish.pk)
    assert fresh.status == S.PENDING and fresh.version == 0
    assert not WishEvent.objects.filter(wish=wish, action="explode").exists()
    assert (wish.status, wish.version) == (S.PENDING, 0)  # the caller's copy is as it was
