"""The points ledger: balanced, idempotent, never below zero, provable; through the API; under races."""

import threading
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.ledger.models import AccountKind, PointsAccount, PointsEntry, PointsTransaction
from gongzhi.ledger.services import LedgerError, account_for, points_post, points_reconcile


@pytest.fixture
def books(world):
    issue = account_for(kind=AccountKind.ISSUANCE, subdistrict=world.sub_a)
    mall = account_for(kind=AccountKind.MALL, subdistrict=world.sub_a)
    alice = account_for(kind=AccountKind.PERSON, subdistrict=world.sub_a, user=world.resident)
    bob = account_for(kind=AccountKind.PERSON, subdistrict=world.sub_a, user=world.commissioner)
    return issue, mall, alice, bob


def balances(*accounts):
    return [PointsAccount.objects.get(pk=a.pk).balance for a in accounts]


def test_earn_spend_and_prove(books):
    issue, mall, alice, _bob = books
    points_post(key="earn-1", kind="earn", postings=[(issue, -30), (alice, 30)])
    points_post(key="order-1", kind="order", postings=[(alice, -12), (mall, 12)])
    assert balances(issue, mall, alice) == [-30, 12, 18]
    proof = points_reconcile()
    assert proof.sound and proof.accounts == 4 and proof.total == 0


def test_the_same_key_has_one_effect(books):
    issue, _mall, alice, _bob = books
    first, created = points_post(key="earn-x", kind="earn", postings=[(issue, -5), (alice, 5)])
    again, created_again = points_post(key="earn-x", kind="earn", postings=[(issue, -5), (alice, 5)])
    assert created and not created_again and again.pk == first.pk
    assert balances(alice) == [5] and PointsEntry.objects.count() == 2
    with pytest.raises(LedgerError) as refused:
        points_post(key="earn-x", kind="earn", postings=[(issue, -50), (alice, 50)])
    assert refused.value.code == "key_reused" and balances(alice) == [5]


@pytest.mark.parametrize(
    "postings_of, code",
    [
        (lambda i, m, a, b: [(a, -1), (m, 1)], "insufficient"),
        (lambda i, m, a, b: [(i, -5), (a, 4)], "unbalanced"),
        (lambda i, m, a, b: [(i, -5)], "bad_postings"),
        (lambda i, m, a, b: [(i, 0), (a, 0)], "bad_postings"),
        (lambda i, m, a, b: [(i, -1.5), (a, 1.5)], "bad_postings"),
        (lambda i, m, a, b: [(a, -1), (a, 1)], "bad_postings"),
    ],
)
def test_bad_movements_change_nothing(books, postings_of, code):
    with pytest.raises(LedgerError) as refused:
        points_post(key="k", kind="x", postings=postings_of(*books))
    assert refused.value.code == code
    assert PointsTransaction.objects.count() == 0 and PointsEntry.objects.count() == 0
    assert balances(*books) == [0, 0, 0, 0]


def test_a_key_is_required(books):
    issue, _m, alice, _b = books
    for key in ("", "   ", "x" * 81):
        with pytest.raises(LedgerError):
            points_post(key=key, kind="earn", postings=[(issue, -1), (alice, 1)])


def test_the_database_refuses_a_negative_balance(books):
    _issue, _mall, alice, _bob = books
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(pk=alice.pk).update(balance=-1)


def test_entries_are_not_zero_and_accounts_are_well_formed(world, books):
    issue, _mall, alice, _bob = books
    txn = PointsTransaction.objects.create(key="raw", kind="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(transaction=txn, account=alice, amount=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.create(
            kind=AccountKind.PERSON, node=world.sub_a
        )  # a person account without a person
    with pytest.raises(ValueError):
        account_for(kind=AccountKind.PERSON, subdistrict=world.comm_a1, user=world.resident)
    assert account_for(kind=AccountKind.ISSUANCE, subdistrict=world.sub_a) == issue


def test_reconcile_finds_a_tampered_balance(books):
    issue, _mall, alice, _bob = books
    points_post(key="e", kind="earn", postings=[(issue, -7), (alice, 7)])
    PointsAccount.objects.filter(pk=alice.pk).update(balance=70)
    proof = points_reconcile()
    assert not proof.sound and proof.mismatched == [(alice.pk, 70, 7)]


