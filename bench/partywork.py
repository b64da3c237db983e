"""Party work under load on PostgreSQL (issue 18).

1. Heartbeats: 2,800 members watch one live session of 90 minutes; 50 concurrent clients (25 processes × 2
   threads, each thread with its own connection) send every member's beat for minute k of the session, twice
   (a second tab), for ROUNDS minutes, calling the service the API calls. Reported: heartbeats per second and
   latency; then the proof that credited minutes are exact: every member has exactly ROUNDS minutes (the second
   tab never credited), the sum is 2,800 × ROUNDS. With --compare the same clients first beat a second session
   through the earlier way of crediting (get_or_create, a conditional UPDATE, a SELECT: ``orm_heartbeat``
   below), so the two figures come from one run on the same machine.
2. The board: 74 branches rated with automatic evidence (the round opened through the service, which measures
   every measured item through the other apps' KPI providers, then stars as on public notice); the board page
   (`/party/rounds/<id>/`) requested 60 times by the committee. Reported: p50/p95 of the page. With --compare
   the earlier page (model rows, lookups while rendering: ``earlier_board_page`` below) and session 5's page
   (``session5_board_page``: the rows read through the scope's test of the user's own rows) are requested in
   turn with it, so all figures come from the same minutes of the same run. --profile first prints the
   board's and the hub's queries and a cProfile of five requests.

Run: scripts/pg.sh run .venv/bin/python bench/partywork.py [--rounds 3 --processes 25 --threads 2]
(--rounds 0: the board only)
"""

import argparse
import multiprocessing as mp
import os
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.local")
os.environ.setdefault("GONGZHI_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench-party"))

import django

django.setup()

from common import percentile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Max, Min, Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from gongzhi.accounts.models import RoleBinding, User  # noqa: E402
from gongzhi.core.roles import Role  # noqa: E402
from gongzhi.orgs.models import Node, NodeKind, PartyOrg, PartyOrgKind  # noqa: E402
from gongzhi.partywork import services  # noqa: E402
from gongzhi.partywork.models import Attendance, ItemSource, TrainingSession  # noqa: E402

MEMBERS = 2800
BRANCHES = 74


