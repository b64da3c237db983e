"""The mediation case desk: the cases one mediates (others see counts), a case with its sessions, agreement
and follow-ups, and the printable 调解协议书."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.appeals.selectors import appeal_get
from gongzhi.core.rules import is_caseworker
from gongzhi.core.web import role_required, service_call
from gongzhi.deliberation import forms as F
from gongzhi.deliberation import rules, selectors, services
from gongzhi.deliberation.errors import MediationError
from gongzhi.deliberation.mediation import JUDICIAL_CONFIRMATION_DAYS
from gongzhi.deliberation.models import CaseKind
from gongzhi.deliberation.views import appeal_asked
from gongzhi.orgs.selectors import compounds_of, node_get


@role_required(is_caseworker)
def case_desk(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        with service_call(request, success=_("The case is opened.")) as call:
            data = F.parsed(F.CaseForm, request.POST)
            parties = [{"name": data["applicant"], "phone": data["applicant_phone"], "side": "applicant"}]
            if data["respondent"]:
                parties.append(
                    {"name": data["respondent"], "phone": data["respondent_phone"], "side": "respondent"}
                )
            case = services.case_open(
                actor=user,
                node=node_get(fetched_by=user, pk=data["node"]),
                kind=data["kind"],
                source=data["source"],
                title=data["title"],
                facts=data["facts"],
                claims=data["claims"],
                at_risk=data["at_risk"],
                parties=parties,
            )
        if call.ok:
            return redirect("deliberation:case", pk=case.pk)
    return render(
        request,
        "deliberation/case_desk.html",
        {
            "cases": list(selectors.case_list(fetched_by=user)[:200]),
            "counts": selectors.case_counts(fetched_by=user),
            "compounds": compounds_of(fetched_by=user),
            "kinds": CaseKind.choices,
            "appeal_asked": appeal_asked(request),
        },
    )


@role_required(is_caseworker)
@require_POST
def case_from_appeal(request: AuthenticatedHttpRequest) -> HttpResponse:
    with service_call(request, success=_("The appeal is now a mediation case.")) as call:
        data = F.parsed(F.FromAppealForm, request.POST)
        appeal = appeal_get(fetched_by=request.user, pk=data["appeal"])
        case = services.case_from_appeal(
            actor=request.user,
            appeal=appeal,
            kind=data["kind"] or CaseKind.NEIGHBOURS,
            at_risk=data["at_risk"],
        )
    if call.ok:
        return redirect("deliberation:case", pk=case.pk)
    return redirect("deliberation:case_desk")


@login_required
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case = selectors.case_get(fetched_by=user, pk=pk, request=request)
    if request.method == "POST":
        with service_call(request, success=_("Done.")):
            what = request.POST.get("do", "")
            if what == "agree":
                data = F.parsed(F.AgreeForm, request.POST)
                services.case_transition(actor=user, case=case, action="agree", **data)
            elif what == "refer":
                data = F.parsed(F.ReferForm, request.POST)
                services.case_transition(actor=user, case=case, action="refer", **data)
            elif what == "withdraw":
                services.case_transition(actor=user, case=case, action="withdraw")
            elif what == "risk":
                services.case_flag_risk(actor=user, case=case)
            elif what == "session":
                data = F.parsed(F.SessionForm, request.POST)
                services.session_record(actor=user, case=case, **data)
            elif what == "follow_up":
                data = F.parsed(F.FollowUpForm, request.POST)
                services.follow_up_schedule(actor=user, case=case, due=data["due"])
            elif what == "visit":
                data = F.parsed(F.FollowUpDoneForm, request.POST)
                visit = case.follow_ups.filter(pk=data["visit"]).first()
                if visit is None:
                    raise MediationError.not_found()
                services.follow_up_record(
                    actor=user, visit=visit, performed=data["performed"], note=data["note"]
                )
            else:
                raise MediationError.invalid(_("Unknown action."))
        return redirect("deliberation:case", pk=pk)
    party = selectors.party_view(user, case) and not rules.mediates.test(user, case)
    return render(
        request,
        "deliberation/case.html",
        {
            "case": case,
            "mediates": rules.mediates.test(user, case),
            "party_only": party,
            "parties": list(case.parties.all()),
            "sessions": list(case.sessions.all()),
            "follow_ups": list(case.follow_ups.all()),
            "events": list(case.events.all()),
        },
    )


@login_required
def agreement(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """调解协议书, printable, with the elements People's Mediation Law art. 29 requires."""
    case = selectors.case_get(fetched_by=request.user, pk=pk, request=request)
    if case.outcome != "written":
        raise MediationError.not_found()
    deadline = case.signed_at + timedelta(days=JUDICIAL_CONFIRMATION_DAYS) if case.signed_at else None
    return render(
        request,
        "deliberation/agreement.html",
        {
            "case": case,
            "parties": list(case.parties.all()),
            "mediators": list(case.mediators.select_related("user")),
            "deadline": deadline,
            "days": JUDICIAL_CONFIRMATION_DAYS,
        },
    )
