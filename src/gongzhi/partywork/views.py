"""Pages of party organisation work: the hub, the rating board (committee), a branch's rating (the secretary's
self-assessment, the reviewer's scoring desk, the notice and appeal), member points, funds and training."""

import json
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.rules import is_overseer
from gongzhi.core.web import service_call
from gongzhi.partywork import autopoints, branches, rules, selectors, services
from gongzhi.partywork.errors import PartyError
from gongzhi.partywork.models import (
    EntryStatus,
    ExpenseCategory,
    ItemSource,
    MeetingKind,
    PeerGrade,
    PointsSource,
    RatingStatus,
    RoundStatus,
    SessionMode,
)
from gongzhi.partywork.workflow import EXPENSE_WORKFLOW, RATING_WORKFLOW

STEP_LABELS = {
    "submit": gettext_lazy("handed in the self-assessment"),
    "return": gettext_lazy("returned it to the branch"),
    "score": gettext_lazy("scored"),
    "recheck": gettext_lazy("rechecked"),
    "send_back": gettext_lazy("sent it back for scoring"),
    "notice": gettext_lazy("put it on public notice"),
    "finalise": gettext_lazy("made the stars final"),
    "appeal": gettext_lazy("appealed"),
    "decide": gettext_lazy("decided the appeal"),
}


def _year(request: AuthenticatedHttpRequest) -> int:
    raw = request.GET.get("year", "")
    return (
        int(raw)
        if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100
        else timezone.localdate().year
    )


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    year = timezone.localdate().year
    rounds = list(selectors.rounds(fetched_by=user)[:6]) if is_overseer.test(user) else []
    mine = list(selectors.my_branch_ratings(fetched_by=user)[:5])
    points = selectors.my_points(fetched_by=user, year=year)
    minutes, _rows = selectors.my_study(fetched_by=user, year=year)
    desk = selectors.scoring_desk(fetched_by=user).count()
    return render(
        request,
        "partywork/index.html",
        {
            "rounds": rounds,
            "mine": mine,
            "my_points": selectors.points_total(points),
            "my_hours": Decimal(minutes) / 60,
            "desk": desk,
            "member": bool(rules._posts(user)),
            "year": year,
            "staff": is_overseer.test(user),
            "terms_due": selectors.terms(fetched_by=user, due_within=90).count()
            if is_overseer.test(user)
            else 0,
        },
    )