def setup() -> tuple[int, list[int], int, int]:
    if connection.vendor != "postgresql":
        sys.exit("Run under scripts/pg.sh (needs PostgreSQL).")
    call_command("migrate", verbosity=0)
    stamp = str(int(time.time()))
    root = Node.add_root(code=f"BPW{stamp}", name="党建基准区", kind=NodeKind.DISTRICT)
    sub = root.add_child(code=f"BPW{stamp}S", name="党建基准街道", kind=NodeKind.SUBDISTRICT)
    admin = User.objects.create(username=f"bench-party-admin-{stamp}")
    RoleBinding.objects.create(user=admin, role=Role.SUBDISTRICT_ADMIN, node=sub)
    working = PartyOrg.objects.create(node=sub, name="基准党工委", kind=PartyOrgKind.WORKING_COMMITTEE)
    compounds = []
    for c in range(5):
        community = sub.add_child(code=f"BPW{stamp}C{c}", name=f"基准社区{c}", kind=NodeKind.COMMUNITY)
        for x in range(15):
            compounds.append(
                community.add_child(
                    code=f"BPW{stamp}C{c}X{x}", name=f"基准小区{c}-{x}", kind=NodeKind.COMPOUND
                )
            )
    PartyOrg.objects.bulk_create(
        PartyOrg(node=n, name=f"{n.name}党支部", kind=PartyOrgKind.BRANCH, parent=working)
        for n in compounds[:BRANCHES]
    )
    members = User.objects.bulk_create(
        User(username=f"bpw-{stamp}-{n}", password="!") for n in range(MEMBERS)
    )
    RoleBinding.objects.bulk_create(
        RoleBinding(user=u, role=Role.PARTY_MEMBER, node=compounds[n % len(compounds)])
        for n, u in enumerate(members)
    )
    course = services.course_create(actor=admin, node=sub, name="春训")
    session = services.session_create(
        actor=admin,
        course=course,
        title="春训直播",
        mode="live",
        starts_at=timezone.now() - timedelta(minutes=1),
        minutes=90,
        stream_url="https://live.example.org/bench.m3u8",
    )
    scheme = services.scheme_create(
        actor=admin,
        subdistrict=sub,
        year=timezone.localdate().year,
        name="基准细则",
        items=[
            {"dimension": "组织", "name": "班子", "max_points": 20},
            {
                "dimension": "服务",
                "name": "诉求化解",
                "max_points": 20,
                "source": ItemSource.APPEAL_CONTAINMENT,
                "full_at": 90,
            },
            {
                "dimension": "服务",
                "name": "满意率",
                "max_points": 20,
                "source": ItemSource.APPEAL_SATISFACTION,
                "full_at": 95,
            },
            {
                "dimension": "服务",
                "name": "志愿时长",
                "max_points": 20,
                "source": ItemSource.VOLUNTEER_HOURS,
                "full_at": 200,
            },
            {
                "dimension": "教育",
                "name": "学习时长",
                "max_points": 10,
                "source": ItemSource.TRAINING_HOURS,
                "full_at": 600,
            },
            {
                "dimension": "经费",
                "name": "公开",
                "max_points": 10,
                "source": ItemSource.FUNDS_PUBLISHED,
                "full_at": 100,
            },
        ],
    )
    started = time.perf_counter()
    rnd = services.round_open(actor=admin, scheme=scheme)
    print(
        f"round opened with measured evidence for {rnd.ratings.count()} branches in {time.perf_counter() - started:.1f} s"
    )
    # Stars as after the public notice (66 with a star, 7 with five, as 望湖's), with last year's beside them,
    # so that every row shows its stars, total and change.
    from decimal import Decimal

    from gongzhi.partywork.models import BranchRating

    rows = list(BranchRating.objects.filter(round=rnd).order_by("pk"))
    for n, r in enumerate(rows):
        r.stars = 5 if n < 7 else 0 if n >= 66 else 1 + n % 4
        r.total = Decimal(50 + r.stars * 9 + n % 7)
        r.previous_stars = (r.stars + n % 3 - 1) % 6
        r.status = "notice"
    BranchRating.objects.bulk_update(rows, ["stars", "total", "previous_stars", "status"])
    return session.pk, [u.pk for u in members], rnd.pk, admin.pk


def orm_heartbeat(*, user, session, visible, now):
    """The earlier crediting, kept here as the baseline: three or four round trips a beat."""
    from django.db.models import F, Q

    end = session.starts_at + timedelta(minutes=session.minutes)
    row, _created = Attendance.objects.get_or_create(
        session=session, user=user, defaults={"node": session.node, "year": session.starts_at.year}
    )
    if visible and session.starts_at <= now <= end + timedelta(minutes=1):
        Attendance.objects.filter(pk=row.pk, minutes__lt=session.minutes).filter(
            Q(last_credit_at__isnull=True) | Q(last_credit_at__lte=now - timedelta(seconds=55))
        ).update(minutes=F("minutes") + 1, last_credit_at=now)
    return Attendance.objects.filter(pk=row.pk).values_list("minutes", flat=True).get()


