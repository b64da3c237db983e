"""Party work in Debian's Chromium: a branch secretary self-assesses with evidence → a reviewer scores → the
committee rechecks and puts the stars on public notice → final stars on the board → the branch's budget
reflects its stars → an expense with a receipt is approved and published; a member joins a live session on
a phone and the page's heartbeat credits a minute."""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.partywork import services
from gongzhi.partywork.models import BranchRating, Budget, Expense, RatingRound, RatingStatus
from tests.accounts.factories import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SHOTS = Path(os.environ.get("GONGZHI_SCREENSHOTS", "test-results/screenshots"))


def sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")


def test_star_rating_to_budget_to_published_expense(transactional_db, pw, live_server, browser, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    year = timezone.localdate().year
    pw.scheme.year = year
    pw.scheme.five_star_quota = 50  # one of the two branches may have five stars
    pw.scheme.save()
    rnd = services.round_open(actor=pw.committee, scheme=pw.scheme, notice_days=5)
    rating = rnd.ratings.get(branch=pw.branch)
    # The neighbouring branch has been scored and rechecked already (below one star).
    BranchRating.objects.filter(round=rnd).exclude(pk=rating.pk).update(
        status=RatingStatus.RECHECKED, total=42
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The secretary self-assesses with evidence (a photo) and hands in.
    sign_in(page, live_server, pw.secretary)
    page.goto(f"{live_server.url}/party/")
    page.click(f"a[href='/party/ratings/{rating.pk}/']")
    lines = list(rating.lines.order_by("item__order"))
    for line, points in zip(lines, ("48", "45", "0"), strict=True):
        page.fill(f"input[name='self_{line.pk}']", points)
    page.fill(f"input[name='note_{lines[0].pk}']", "2024年完成换届，班子5人")
    evidence = tmp_path / "evidence.png"
    from PIL import Image

    Image.new("RGB", (60, 40), "red").save(evidence)
    page.set_input_files(f"input[name='file_{lines[0].pk}']", str(evidence))
    page.fill("input[name='innovation_project']", "红色管家议事会")
    page.screenshot(path=SHOTS / "party-self-assessment-1280.png", full_page=True)
    page.click("button[name='submit']")
    assert page.locator("#pw-status").inner_text() == "待评分"
    assert page.locator("text=查看上传的佐证").count() == 1

    # A reviewer scores from the desk.
    sign_in(page, live_server, pw.reviewer)
    page.goto(f"{live_server.url}/party/desk/")
    page.click(f"a[href='/party/ratings/{rating.pk}/']")
    page.fill("input[name='peer_score']", "96")
    page.screenshot(path=SHOTS / "party-scoring-1280.png", full_page=True)
    page.click("text=提交评分")
    assert page.locator("#pw-status").inner_text() == "待复核"

    # The committee rechecks, puts the round on public notice, and after the notice makes the stars final.
    sign_in(page, live_server, pw.committee)
    page.goto(f"{live_server.url}/party/ratings/{rating.pk}/")
    page.click("button[value='recheck']")
    page.goto(f"{live_server.url}/party/rounds/{rnd.pk}/")
    page.click("button[value='notice']")
    assert page.locator("#pw-five").inner_text() == "1"
    RatingRound.objects.filter(pk=rnd.pk).update(notice_until=timezone.now() - timedelta(minutes=1))
    page.click("button[value='finalise']")
    assert (page.locator("#pw-rated").inner_text(), page.locator("#pw-starred").inner_text()) == ("2", "1")
    assert page.locator("tr.pw-top").count() == 1 and page.locator("tr.pw-bottom").count() == 1
    page.wait_for_selector("#pw-chart canvas", state="attached")
    page.screenshot(path=SHOTS / "party-board-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / "party-board-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The branch's budget reflects its five stars (10,000 base + 8,000).
    budget = Budget.objects.get(branch=pw.branch, year=year)
    page.goto(f"{live_server.url}/party/funds/?year={year}")
    page.click(f"a[href='/party/funds/{budget.pk}/']")
    assert page.locator("#pw-star-amount").inner_text() == "8000.00"
    assert page.locator("#pw-balance").inner_text() == "18000.00"

    # The secretary enters an expense with its receipt; a reviewer approves it; the secretary publishes it.
    sign_in(page, live_server, pw.secretary)
    page.goto(f"{live_server.url}/party/funds/{budget.pk}/")
    page.fill("input[name='amount']", "1280.50")
    page.select_option("select[name='category']", "activities")
    page.fill("input[name='purpose']", "七一主题党日活动物料")
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.set_input_files("input[name='receipt']", str(receipt))
    assert page.locator("select[name='category'] option[value='salaries']").count() == 0  # forbidden here
    page.click("#pw-expense-form button.primary")
    assert Expense.objects.get().status == "entered"
    sign_in(page, live_server, pw.reviewer)
    page.goto(f"{live_server.url}/party/funds/{budget.pk}/")
    page.click("button[value='approve']")
    sign_in(page, live_server, pw.secretary)
    page.goto(f"{live_server.url}/party/funds/{budget.pk}/")
    page.click("button[value='publish']")
    assert Expense.objects.get().status == "published"
    assert page.locator("#pw-balance").inner_text() == "16719.50"
    page.screenshot(path=SHOTS / "party-budget-1280.png", full_page=True)
    assert errors == []


def test_a_member_joins_a_live_session_on_a_phone(transactional_db, pw, live_server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    course = services.course_create(actor=pw.committee, node=pw.world.sub_a, name="党员春训")
    session = services.session_create(
        actor=pw.committee,
        course=course,
        title="春训第一讲",
        mode="live",
        starts_at=timezone.now() - timedelta(minutes=2),
        minutes=60,
        stream_url="https://live.example.org/chunxun/index.m3u8",
        place="上塘好声音直播间",
    )
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.route("https://live.example.org/**", lambda route: route.abort())  # the operator's stream, not ours
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, pw.member)
    page.goto(f"{live_server.url}/party/training/")
    page.click(f"a[href='/party/sessions/{session.pk}/']")
    expect(page.locator("#pw-minutes")).to_have_text("1", timeout=30_000)
    page.screenshot(path=SHOTS / "party-live-390.png", full_page=True)
    page.goto(f"{live_server.url}/party/points/")
    page.screenshot(path=SHOTS / "party-my-points-390.png", full_page=True)
    assert "不能在积分商城兑换" in page.content()
    assert errors == []