@login_required
def round_board(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = selectors.round_get(fetched_by=request.user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        with service_call(request, success=_("Done.")) as call:
            if action == "notice":
                services.round_notice(actor=request.user, rnd=rnd)
            elif action == "finalise":
                services.round_finalise(actor=request.user, rnd=rnd)
            else:
                raise PartyError.invalid(_("Unknown action."))
        del call
        return redirect("partywork:round", pk=rnd.pk)
    board = selectors.board(fetched_by=request.user, rnd=rnd)
    chart = {
        "labels": [_("No star")] + [_("%(n)s stars") % {"n": n} for n in range(1, 6)],
        "this_year": [board.by_stars[n] for n in range(6)],
        "last_year": [board.last_by_stars[n] for n in range(6)],
        "this_label": str(rnd.year),
        "last_label": str(rnd.year - 1),
    }
    committee = rules.is_committee.test(request.user, rnd)
    return render(
        request,
        "partywork/board.html",
        {
            "rnd": rnd,
            "board": board,
            # Each row links to its rating: the address of rating 0 without its number, completed per row.
            "rating_base": reverse("partywork:rating", args=[0]).removesuffix("0/"),
            "chart": chart,
            "committee": committee,
            "may_notice": committee and rnd.status == RoundStatus.OPEN,
            "may_finalise": committee and rnd.status == RoundStatus.NOTICE,
        },
    )


@login_required
def scoring_desk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reviewer's desk: ratings to score or recheck, and the member points and expenses others entered
    that wait for this reviewer's approval; with nothing to do, where to look next."""
    user = request.user
    rows = list(selectors.scoring_desk(fetched_by=user)[:300])
    points = selectors.points_to_approve(fetched_by=user)
    expenses = [
        e for e in selectors.expenses_to_approve(fetched_by=user)[:100] if rules.approves.test(user, e)
    ]
    return render(
        request,
        "partywork/desk.html",
        {
            "rows": rows,
            "points": points,
            "expenses": expenses,
            "rounds": list(selectors.rounds(fetched_by=user)[:6]) if not rows else [],
            "drafts": selectors.ratings(fetched_by=user, status="draft").count() if not rows else 0,
        },
    )


@login_required
def rating_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    rating = selectors.rating_get(fetched_by=user, pk=pk)
    if request.method == "POST":
        what = request.POST.get("what", "")
        with service_call(request, success=_("Saved.")) as call:
            lines = selectors.rating_lines(rating)
            if what == "self":
                services.rating_self_assess(
                    actor=user,
                    rating=rating,
                    points={ln.pk: request.POST.get(f"self_{ln.pk}", "") for ln in lines},
                    notes={ln.pk: request.POST.get(f"note_{ln.pk}", "") for ln in lines},
                    files={
                        ln.pk: request.FILES[f"file_{ln.pk}"]
                        for ln in lines
                        if f"file_{ln.pk}" in request.FILES
                    },
                    innovation_project=request.POST.get("innovation_project", ""),
                    summary=request.POST.get("summary", ""),
                )
                if request.POST.get("submit"):
                    rating.refresh_from_db()
                    services.rating_transition(actor=user, rating=rating, action="submit")
            elif what == "score":
                services.rating_transition(
                    actor=user,
                    rating=rating,
                    action="score",
                    points={ln.pk: request.POST.get(f"points_{ln.pk}", "") for ln in lines},
                    peer_score=request.POST.get("peer_score", ""),
                )
            elif what == "evidence":
                services.evidence_refresh(actor=user, rating=rating)
            elif what == "objection":
                services.objection_raise(actor=user, rating=rating, text=request.POST.get("text", ""))
            elif what == "answer":
                objection = selectors.objection_get(fetched_by=user, pk=_int(request.POST.get("objection")))
                services.objection_answer(
                    actor=user, objection=objection, answer=request.POST.get("answer", "")
                )
            elif what == "decide":
                services.rating_decide_appeal(
                    actor=user,
                    rating=rating,
                    note=request.POST.get("note", ""),
                    stars=request.POST.get("stars"),
                )
            elif what == "step":
                services.rating_transition(
                    actor=user,
                    rating=rating,
                    action=request.POST.get("action", ""),
                    note=request.POST.get("note", ""),
                )
            else:
                raise PartyError.invalid(_("Unknown action."))
        del call
        return redirect("partywork:rating", pk=rating.pk)
    lines = selectors.rating_lines(rating)
    actions = [
        a
        for a in RATING_WORKFLOW.available(user, rating)
        if a not in ("score", "notice", "finalise", "decide")
    ]
    return render(
        request,
        "partywork/rating.html",
        {
            "rating": rating,
            "round_shown": selectors.rounds(fetched_by=user).filter(pk=rating.round_id).exists(),
            "scheme": rating.round.scheme,
            "lines": lines,
            "self_edit": rating.status == RatingStatus.DRAFT and rules.is_branch_secretary.test(user, rating),
            "score_edit": "score" in RATING_WORKFLOW.available(user, rating),
            "decide": "decide" in RATING_WORKFLOW.available(user, rating),
            "actions": actions,
            "events": [
                (e, STEP_LABELS.get(e.action, e.action), RatingStatus(e.to_status).label)
                for e in rating.events.select_related("actor")
            ],
            "objections": list(selectors.objections(fetched_by=user, rating=rating)),
            "committee": rules.is_committee.test(user, rating),
            "may_refresh": rules.manages.test(user, rating) or rules.is_branch_secretary.test(user, rating),
            "stars_range": range(1, 6),
        },
    )


def _int(raw: Any) -> int:
    text = str(raw or "")
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise Http404
    return int(text)


@login_required
def evidence_file(request: AuthenticatedHttpRequest, pk: int, line: int) -> FileResponse:
    rating = selectors.rating_get(fetched_by=request.user, pk=pk)
    found = next((ln for ln in selectors.rating_lines(rating) if ln.pk == line and ln.evidence_file), None)
    if found is None:
        raise Http404
    return FileResponse(found.evidence_file.open("rb"))


# --- member points -------------------------------------------------------------------------------------------


@login_required
def points(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    year = _year(request)
    mine = list(selectors.my_points(fetched_by=user, year=year))
    months: dict[date, int] = {}
    for e in mine:
        if e.status == EntryStatus.APPROVED:
            months[e.month] = months.get(e.month, 0) + e.points
    to_approve = selectors.points_to_approve(fetched_by=user)
    led = [b for b, post in rules._posts(user).items() if post in rules.LEADING_POSTS]
    return render(
        request,
        "partywork/points.html",
        {
            "year": year,
            "mine": mine,
            "total": sum(months.values()),
            "months": sorted(months.items()),
            "evaluations": list(selectors.my_evaluations(fetched_by=user)),
            "to_approve": to_approve,
            "led": led,
            "member": bool(rules._posts(user)),
        },
    )


@login_required
def branch_points(request: AuthenticatedHttpRequest, branch: int) -> HttpResponse:
    user = request.user
    members = selectors.branch_members(fetched_by=user, branch_id=branch)
    rules_list = list(
        selectors.points_rules(fetched_by=user).filter(node__path__in=_ancestors(members[0].party_org.node))
    )
    if request.method == "POST" and request.POST.get("action") == "auto":
        _points_from_platform(request, members[0].party_org)
        return redirect("partywork:branch_points", branch=branch)
    if request.method == "POST":
        with service_call(request, success=_("Proposed; it counts once approved.")) as call:
            membership = selectors.membership_get(fetched_by=user, pk=_int(request.POST.get("membership")))
            rule = selectors.points_rule_get(fetched_by=user, pk=_int(request.POST.get("rule")))
            if request.POST.get("grade"):
                services.peer_evaluate(
                    actor=user,
                    membership=membership,
                    year=timezone.localdate().year - 1,
                    grade=request.POST["grade"],
                )
            else:
                services.points_propose(
                    actor=user,
                    membership=membership,
                    rule=rule,
                    month=timezone.localdate(),
                    units=_int(request.POST.get("units") or "1"),
                    note=request.POST.get("note", ""),
                )
        del call
        return redirect("partywork:branch_points", branch=branch)
    entries = (
        list(selectors.points_entries(fetched_by=user).filter(membership__party_org_id=branch)[:300])
        if is_overseer.test(user)
        else []
    )
    return render(
        request,
        "partywork/branch_points.html",
        {
            "members": members,
            "rules": rules_list,
            "entries": entries,
            "branch": members[0].party_org,
            "grades": PeerGrade.choices,
        },
    )


def _points_from_platform(request: AuthenticatedHttpRequest, branch: Any) -> None:
    """Propose this month's (or last month's) points the platform saw: volunteer hours, services where
    in-service members live, neighbours' wishes fulfilled; say how many, and which rules are missing."""
    today = timezone.localdate().replace(day=1)
    month = (today - timedelta(days=1)).replace(day=1) if request.POST.get("month") == "last" else today
    with service_call(request) as call:
        result = autopoints.points_auto(actor=request.user, branch=branch, month=month)
    if not call.ok:
        return
    messages.success(
        request,
        _("%(proposed)s lines proposed from the platform for %(month)s; %(already)s were there already.")
        % {"proposed": result.proposed, "month": month.strftime("%Y-%m"), "already": result.already},
    )
    if result.capped:
        messages.info(request, _("%(n)s lines were left out by a rule's monthly cap.") % {"n": result.capped})
    if result.missing_rules:
        names = "、".join(str(PointsSource(source).label) for source in result.missing_rules)
        messages.warning(
            request,
            _("The subdistrict has no points rule for: %(names)s. Its committee can add one.")
            % {"names": names},
        )


def _ancestors(node: Any) -> list[str]:
    return [node.path[:i] for i in range(4, len(node.path) + 1, 4)]


@login_required
@require_POST
def points_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = selectors.points_entry_get(fetched_by=request.user, pk=pk)
    with service_call(request, success=_("Done.")):
        services.points_decide(actor=request.user, entry=entry, approve=request.POST.get("approve") == "1")
    return redirect("partywork:points")


# --- funds ---------------------------------------------------------------------------------------------------


@login_required
def funds(request: AuthenticatedHttpRequest) -> HttpResponse:
    year = _year(request)
    rows = selectors.budgets(fetched_by=request.user, year=year)
    totals = selectors.budget_totals(rows)
    return render(
        request,
        "partywork/funds.html",
        {
            "year": year,
            "budgets": list(rows[:500]),
            "totals": totals,
            "to_approve": list(selectors.expenses_to_approve(fetched_by=request.user)[:100]),
        },
    )


@login_required
def budget_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    budget = selectors.budget_get(fetched_by=user, pk=pk)
    if request.method == "POST":
        with service_call(request, success=_("The expense is entered and waits for approval.")) as call:
            services.expense_enter(
                actor=user,
                budget=budget,
                amount=request.POST.get("amount", ""),
                category=request.POST.get("category", ""),
                purpose=request.POST.get("purpose", ""),
                receipt=request.FILES.get("receipt"),
                spent_on=_date(request.POST.get("spent_on")),
                linked_to=request.POST.get("linked_to", ""),
            )
        if call.ok:
            return redirect("partywork:budget", pk=budget.pk)
    expenses = [
        (e, EXPENSE_WORKFLOW.available(user, e))
        for e in selectors.expenses(fetched_by=user, budget=budget)[:300]
    ]
    policy = selectors.policy_of(budget.node)
    forbidden = set(policy.forbidden_categories if policy else [])
    return render(
        request,
        "partywork/budget.html",
        {
            "budget": budget,
            "expenses": expenses,
            "grants": list(selectors.grants(fetched_by=user, budget=budget)),
            "categories": [(v, label) for v, label in ExpenseCategory.choices if v not in forbidden],
            "forbidden": [label for v, label in ExpenseCategory.choices if v in forbidden],
            "may_enter": rules.enters_for_branch.test(user, budget),
            "today": timezone.localdate(),
            "posted": request.POST if request.method == "POST" else {},
        },
        status=400 if request.method == "POST" else 200,
    )


def _date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        raise PartyError.invalid(_("Give a date like 2024-07-01."), field="spent_on") from None


@login_required
@require_POST
def expense_step(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    expense = selectors.expense_get(fetched_by=request.user, pk=pk)
    with service_call(request, success=_("Done.")):
        services.expense_transition(
            actor=request.user,
            expense=expense,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
    return redirect("partywork:budget", pk=expense.budget_id)


@login_required
def receipt(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    expense = selectors.expense_get(fetched_by=request.user, pk=pk)
    return FileResponse(expense.receipt.open("rb"))


@login_required
def funds_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every budget and expense in reach for the year, as a spreadsheet for audit."""
    from gongzhi.partywork.spreadsheets import funds_xlsx

    year = _year(request)
    body = funds_xlsx(fetched_by=request.user, year=year)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="party-funds-{year}.xlsx"'
    return response


# --- training --------------------------------------------------------------------------------------------------


@login_required
def training(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    year = _year(request)
    minutes, attended = selectors.my_study(fetched_by=user, year=year)
    ledger = selectors.study_ledger(fetched_by=user, year=year, limit=200) if is_overseer.test(user) else []
    return render(
        request,
        "partywork/training.html",
        {
            "year": year,
            "sessions": list(selectors.sessions(fetched_by=user)[:50]),
            "my_hours": (Decimal(minutes) / 60).quantize(Decimal("0.1")),
            "attended": list(attended),
            "ledger": ledger,
            "behind": sum(1 for r in ledger if r.behind),
            "member": bool(rules._posts(user)),
        },
    )


@login_required
def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(fetched_by=request.user, pk=pk)
    if request.method == "POST":
        with service_call(request, success=_("Checked in: the session counts towards your study hours.")):
            services.session_check_in(user=request.user, session=session, code=request.POST.get("code", ""))
        return redirect("partywork:session", pk=session.pk)
    staff = rules.manages.test(request.user, session)
    return render(
        request,
        "partywork/session.html",
        {
            "session": session,
            "live": session.mode == SessionMode.LIVE,
            "staff": staff,
            "qr": _session_qr(request, session) if staff and session.mode == SessionMode.IN_PERSON else None,
            # A member who scanned the code lands here with it filled in: one tap to check in.
            "scanned": request.GET.get("code", "")[:32],
            "figures": selectors.session_attendance(fetched_by=request.user, session=session)
            if staff
            else None,
            "player": json.dumps(
                {"src": session.stream_url, "beat": f"/api/v1/party/sessions/{session.pk}/heartbeat"}
            ),
        },
    )


def _session_qr(request: AuthenticatedHttpRequest, session: Any) -> dict[str, Any]:
    """The check-in QR code of an in-person session (like volunteering's): the session page's address with
    the current code, which changes every 30 seconds; the staff's screen fetches the next one."""
    import segno

    from gongzhi.partywork.checkin import WINDOW, current_code

    code = current_code(session.pk)
    url = request.build_absolute_uri(reverse("partywork:session", args=[session.pk])) + f"?code={code}"
    return {
        "svg": segno.make(url, error="m").svg_inline(scale=8, border=2),
        "code": code,
        "seconds": WINDOW - int(time.time()) % WINDOW,
        "checked_in": selectors.session_attendance(fetched_by=request.user, session=session)["checked_in"],
    }


@login_required
def session_qr(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The QR code alone, refreshed by the staff's screen every 10 seconds."""
    session = selectors.session_get(fetched_by=request.user, pk=pk)
    if session.mode != SessionMode.IN_PERSON or not rules.manages.test(request.user, session):
        raise Http404
    return render(request, "partywork/_qr.html", {"qr": _session_qr(request, session)})


# --- strong branches and terms ---------------------------------------------------------------------------------

MEASURED_SOURCES = [s for s in ItemSource if s != ItemSource.MANUAL]


def _number(raw: Any, field: str) -> int:
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise PartyError.invalid(_("Give a whole number."), field=field)
    return int(text)


def _branch_from(request: AuthenticatedHttpRequest) -> Any:
    return selectors.branch_get(fetched_by=request.user, pk=_number(request.POST.get("branch"), "branch"))


@login_required
def strong_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The strong branches (过硬支部) being cultivated, their targets met and showcase; the committee marks more."""
    user = request.user
    if request.method == "POST":
        with service_call(request, success=_("The branch is marked for cultivation.")) as call:
            targets: list[dict[str, Any]] = [
                {"name": line.strip()}
                for line in request.POST.get("targets", "").splitlines()
                if line.strip()
            ]
            source = request.POST.get("measured_source", "")
            if source:
                label = ItemSource(source).label if source in ItemSource.values else source
                name = request.POST.get("measured_name", "").strip() or str(label)
                targets.append(
                    {"name": name, "source": source, "goal": request.POST.get("measured_goal", "")}
                )
            strong = branches.strong_mark(
                actor=user,
                branch=_branch_from(request),
                targets=targets,
                started_on=_date(request.POST.get("started_on")),
                note=request.POST.get("note", ""),
            )
        if call.ok:
            return redirect("partywork:strong", pk=strong.pk)
    rows = list(selectors.strong_branches(fetched_by=user).exclude(status="ended")[:200])
    kept = selectors.branches_kept(fetched_by=user)
    may_mark = any(rules.is_committee.test(user, b) for b in kept[:1])
    return render(
        request,
        "partywork/strong.html",
        {
            "rows": rows,
            "showcase": list(selectors.showcase(fetched_by=user)[:12]),
            "may_mark": may_mark,
            "branches": kept if may_mark else [],
            "default_targets": "\n".join(branches.DEFAULT_TARGETS),
            "sources": MEASURED_SOURCES,
        },
    )


@login_required
def strong_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    strong = selectors.strong_get(fetched_by=user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        with service_call(request, success=_("Saved.")):
            if action == "check":
                target = selectors.strong_target_get(
                    fetched_by=user, pk=_number(request.POST.get("target"), "target")
                )
                if target.strong_id != strong.pk:
                    raise Http404
                branches.strong_target_check(
                    actor=user,
                    target=target,
                    met=request.POST.get("met") == "1",
                    note=request.POST.get("note", ""),
                )
            elif action == "showcase":
                month = _date(request.POST.get("month", "") + "-01" if request.POST.get("month") else None)
                branches.showcase_add(
                    actor=user,
                    strong=strong,
                    month=month or timezone.localdate(),
                    title=request.POST.get("title", ""),
                    text=request.POST.get("text", ""),
                    photo=request.FILES.get("photo"),
                )
            elif action in ("recognise", "end"):
                branches.strong_close(
                    actor=user,
                    strong=strong,
                    recognised=action == "recognise",
                    note=request.POST.get("note", ""),
                )
            else:
                raise PartyError.invalid(_("Unknown action."))
        return redirect("partywork:strong", pk=strong.pk)
    year = timezone.localdate().year
    progress = branches.strong_progress(fetched_by=user, strong=strong, year=year)
    entries = list(selectors.showcase(fetched_by=user, strong=strong)[:24])
    months_done = {e.month.month for e in entries if e.month.year == year}
    first = strong.started_on.month if strong.started_on.year == year else 1
    missing = [m for m in range(first, timezone.localdate().month + 1) if m not in months_done]
    placed = branches._Placed(strong.node, strong.branch_id)
    return render(
        request,
        "partywork/strong_detail.html",
        {
            "strong": strong,
            "progress": progress,
            "met": sum(1 for p in progress if p.met),
            "entries": entries,
            "missing": missing,
            "year": year,
            "this_month": timezone.localdate().strftime("%Y-%m"),
            "reviewer": rules.is_reviewer.test(user, placed) and strong.status == "cultivating",
            "may_showcase": strong.status != "ended"
            and (rules.is_branch_secretary.test(user, placed) or rules.manages.test(user, placed)),
            "committee": rules.is_committee.test(user, strong) and strong.status == "cultivating",
        },
    )


@login_required
def showcase_photo(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    entry = selectors.showcase(fetched_by=request.user).filter(pk=pk).first()
    if entry is None or not entry.photo:
        raise Http404
    return FileResponse(entry.photo.open("rb"), content_type="image/jpeg")


@login_required
def terms(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Branch committees' terms, those ending first; staff record elections (换届) and terms."""
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        with service_call(request, success=_("Saved.")):
            branch = _branch_from(request)
            if action == "term":
                held = _date(request.POST.get("elected_on"))
                branches.term_set(actor=user, branch=branch, elected_on=held or timezone.localdate())
            elif action == "election":
                held = _date(request.POST.get("held_on"))
                branches.election_record(
                    actor=user,
                    branch=branch,
                    held_on=held or timezone.localdate(),
                    eligible=_number(request.POST.get("eligible"), "eligible"),
                    voted=_number(request.POST.get("voted"), "voted"),
                    committee_size=_number(request.POST.get("committee_size"), "committee_size"),
                    kind=request.POST.get("kind", "regular"),
                    note=request.POST.get("note", ""),
                )
            else:
                raise PartyError.invalid(_("Unknown action."))
        return redirect("partywork:terms")
    today = timezone.localdate()
    # Each term with the days left, and for one already ended the days it is overdue (shown as such, not "-19").
    rows = [
        (t, left, -left)
        for t in selectors.terms(fetched_by=user)[:500]
        for left in [(t.ends_on - today).days]
    ]
    kept = selectors.branches_kept(fetched_by=user)
    return render(
        request,
        "partywork/terms.html",
        {
            "rows": rows,
            "due": sum(1 for _t, left, _o in rows if left <= 90),
            "ended": sum(1 for _t, left, _o in rows if left < 0),
            "elections": list(selectors.elections(fetched_by=user)[:30]),
            "branches": kept,
            "today": today.isoformat(),
        },
    )


# --- branch meetings ------------------------------------------------------------------------------------------


@login_required
def meetings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The branches' organisational life (三会一课, study days): meetings held this year with their minutes;
    secretaries and staff record a meeting and add minutes, which count as evidence for the star rating."""
    user = request.user
    recording = selectors.branches_recording(fetched_by=user)
    if request.method == "POST":
        action = request.POST.get("action")
        with service_call(request, success=_("Saved.")):
            if action == "record":
                branches.meeting_record(
                    actor=user,
                    branch=_branch_from(request),
                    kind=request.POST.get("kind", ""),
                    held_on=_date(request.POST.get("held_on")) or timezone.localdate(),
                    topic=request.POST.get("topic", ""),
                    attended=_number(request.POST.get("attended"), "attended"),
                    minutes=request.FILES.get("minutes"),
                )
            elif action == "minutes":
                meeting = selectors.meeting_get(
                    fetched_by=user, pk=_number(request.POST.get("meeting"), "meeting")
                )
                branches.meeting_minutes_add(
                    actor=user, meeting=meeting, minutes=request.FILES.get("minutes")
                )
            else:
                raise PartyError.invalid(_("Unknown action."))
        return redirect(
            reverse("partywork:meetings") + (f"?year={_year(request)}" if "year" in request.GET else "")
        )
    year = _year(request)
    rows = list(selectors.meetings(fetched_by=user, year=year)[:300])
    may_record = {b.pk for b in recording}
    by_branch: dict[str, list[int]] = {}
    for m in rows:
        held, minuted = by_branch.setdefault(m.branch.name, [0, 0])
        by_branch[m.branch.name] = [held + 1, minuted + (1 if m.minutes else 0)]
    return render(
        request,
        "partywork/meetings.html",
        {
            "rows": [(m, m.branch_id in may_record) for m in rows],
            "by_branch": sorted(by_branch.items()),
            "held": len(rows),
            "minuted": sum(1 for m in rows if m.minutes),
            "year": year,
            "recording": recording,
            "kinds": MeetingKind.choices,
            "today": timezone.localdate().isoformat(),
        },
    )


@login_required
def meeting_minutes(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    meeting = selectors.meeting_get(fetched_by=request.user, pk=pk)
    if not meeting.minutes:
        raise Http404
    return FileResponse(meeting.minutes.open("rb"))