def _beats(session_id, ids, rounds, threads, p, processes, out, ready, go, baseline=False):
    connections.close_all()
    beat = orm_heartbeat if baseline else services.session_heartbeat
    session = TrainingSession.objects.get(pk=session_id)
    mine = ids[p::processes]
    users = {u.pk: u for u in User.objects.filter(pk__in=mine)}
    latencies: list[float] = []
    window = [float("inf"), 0.0]
    lock = threading.Lock()

    def run(t):
        own = mine[t::threads]
        local = []
        go.wait()  # every client starts together, after all have loaded their members
        first = time.monotonic()
        for k in range(rounds):
            for tab in (0, 1):  # the second tab of every member
                for uid in own:
                    at = session.starts_at + timedelta(minutes=k, seconds=5 + 20 * tab)
                    s = time.perf_counter()
                    beat(user=users[uid], session=session, visible=True, now=at)
                    local.append((time.perf_counter() - s) * 1000)
        last = time.monotonic()
        connections.close_all()
        with lock:
            latencies.extend(local)
            window[0], window[1] = min(window[0], first), max(window[1], last)

    pool = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    ready.wait()
    for th in pool:
        th.join()
    out.put((latencies, window[0], window[1]))


def heartbeats(session_id, ids, rounds, processes, threads, baseline=False):
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    ready, go = ctx.Barrier(processes + 1), ctx.Event()
    connections.close_all()
    workers = [
        ctx.Process(
            target=_beats, args=(session_id, ids, rounds, threads, p, processes, out, ready, go, baseline)
        )
        for p in range(processes)
    ]
    for w in workers:
        w.start()
    ready.wait()  # every client has its connection's members loaded
    go.set()
    latencies, firsts, lasts = [], [], []
    for _ in workers:
        got, first, last = out.get()
        latencies += got
        firsts.append(first)
        lasts.append(last)
    for w in workers:
        w.join()
    # From the first beat sent to the last answered (process start-up and loading the members not counted).
    elapsed = max(lasts) - min(firsts)
    rows = Attendance.objects.filter(session_id=session_id)
    agg = rows.aggregate(s=Sum("minutes"), lo=Min("minutes"), hi=Max("minutes"))
    print(
        f"{'baseline (ORM, 3-4 queries)' if baseline else 'heartbeats (one statement)'}: {len(latencies)} in {elapsed:.1f} s = {len(latencies) / elapsed:.0f}/s with "
        f"{processes * threads} clients; p50 {percentile(latencies, 50)} ms, p95 {percentile(latencies, 95)} ms; "
        f"credited: {rows.count()} members, minutes each {agg['lo']}–{agg['hi']}, sum {agg['s']} "
        f"(expected {len(ids) * rounds}: {'exact' if agg['s'] == len(ids) * rounds and agg['lo'] == agg['hi'] == rounds else 'WRONG'})"
    )


