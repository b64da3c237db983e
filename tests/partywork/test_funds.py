"""Funds: budgets from stars, forbidden categories, no spending beyond the budget without an approved
increase, four-eyes approval, exact money, publication."""

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from gongzhi.core.roles import Role
from gongzhi.partywork import selectors, services
from gongzhi.partywork.errors import PartyError
from gongzhi.partywork.models import Budget, Expense, ExpenseEvent
from tests.accounts.factories import UserFactory, bind
from tests.partywork.conftest import receipt_pdf


@pytest.fixture
def budget(pw):
    (budget,) = services.budgets_from_stars(
        actor=pw.committee, subdistrict=pw.world.sub_a, year=2026, branch_ids=[pw.branch.pk]
    )
    return budget


def enter(pw, budget, amount, category="activities", actor=None):
    return services.expense_enter(
        actor=actor or pw.secretary,
        budget=budget,
        amount=amount,
        category=category,
        purpose="主题党日物料",
        receipt=receipt_pdf(),
        spent_on=None,
    )


@pytest.fixture(autouse=True)
def _in_2026():
    import time_machine

    with time_machine.travel("2026-06-15 10:00 +0800", tick=False):
        yield


def test_a_compound_branch_gets_at_least_the_base_and_more_for_stars(pw, budget):
    assert (budget.base, budget.star_amount, budget.total) == (Decimal("10000.00"), 0, Decimal("10000.00"))
    services.policy_update(actor=pw.committee, subdistrict=pw.world.sub_a, star_amounts={"5": "12000.50"})
    from gongzhi.partywork.models import BranchRating, RatingRound

    rnd = RatingRound.objects.create(
        node=pw.world.sub_a, scheme=pw.scheme, year=2026, created_by=pw.committee
    )
    BranchRating.objects.create(round=rnd, branch=pw.branch, node=pw.branch.node, status="final", stars=5)
    (budget,) = services.budgets_from_stars(
        actor=pw.committee, subdistrict=pw.world.sub_a, year=2026, branch_ids=[pw.branch.pk]
    )
    assert budget.total == Decimal("22000.50")


def test_forbidden_categories_are_refused_and_nothing_is_written(pw, budget):
    for category in ("salaries", "office"):
        with pytest.raises(PartyError) as refused:
            enter(pw, budget, "100", category=category)
        assert refused.value.code == "forbidden_category" and "category" in refused.value.fields
    assert not Expense.objects.exists()
    services.policy_update(actor=pw.committee, subdistrict=pw.world.sub_a, forbidden_categories=["publicity"])
    with pytest.raises(PartyError):
        enter(pw, budget, "100", category="publicity")
    assert enter(pw, budget, "100", category="office").status == "entered"  # no longer forbidden


def test_no_spending_beyond_the_budget_without_an_approved_increase(pw, budget):
    first = enter(pw, budget, "9999.99")
    with pytest.raises(PartyError) as over:
        enter(pw, budget, "0.02")  # counts what awaits approval
    assert over.value.code == "over_budget"
    services.expense_transition(actor=pw.reviewer, expense=first, action="approve")
    increase = services.grant_add(
        actor=pw.reviewer, budget=budget, amount="500", source="街道追加", kind="increase"
    )
    with pytest.raises(PartyError):
        enter(pw, budget, "0.02")  # the increase counts once approved
    with pytest.raises(PartyError) as own:
        services.grant_decide(actor=pw.reviewer, grant=increase, approve=True)
    assert own.value.status == 403
    services.grant_decide(actor=pw.committee, grant=increase, approve=True)
    second = enter(pw, budget, "500.01")
    budget.refresh_from_db()
    assert (budget.total, budget.spent, budget.balance) == (
        Decimal("10500.00"),
        Decimal("9999.99"),
        Decimal("500.01"),
    )
    services.expense_transition(actor=pw.reviewer, expense=second, action="approve")
    budget.refresh_from_db()
    assert budget.balance == Decimal("0.00")


def test_approval_beyond_the_budget_is_refused_when_the_budget_shrank(pw, budget):
    expense = enter(pw, budget, "8000")
    Budget.objects.filter(pk=budget.pk).update(base=Decimal("5000"))
    with pytest.raises(PartyError) as over:
        services.expense_transition(actor=pw.reviewer, expense=expense, action="approve")
    assert over.value.code == "over_budget"
    assert (
        Expense.objects.get(pk=expense.pk).status == "entered" and Budget.objects.get(pk=budget.pk).spent == 0
    )


def test_four_eyes(pw, budget):
    staff_entered = enter(pw, budget, "300", actor=pw.reviewer)
    with pytest.raises(PartyError) as self_approval:
        services.expense_transition(actor=pw.reviewer, expense=staff_entered, action="approve")
    assert self_approval.value.status == 403
    with pytest.raises(PartyError):
        services.expense_transition(actor=pw.secretary, expense=enter(pw, budget, "1"), action="approve")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Expense.objects.filter(pk=staff_entered.pk).update(approved_by=pw.reviewer)  # the database agrees


def test_exact_money(pw, budget):
    for amount in ("0.10", "0.20", "1280.50", "0.01"):
        services.expense_transition(actor=pw.reviewer, expense=enter(pw, budget, amount), action="approve")
    budget.refresh_from_db()
    assert budget.spent == Decimal("1280.81") and budget.balance == Decimal("8719.19")
    for bad in ("0", "-1", "0.001", "1e3", "NaN", "²", "10000000", "", "一百"):
        with pytest.raises(PartyError) as refused:
            enter(pw, budget, bad)
        assert refused.value.fields.get("amount"), bad


def test_an_approved_expense_is_published_and_shown_where_members_belong(pw, budget):
    expense = enter(pw, budget, "860")
    neighbour = UserFactory(username="neighbour")
    bind(neighbour, Role.RESIDENT, pw.world.cmp_a1a)
    assert not selectors.expenses(fetched_by=neighbour).exists()
    expense = services.expense_transition(actor=pw.reviewer, expense=expense, action="approve")
    expense = services.expense_transition(actor=pw.secretary, expense=expense, action="publish")
    assert expense.status == "published" and expense.published_at is not None
    assert list(selectors.expenses(fetched_by=neighbour)) == [expense]
    assert not selectors.expenses(fetched_by=pw.world.sub_b_admin).exists()
    assert [e.action for e in ExpenseEvent.objects.filter(expense=expense)] == ["enter", "approve", "publish"]


def test_a_receipt_is_required_and_checked(pw, budget):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(PartyError):
        services.expense_enter(
            actor=pw.secretary, budget=budget, amount="1", category="care", purpose="慰问", receipt=None
        )
    with pytest.raises(PartyError):
        services.expense_enter(
            actor=pw.secretary,
            budget=budget,
            amount="1",
            category="care",
            purpose="慰问",
            receipt=SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
        )
    assert not Expense.objects.exists()


def test_audit_export_lists_budgets_and_expenses(pw, budget, login):
    enter(pw, budget, "12.30")
    from io import BytesIO

    from openpyxl import load_workbook

    response = login(pw.committee).get("/party/funds/export.xlsx?year=2026")
    book = load_workbook(BytesIO(response.content))
    assert book["预算"].max_row == 2 and book["支出"]["C2"].value == 12.3


def test_fund_totals_show_yuan_and_fen_like_the_rows(pw, budget, login):
    page = login(pw.committee).get("/party/funds/?year=2026").content.decode()
    total = re.search(r'id="pw-budget-total">([^<]*)<', page)
    assert total is not None and re.fullmatch(r"\d+\.\d\d", total.group(1)), total
