"""Mediation cases: opened from an appeal in one click, a walk-in, or a referral by the police or a court;
parties (from the register or outside; phones encrypted), assigned mediators, sessions, an agreement with the
elements the People's Mediation Law requires (or an oral agreement recorded, or no agreement and a referral,
or withdrawal), follow-up visits. A case at risk of escalation tells the community's police liaison at once."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Person, User
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import Appeal
from gongzhi.appeals.workflow import appeal_transition
from gongzhi.core import pii
from gongzhi.core.audit import audit_record
from gongzhi.core.rules import staff_at
from gongzhi.deliberation import rules
from gongzhi.deliberation.errors import MediationError
from gongzhi.deliberation.models import (
    CaseEvent,
    CaseFollowUp,
    CaseKind,
    CaseMediator,
    CaseParty,
    CaseSession,
    CaseSource,
    CaseStatus,
    CouncilMember,
    MediationCase,
    Seat,
)
from gongzhi.deliberation.topics import _text
from gongzhi.deliberation.workflow import case_transition
from gongzhi.notifications.services import notify
from gongzhi.orgs.models import Node, NodeKind

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 1, 1)
JUDICIAL_CONFIRMATION_DAYS = 30  # People's Mediation Law art. 33


def _community_of(node: Node) -> Node:
    if node.kind == NodeKind.COMMUNITY:
        return node
    community = node.get_ancestors().filter(kind=NodeKind.COMMUNITY).first()
    return community or node


def police_liaisons(node: Node) -> list[User]:
    """The police seats of the councils of the case's community (the community's police liaison)."""
    community = _community_of(node)
    members = CouncilMember.objects.filter(  # unscoped: the system looks up whom to alert
        seat=Seat.POLICE, council__node__path__startswith=community.path, user__isnull=False
    ).select_related("user")
    return [m.user for m in members if m.user is not None]


def case_open(
    *,
    actor: User,
    node: Node,
    kind: str,
    source: str,
    title: str,
    facts: str,
    claims: str = "",
    at_risk: bool = False,
    parties: list[dict] | None = None,
    mediators: list[tuple[User, str]] | None = None,
    appeal: Appeal | None = None,
) -> MediationCase:
    if node.kind not in (NodeKind.COMPOUND, NodeKind.COMMUNITY, NodeKind.BUILDING):
        raise MediationError.invalid(_("A case belongs to a compound or community."), field="node")
    if not staff_at.test(actor, node):
        raise MediationError.forbidden(_("Only staff over this place open mediation cases."))
    if kind not in CaseKind.values:
        raise MediationError.invalid(_("Choose the kind of dispute."), field="kind")
    if source not in CaseSource.values:
        raise MediationError.invalid(_("Say where the case comes from."), field="source")
    parties = parties or []
    if not 1 <= len(parties) <= 20:
        raise MediationError.invalid(_("Name the parties (1 to 20)."), field="parties")
    mediators = mediators or [(actor, "")]
    cleaned = []
    for p in parties:
        name = _text(p.get("name", ""), 40, "parties", _("Give each party's name."))
        phone = (p.get("phone") or "").strip()
        if phone:
            try:
                phone = pii.normalize_phone(phone)
            except ValidationError:
                raise MediationError.invalid(_("A mobile number has 11 digits."), field="parties") from None
        side = p.get("side") or "applicant"
        if side not in ("applicant", "respondent"):
            raise MediationError.invalid(_("A party applies or responds."), field="parties")
        cleaned.append(
            (
                name,
                phone,
                side,
                _text(p.get("address", ""), 80, "parties", "", required=False),
                p.get("user"),
                p.get("person_id"),
            )
        )
    try:
        with transaction.atomic():
            case = MediationCase.objects.create(
                node=node,
                kind=kind,
                source=source,
                appeal=appeal,
                title=_text(title, 80, "title", _("Name the case.")),
                facts=_text(facts, 3000, "facts", _("Write down the facts and the disputed matters.")),
                claims=_text(claims, 2000, "claims", "", required=False),
                at_risk=bool(at_risk),
                opened_by=actor,
            )
            for name, phone, side, address, user, person_id in cleaned:
                party = CaseParty(
                    case=case, name=name, side=side, address=address, user=user, person_id_ref=person_id
                )
                party.set_phone(phone)
                party.save()
            for user, team in mediators:
                CaseMediator.objects.get_or_create(case=case, user=user, defaults={"team": team[:40]})
            CaseEvent.objects.create(
                case=case, actor=actor, action="open", from_status="", to_status=case.status
            )
            audit_record(actor=actor, action="mediationcase.open_case", target=case, node=node)
            if at_risk:
                _alert(case, actor)
            notify(
                recipients=[u for u, _t in mediators if u.pk != actor.pk],
                kind="case_assigned",
                title=_("You mediate a new case: %(t)s") % {"t": case.title},
                link=f"/deliberation/mediation/{case.pk}/",
            )
    except IntegrityError:
        raise MediationError.conflict("already_case", _("This appeal is already a mediation case.")) from None
    return case


def _alert(case: MediationCase, actor: User | None) -> None:
    notify(
        recipients=police_liaisons(case.node),
        kind="case_at_risk",
        title=_("A dispute may escalate: %(t)s") % {"t": case.title},
        body=case.node.name,
        link=f"/deliberation/mediation/{case.pk}/",
        sms=True,
    )


def case_from_appeal(
    *, actor: User, appeal: Appeal, kind: str = CaseKind.NEIGHBOURS, at_risk: bool = False
) -> MediationCase:
    """One click from a neighbour-dispute appeal: its filer is the first party; the appeal notes the case
    (internally: the case is confidential)."""
    if not staff_at.test(actor, appeal.handling_node):
        raise MediationError.forbidden(_("Only staff handling the appeal can do this."))
    if appeal.status not in ("submitted", "accepted", "assigned", "proposed", "transferred"):
        raise MediationError.wrong_state(_("Only an open appeal becomes a mediation case."))
    resident = appeal.resident
    first = {
        "name": resident.name
        if resident
        else (appeal.submitted_by.display_name if appeal.submitted_by else "") or _("Applicant"),
        "user": resident.user if resident and resident.user_id else appeal.submitted_by,
        "person_id": resident.pk if resident else None,
        "phone": resident.decrypt_phone() if resident else "",
    }
    try:
        with transaction.atomic():
            case = case_open(
                actor=actor,
                node=appeal.node,
                kind=kind,
                source=CaseSource.APPEAL,
                title=appeal.title[:80],
                facts=appeal.body[:3000],
                at_risk=at_risk,
                parties=[first],
                appeal=appeal,
            )
            if appeal.status == "submitted":
                appeal_transition(actor=actor, appeal=appeal, action="accept")
            appeal_transition(
                actor=actor,
                appeal=appeal,
                action="comment",
                note=_("Taken to mediation as case no. %(n)s.") % {"n": case.pk},
            )
    except AppealError as exc:
        raise MediationError(exc.code, exc.message, status=exc.status) from None
    return case


def case_party_add(
    *, actor: User, case: MediationCase, name: str, side: str, phone: str = "", person: Person | None = None
) -> CaseParty:
    if not rules.mediates.test(actor, case):
        raise MediationError.forbidden(_("Only the case's mediators do this."))
    if side not in ("applicant", "respondent"):
        raise MediationError.invalid(_("A party applies or responds."), field="side")
    party = CaseParty(
        case=case,
        name=_text(name or (person.name if person else ""), 40, "name", _("Give the party's name.")),
        side=side,
        user=person.user if person else None,
        person_id_ref=person.pk if person else None,
    )
    if phone:
        try:
            party.set_phone(phone)
        except ValidationError:
            raise MediationError.invalid(_("A mobile number has 11 digits."), field="phone") from None
    elif person is not None:
        party.set_phone(person.decrypt_phone())
    party.save()
    return party


def case_flag_risk(*, actor: User, case: MediationCase) -> MediationCase:
    if not rules.mediates.test(actor, case):
        raise MediationError.forbidden(_("Only the case's mediators do this."))
    if case.at_risk:
        return case
    with transaction.atomic():
        MediationCase.objects.filter(pk=case.pk).update(at_risk=True)  # unscoped: fetched in scope
        case.at_risk = True
        CaseEvent.objects.create(
            case=case, actor=actor, action="flag_risk", from_status=case.status, to_status=case.status
        )
        _alert(case, actor)
    return case


def session_record(
    *, actor: User, case: MediationCase, at: datetime, place: str, present: str, notes: str = ""
) -> CaseSession:
    if not rules.mediates.test(actor, case):
        raise MediationError.forbidden(_("Only the case's mediators do this."))
    if case.status != CaseStatus.OPEN:
        raise MediationError.wrong_state(_("Sessions are held while the case is being mediated."))
    if not EARLIEST <= at.date() <= LATEST:
        raise MediationError.invalid(_("Choose a date between 2000 and 2100."), field="at")
    return CaseSession.objects.create(
        case=case,
        at=at,
        place=_text(place, 80, "place", _("Say where the session was.")),
        present=_text(present, 200, "present", _("Say who came.")),
        notes=_text(notes, 3000, "notes", "", required=False),
        recorded_by=actor,
    )


def follow_up_schedule(*, actor: User, case: MediationCase, due: date) -> CaseFollowUp:
    if not rules.mediates.test(actor, case):
        raise MediationError.forbidden(_("Only the case's mediators do this."))
    if case.status not in (CaseStatus.AGREED, CaseStatus.FOLLOW_UP):
        raise MediationError.wrong_state(_("Follow-up visits come after an agreement."))
    if not EARLIEST <= due <= LATEST:
        raise MediationError.invalid(_("Choose a date between 2000 and 2100."), field="due")
    return CaseFollowUp.objects.create(case=case, due=due)


def follow_up_record(*, actor: User, visit: CaseFollowUp, performed: bool, note: str) -> CaseFollowUp:
    """回访 done: whether the agreement is being performed; performed in full moves the case on."""
    case = visit.case
    if not rules.mediates.test(actor, case):
        raise MediationError.forbidden(_("Only the case's mediators do this."))
    if visit.done_at is not None:
        raise MediationError.wrong_state(_("This visit is already recorded."))
    note = _text(note, 300, "note", _("Write down what the parties said."))
    with transaction.atomic():
        CaseFollowUp.objects.filter(pk=visit.pk).update(
            done_at=timezone.now(), performed=performed, note=note
        )
        visit.done_at, visit.performed, visit.note = timezone.now(), performed, note
        if performed and case.status == CaseStatus.AGREED:
            case_transition(actor=actor, case=case, action="performed", note=note)
    return visit