# The board page as it was before this benchmark's second figure (kept here as the baseline): the round's
# ratings read as model rows with their branch, place and round, and the template looking up each row's
# status label, stars and link while rendering.
EARLIER_BOARD = """{% extends "base.html" %}{% load i18n static %}
{% block title %}{% translate "Star rating board" %}{% endblock %}
{% block head %}<link rel="stylesheet" href="{% static 'partywork/partywork.css' %}">
<script src="{% static 'vendor/echarts/echarts.min.js' %}" defer></script>
<script src="{% static 'partywork/board.js' %}" defer></script>{% endblock %}
{% block content %}
<p class="crumbs"><a href="{% url 'partywork:index' %}">{% translate "Party work" %}</a></p>
<h1>{% blocktranslate with place=rnd.node.name year=rnd.year %}{{ place }}: branch star rating {{ year }}{% endblocktranslate %}</h1>
<p class="muted">{{ rnd.scheme }} · {{ rnd.get_status_display }}{% if rnd.notice_until and rnd.status == "notice" %} · {% blocktranslate with d=rnd.notice_until|date:"Y-m-d H:i" %}public notice until {{ d }}{% endblocktranslate %}{% endif %}</p>
<dl class="stats pw-stats">
  <div><dt>{% translate "Branches rated" %}</dt><dd id="pw-rated">{{ board.rated }}</dd></div>
  <div><dt>{% translate "At least one star" %}</dt><dd id="pw-starred">{{ board.starred }}</dd></div>
  <div class="pw-top"><dt>{% translate "Five stars (to praise)" %}</dt><dd id="pw-five">{{ board.five }}</dd></div>
  <div class="pw-bottom"><dt>{% translate "No star (to help)" %}</dt><dd id="pw-none">{{ board.none }}</dd></div>
</dl>
{{ chart|json_script:"pw-chart-data" }}
<div id="pw-chart" class="pw-chart" role="img" aria-label="{% translate 'Branches by stars, this year and last year' %}"></div>
{% if may_notice or may_finalise %}<form method="post" class="actions">{% csrf_token %}
  {% if may_notice %}<button class="primary" name="action" value="notice">{% translate "Compute the stars and put them on public notice" %}</button>{% endif %}
  {% if may_finalise %}<button class="primary" name="action" value="finalise">{% translate "Make the stars final and set the budgets" %}</button>{% endif %}
</form>{% endif %}
<table class="list pw-board">
<thead><tr><th>{% translate "Branch" %}</th><th>{% translate "Stars" %}</th><th class="num">{% translate "Total" %}</th><th>{% translate "Last year" %}</th><th>{% translate "Step" %}</th></tr></thead>
<tbody>{% for r in board.rows %}
<tr class="{% if r.stars == 5 %}pw-top{% elif r.stars == 0 %}pw-bottom{% endif %}">
  <td><a href="{% url 'partywork:rating' r.pk %}">{{ r.branch.name }}</a></td>
  <td class="pw-stars">{% if r.stars is not None %}{% if r.stars %}{% for _ in "12345"|make_list|slice:r.stars %}★{% endfor %}{% else %}{% translate "none" %}{% endif %}{% if r.capped_by == "quota" %} <span class="badge hint">{% translate "quota" %}</span>{% elif r.capped_by == "condition" %} <span class="badge hint">{% translate "no innovation project" %}</span>{% endif %}{% endif %}</td>
  <td class="num">{{ r.total|default_if_none:"—" }}</td>
  <td>{% if r.previous_stars is not None %}{{ r.previous_stars }}{% if r.stars is not None %}{% if r.stars > r.previous_stars %} <span class="pw-up">↑</span>{% elif r.stars < r.previous_stars %} <span class="pw-down">↓</span>{% endif %}{% endif %}{% else %}—{% endif %}</td>
  <td><span class="badge soft">{{ r.get_status_display }}</span></td>
</tr>{% endfor %}</tbody></table>
{% endblock %}
"""


def earlier_selector(*, fetched_by, rnd):
    from gongzhi.partywork.models import BranchRating
    from gongzhi.partywork.selectors import Board

    rows = list(
        BranchRating.objects.visible_to(fetched_by, "view")
        .select_related("branch", "node", "round")
        .filter(round=rnd)
        .order_by("-stars", "-total", "node__path", "branch_id")
    )
    by_stars = {n: 0 for n in range(6)}
    last = {n: 0 for n in range(6)}
    for r in rows:
        if r.stars is not None:
            by_stars[r.stars] += 1
        if r.previous_stars is not None:
            last[r.previous_stars] += 1
    rated = sum(by_stars.values())
    return Board(rnd, rows, by_stars, last, rated - by_stars[0], by_stars[5], by_stars[0], rated)


def earlier_board_page(request, pk):
    from django.template import engines

    from gongzhi.partywork import rules, selectors
    from gongzhi.partywork.models import RoundStatus

    rnd = selectors.round_get(fetched_by=request.user, pk=pk)
    board = earlier_selector(fetched_by=request.user, rnd=rnd)
    chart = {
        "labels": ["无星"] + [f"{n}星" for n in range(1, 6)],
        "this_year": [board.by_stars[n] for n in range(6)],
        "last_year": [board.last_by_stars[n] for n in range(6)],
        "this_label": str(rnd.year),
        "last_label": str(rnd.year - 1),
    }
    committee = rules.is_committee.test(request.user, rnd)
    from django.http import HttpResponse

    template = engines["django"].from_string(EARLIER_BOARD)
    context = {
        "rnd": rnd,
        "board": board,
        "chart": chart,
        "committee": committee,
        "may_notice": committee and rnd.status == RoundStatus.OPEN,
        "may_finalise": committee and rnd.status == RoundStatus.NOTICE,
    }
    return HttpResponse(template.render(context, request))