@pytest.mark.postgres
def test_balance_and_entries_api(world, books, api_login):
    issue, mall, alice, _bob = books
    points_post(key="e1", kind="earn", postings=[(issue, -20), (alice, 20)], memo="垃圾分类值守 2 小时")
    points_post(key="o1", kind="order", postings=[(alice, -8), (mall, 8)], memo="磨刀服务")
    client = api_login(world.resident)
    assert client.get("/api/v1/points/balance").json() == [
        {"account_id": alice.pk, "subdistrict_id": world.sub_a.pk, "subdistrict": "街道A", "balance": 12}
    ]
    entries = client.get("/api/v1/points/entries").json()
    assert [(e["amount"], e["kind"], e["memo"]) for e in entries["items"]] == [
        (-8, "order", "磨刀服务"),
        (20, "earn", "垃圾分类值守 2 小时"),
    ]
    other = api_login(world.a2_staff)
    assert other.get("/api/v1/points/balance").json() == []
    assert other.get(f"/api/v1/points/entries?account={alice.pk}").json()["items"] == []


# --- properties over random sequences -----------------------------------------------------------

step = st.one_of(
    st.tuples(st.just("earn"), st.integers(0, 2), st.integers(1, 50)),
    st.tuples(st.just("order"), st.integers(0, 2), st.integers(1, 60)),
    st.tuples(st.just("cancel"), st.integers(0, 2), st.integers(0, 10)),
    st.tuples(st.just("repeat"), st.integers(0, 2), st.integers(0, 10)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(step, min_size=1, max_size=25))
def test_invariants_hold_for_any_sequence(world, steps):
    issue = account_for(kind=AccountKind.ISSUANCE, subdistrict=world.sub_a)
    mall = account_for(kind=AccountKind.MALL, subdistrict=world.sub_a)
    people = [
        account_for(kind=AccountKind.PERSON, subdistrict=world.sub_a, user=u)
        for u in (world.resident, world.commissioner, world.a1_staff)
    ]
    run = uuid.uuid4().hex[:8]
    done: list[tuple[str, list]] = []
    orders: list[tuple[str, int, int]] = []  # key, person index, amount
    cancelled: set[str] = set()
    expected = {p.pk: p.balance for p in people}
    for n, (action, who, amount) in enumerate(steps):
        person = people[who]
        if action == "earn":
            postings = [(issue, -amount), (person, amount)]
            key = f"{run}-earn-{n}"
        elif action == "order":
            postings = [(person, -amount), (mall, amount)]
            key = f"{run}-order-{n}"
        elif action == "cancel" and orders:
            key0, who0, amount0 = orders[amount % len(orders)]
            key, postings = f"{key0}-refund", [(mall, -amount0), (people[who0], amount0)]
            if key0 in cancelled:  # a second cancel is the same refund again: no effect
                points_post(key=key, kind="refund", postings=postings)
                continue
        elif action == "repeat" and done:
            key, postings = done[amount % len(done)]
            points_post(key=key, kind="again", postings=postings)
            continue
        else:
            continue
        try:
            points_post(key=key, kind=action, postings=postings)
        except LedgerError as exc:
            assert exc.code == "insufficient" and expected[person.pk] < amount
            continue
        done.append((key, postings))
        for account, delta in postings:
            if account.pk in expected:
                expected[account.pk] += delta
        if action == "order":
            orders.append((key, who, amount))
        if action == "cancel":
            cancelled.add(key.removesuffix("-refund"))
    for p in people:
        assert PointsAccount.objects.get(pk=p.pk).balance == expected[p.pk] >= 0
    assert points_reconcile().sound


# --- a storm on PostgreSQL ----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_storm_of_spends_never_overdraws(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    issue = account_for(kind=AccountKind.ISSUANCE, subdistrict=world.sub_a)
    mall = account_for(kind=AccountKind.MALL, subdistrict=world.sub_a)
    alice = account_for(kind=AccountKind.PERSON, subdistrict=world.sub_a, user=world.resident)
    points_post(key="seed", kind="earn", postings=[(issue, -100), (alice, 100)])
    outcomes: list[str] = []
    start = threading.Barrier(40)

    def spend(n: int) -> None:
        start.wait()
        try:
            # Every fifth request repeats a key: a double tap must not spend twice.
            points_post(
                key=f"storm-{n - n % 5 if n % 5 == 1 else n}",
                kind="order",
                postings=[(alice, -10), (mall, 10)],
            )
            outcomes.append("ok")
        except LedgerError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=spend, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    alice.refresh_from_db()
    mall.refresh_from_db()
    assert alice.balance == 0 and mall.balance == 100
    assert PointsTransaction.objects.filter(kind="order").count() == 10
    assert set(outcomes) <= {"ok", "insufficient"}
    assert points_reconcile().sound
