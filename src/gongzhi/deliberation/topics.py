"""Councils and their members (with the 3+X composition check), and topics: from an appeal in one click, a
resident's proposal gathering households' support, or a council member; consultation and ratings."""

from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Person, User
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import Appeal
from gongzhi.appeals.workflow import appeal_transition
from gongzhi.core.rules import staff_at
from gongzhi.deliberation import rules
from gongzhi.deliberation.errors import DeliberationError
from gongzhi.deliberation.models import (
    CompositionRule,
    Council,
    CouncilMember,
    Reaction,
    Seat,
    Topic,
    TopicComment,
    TopicEvent,
    TopicRating,
    TopicSource,
    TopicStatus,
    TopicSupport,
)
from gongzhi.deliberation.workflow import topic_people
from gongzhi.notifications.services import notify
from gongzhi.orgs.models import Node, NodeKind

COUNCIL_LEVELS = (NodeKind.COMPOUND, NodeKind.COMMUNITY, NodeKind.SUBDISTRICT)
THREE = (Seat.PARTY_ORG, Seat.OWNERS_COMMITTEE, Seat.PROPERTY_MANAGER)


def _text(value: str, limit: int, field: str, message: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise DeliberationError.invalid(_("Text may not contain NUL characters."), field=field)
    if required and not value:
        raise DeliberationError.invalid(message, field=field)
    if len(value) > limit:
        raise DeliberationError.invalid(_("At most %(n)s characters.") % {"n": limit}, field=field)
    return value


def composition_problems(seats: list[str], rule: str) -> list[str]:
    """What the members' seats lack under the council's composition rule (empty: it holds)."""
    if rule != CompositionRule.THREE_PLUS_X:
        return []
    missing = [str(Seat(s).label) for s in THREE if s not in seats]
    problems = [_("No member for: %(seats)s") % {"seats": "、".join(missing)}] if missing else []
    if not any(s not in THREE for s in seats):
        problems.append(_("No member beyond the three parties (the X)."))
    return problems


def council_create(
    *,
    actor: User,
    node: Node,
    name: str,
    series: str = "",
    rule: str = CompositionRule.NONE,
    notice_days: int = 3,
    support_needed: int = 10,
) -> Council:
    if node.kind not in COUNCIL_LEVELS:
        raise DeliberationError.invalid(
            _("A council sits at a compound, community or subdistrict."), field="node"
        )
    if not staff_at.test(actor, node):
        raise DeliberationError.forbidden(_("Only staff over this place set up its councils."))
    if rule not in CompositionRule.values:
        raise DeliberationError.invalid(_("Unknown composition rule."), field="rule")
    if not (0 <= notice_days <= 60) or not (1 <= support_needed <= 10000):
        raise DeliberationError.invalid(
            _("Notice is 0–60 days; support 1–10000 households."), field="notice_days"
        )
    return Council.objects.create(
        node=node,
        name=_text(name, 60, "name", _("Name the council.")),
        series=_text(series, 30, "series", "", required=False),
        rule=rule,
        notice_days=notice_days,
        support_needed=support_needed,
    )


def council_member_add(
    *, actor: User, council: Council, name: str, seat: str, user: User | None = None, unit: str = ""
) -> CouncilMember:
    if not rules.runs_council.test(actor, council):
        raise DeliberationError.forbidden(_("Only those who run the council change its members."))
    if seat not in Seat.values:
        raise DeliberationError.invalid(_("Choose a seat."), field="seat")
    name = _text(name or (user.display_name if user else ""), 40, "name", _("Give the member's name."))
    try:
        with transaction.atomic():
            return CouncilMember.objects.create(
                council=council,
                user=user,
                name=name,
                seat=seat,
                unit=_text(unit, 60, "unit", "", required=False),
            )
    except IntegrityError:
        raise DeliberationError.conflict("already_member", _("This person is already a member.")) from None


def council_member_remove(*, actor: User, member: CouncilMember) -> None:
    council = member.council
    if not rules.runs_council.test(actor, council):
        raise DeliberationError.forbidden(_("Only those who run the council change its members."))
    seats = list(council.members.values_list("seat", flat=True))
    if not composition_problems(seats, council.rule):
        seats.remove(member.seat)
        problems = composition_problems(seats, council.rule)
        if problems:
            raise DeliberationError.conflict("composition", " ".join(problems))
    try:
        with transaction.atomic():
            member.delete()
    except ProtectedError:
        # Their attendance stays in the meetings' record (minutes name who was there).
        raise DeliberationError.conflict(
            "member_has_record", _("This member has attended meetings, so they stay in the council's record.")
        ) from None


def council_roles_set(
    *, actor: User, council: Council, chair: User | None, secretary: User | None
) -> Council:
    if not (rules.council_staff.test(actor, council)):
        raise DeliberationError.forbidden(
            _("Only staff over the council's place name its chair and secretary.")
        )
    member_users = set(council.members.exclude(user=None).values_list("user_id", flat=True))
    for who in (chair, secretary):
        if who is not None and who.pk not in member_users:
            raise DeliberationError.invalid(
                _("The chair and the secretary are members of the council."), field="chair"
            )
    Council.objects.filter(pk=council.pk).update(  # unscoped: the council fetched in scope
        chair=chair, secretary=secretary
    )
    council.chair, council.secretary = chair, secretary
    return council


def _record(topic: Topic, actor: User | None, action: str, note: str = "") -> None:
    TopicEvent.objects.create(
        topic=topic, actor=actor, action=action, from_status="", to_status=topic.status, note=note[:300]
    )


def topic_propose(*, actor: User, council: Council, title: str, body: str = "") -> Topic:
    """A council member (or staff) puts a topic forward; a resident's proposal gathers support first."""
    title = _text(title, 80, "title", _("Say what the topic is."))
    body = _text(body, 2000, "body", "", required=False)
    if rules.runs_council.test(actor, council) or council.members.filter(user_id=actor.pk).exists():
        source, needed = TopicSource.MEMBER, 0
    elif rules.lives_near.test(actor, council):
        source, needed = TopicSource.PROPOSAL, council.support_needed
    else:
        raise DeliberationError.forbidden(_("You can propose topics only where you live."))
    with transaction.atomic():
        topic = Topic.objects.create(
            node=council.node,
            council=council,
            title=title,
            body=body,
            source=source,
            proposer=actor,
            support_needed=needed,
        )
        _record(topic, actor, "propose")
        if source == TopicSource.PROPOSAL:
            topic_support(actor=actor, topic=topic)
            topic.refresh_from_db()
    return topic


def topic_from_appeal(*, actor: User, appeal: Appeal, council: Council, title: str = "") -> Topic:
    """One click from an appeal (or hot issue): the topic links the appeal, the appeal's timeline notes it,
    and its filers are told."""
    if not rules.runs_council.test(actor, council) or not staff_at.test(actor, appeal.handling_node):
        raise DeliberationError.forbidden(
            _("Only staff handling the appeal and running the council can do this.")
        )
    if not appeal.node.path.startswith(council.node.path):
        raise DeliberationError.invalid(_("Choose a council over the appeal's place."), field="council")
    if appeal.status not in ("submitted", "accepted", "assigned", "proposed", "transferred"):
        raise DeliberationError.wrong_state(_("Only an open appeal becomes a topic."))
    title = _text(title or appeal.title, 80, "title", _("Say what the topic is."))
    try:
        with transaction.atomic():
            topic = Topic.objects.create(
                node=council.node,
                council=council,
                title=title,
                body=appeal.body[:2000],
                source=TopicSource.APPEAL,
                appeal=appeal,
                proposer=actor,
                status=TopicStatus.ACCEPTED,
            )
            _record(topic, actor, "from_appeal", f"#{appeal.pk}")
            if appeal.status == "submitted":
                appeal_transition(actor=actor, appeal=appeal, action="accept")
            appeal_transition(
                actor=actor,
                appeal=appeal,
                action="comment",
                note=_("Taken to the council %(c)s as topic no. %(n)s.") % {"c": council.name, "n": topic.pk},
            )
            notify(
                recipients=[u for u in topic_people(topic) if u.pk != actor.pk],
                kind="topic_from_appeal",
                title=_("Your appeal goes to the council: %(t)s") % {"t": topic.title},
                body=council.name,
                link=f"/deliberation/topics/{topic.pk}/",
            )
    except IntegrityError:
        raise DeliberationError.conflict("already_topic", _("This appeal is already a topic.")) from None
    except AppealError as exc:
        raise DeliberationError(exc.code, exc.message, status=exc.status) from None
    return topic


def household_of(user: User) -> str:
    """A household in the register (place and room); someone not in the register is their own household."""
    person = (
        # unscoped: the user's own register entry, by its user index
        Person.objects.filter(user_id=user.pk).order_by("pk").values_list("node_id", "room").first()
    )
    if person is not None and person[1]:
        return f"{person[0]}:{person[1]}"[:40]
    return f"user:{user.pk}"


def topic_support(*, actor: User, topic: Topic) -> Topic:
    if topic.source != TopicSource.PROPOSAL or topic.status != TopicStatus.PROPOSED:
        raise DeliberationError.wrong_state(_("Only a proposal waiting for support can be supported."))
    if not rules.lives_near.test(actor, topic):
        raise DeliberationError.forbidden(_("You can support proposals only where you live."))
    try:
        with transaction.atomic():
            TopicSupport.objects.create(topic=topic, user=actor, household=household_of(actor))
            Topic.objects.filter(pk=topic.pk).update(  # unscoped: the topic fetched in scope
                support_count=F("support_count") + 1
            )
    except IntegrityError:
        raise DeliberationError.conflict(
            "already_supported", _("Your household already supports this proposal.")
        ) from None
    topic.refresh_from_db(fields=["support_count"])
    if topic.support_count == topic.support_needed:
        people = [topic.council.chair, topic.council.secretary]
        notify(
            recipients=[p for p in people if p is not None],
            kind="topic_supported",
            title=_("A proposal has enough support: %(t)s") % {"t": topic.title},
            link=f"/deliberation/topics/{topic.pk}/",
        )
    return topic


def topic_comment(*, actor: User, topic: Topic, reaction: str, body: str = "") -> TopicComment:
    """Online consultation before a meeting: one voice per person; a second replaces the first."""
    if topic.status not in (TopicStatus.PROPOSED, TopicStatus.ACCEPTED, TopicStatus.SCHEDULED):
        raise DeliberationError.wrong_state(_("Consultation is closed once the topic is deliberated."))
    if not rules.lives_near.test(actor, topic):
        raise DeliberationError.forbidden(_("You can comment only where you live."))
    if reaction not in Reaction.values:
        raise DeliberationError.invalid(_("Choose agree, concerned or an idea."), field="reaction")
    body = _text(body, 300, "body", "", required=False)
    comment, _created = TopicComment.objects.update_or_create(
        topic=topic, user=actor, defaults={"reaction": reaction, "body": body}
    )
    return comment


def topic_rate(*, actor: User, topic: Topic, score: int, comment: str = "") -> TopicRating:
    """群众评议: residents where the topic was decided rate the outcome once it is done."""
    if topic.status != TopicStatus.DONE:
        raise DeliberationError.wrong_state(_("A topic is rated once its decision is carried out."))
    if not rules.lives_near.test(actor, topic) or rules.runs_topic.test(actor, topic):
        raise DeliberationError.forbidden(_("Residents where the topic was decided rate it."))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise DeliberationError.invalid(_("Rate from 1 to 5."), field="score")
    comment = _text(comment, 300, "comment", "", required=False)
    try:
        with transaction.atomic():
            return TopicRating.objects.create(topic=topic, user=actor, score=score, comment=comment)
    except IntegrityError:
        raise DeliberationError.conflict("already_rated", _("You have already rated this topic.")) from None