def session5_board_page(request, pk):
    """The board as session 5 left it (the second baseline): the round's ratings read through the scope even
    for the committee, whose reach holds the whole round (a query testing its own rows outside the reach)."""
    from gongzhi.partywork import selectors, views
    from gongzhi.partywork.models import BranchRating

    original = selectors._round_ratings
    selectors._round_ratings = lambda user, rnd: BranchRating.objects.visible_to(user, "view").filter(
        round=rnd
    )
    try:
        return views.round_board(request, pk)
    finally:
        selectors._round_ratings = original


def board_urls():
    """The site's addresses plus the earlier board page, for the baseline."""
    from types import ModuleType

    from django.contrib.auth.decorators import login_required
    from django.urls import include, path

    module = ModuleType("bench_party_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/earlier-board/<int:pk>/", login_required(earlier_board_page)),
        path("bench/session5-board/<int:pk>/", login_required(session5_board_page)),
        path("", include("gongzhi.urls")),
    ]
    return module


def board(round_id, admin_id, times=60, compare=False, profile=False):
    from django.conf import settings
    from django.test import override_settings

    # The page's static names without a collected manifest (the server's work is the same).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, ROOT_URLCONF=board_urls()):
        _board(round_id, admin_id, times, compare, profile)


def profile_page(client, url):
    """The queries one request of ``url`` runs and where its time goes (cProfile, by cumulative time)."""
    import cProfile
    import pstats

    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(f"{url}: {len(queries)} queries")
    for q in queries:
        print(f"  {q['time']} s  {q['sql'][:150]}")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def _board(round_id, admin_id, times, compare, profile=False):
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(pk=admin_id))
    if profile:
        profile_page(client, f"/party/rounds/{round_id}/")
        profile_page(client, "/party/")
    pages = {"board": f"/party/rounds/{round_id}/"}
    if compare:
        pages = {
            "earlier board (baseline)": f"/bench/earlier-board/{round_id}/",
            "session-5 board (scope test of own rows)": f"/bench/session5-board/{round_id}/",
            **pages,
        }
    spent: dict[str, list[float]] = {name: [] for name in pages}
    bodies = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200
        bodies[name] = response.content.decode().count("<tr")
    # Interleaved, so that both pages see the same moments of the machine's load.
    for _ in range(times):
        for name, url in pages.items():
            s = time.perf_counter()
            response = client.get(url)
            spent[name].append((time.perf_counter() - s) * 1000)
            assert response.status_code == 200
    for name in pages:
        print(
            f"{name} of {BRANCHES} branches ({bodies[name] - 1} rows): p50 {percentile(spent[name], 50)} ms, "
            f"p95 {percentile(spent[name], 95)} ms over {times} requests"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, default=25)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compare", action="store_true", help="first the earlier crediting, as the baseline")
    parser.add_argument("--no-board", action="store_true")
    parser.add_argument("--profile", action="store_true", help="the board's queries and a cProfile first")
    args = parser.parse_args()
    session_id, ids, round_id, admin_id = setup()
    if args.rounds and args.compare:
        first = TrainingSession.objects.get(pk=session_id)
        second = TrainingSession.objects.create(
            course=first.course,
            node=first.node,
            title="春训直播（对照）",
            mode=first.mode,
            stream_url=first.stream_url,
            starts_at=first.starts_at,
            minutes=first.minutes,
        )
        heartbeats(second.pk, ids, args.rounds, args.processes, args.threads, baseline=True)
    if args.rounds:
        heartbeats(session_id, ids, args.rounds, args.processes, args.threads)
    if args.no_board:
        return
    board(round_id, admin_id, compare=args.compare, profile=args.profile)


if __name__ == "__main__":
    main()
