"""Filing an appeal (intake) and adding photos to it."""

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Person, User
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    Category,
    Channel,
    PhotoKind,
    Status,
    Tier,
)
from gongzhi.appeals.routing import Lookups, ancestor_of_kind, handling_node_for, read_once
from gongzhi.appeals.rules import handles, is_assignee, is_filer, may_file_at
from gongzhi.appeals.sla import deadline, sla_policy
from gongzhi.appeals.tasks import flag_duplicates
from gongzhi.appeals.triage import auto_apply_threshold, category_suggestion
from gongzhi.core.geo import distance_m
from gongzhi.core.images import clean_photo
from gongzhi.core.rules import staff_at
from gongzhi.orgs.models import Node, NodeKind


def appeal_submit(
    *,
    actor: User,
    node: Node,
    title: str,
    body: str,
    category: Category | None = None,
    channel: str = Channel.WEB,
    resident: Person | None = None,
    lat: float | None = None,
    lng: float | None = None,
    hidden_from_neighbours: bool = False,
    open_data: bool = False,
    client_key: str = "",
) -> tuple[Appeal, bool]:
    """File an appeal at the compound it concerns. Returns (appeal, created): a repeated client key
    returns the appeal it first created, so a double tap is one appeal."""
    client_key = (client_key or "").strip()[:64]
    if client_key:
        # unscoped: the actor's own earlier appeal under this idempotency key
        existing = Appeal.objects.filter(submitted_by=actor, client_key=client_key).first()
        if existing is not None:
            return existing, False
    if node.kind not in (NodeKind.COMPOUND, NodeKind.BUILDING):
        raise AppealError.invalid(_("Choose the compound or building the problem is in."), field="node")
    if not may_file_at(actor, node):
        raise AppealError.forbidden(_("You cannot file an appeal for this place."))
    staff = staff_at.test(actor, node)
    if channel not in Channel.values:
        raise AppealError.invalid(_("Unknown channel."), field="channel")
    if not staff and channel not in (Channel.WEB, Channel.API, Channel.OPEN311):
        raise AppealError.invalid(
            _("Only staff record walk-in, phone and door-to-door appeals."), field="channel"
        )
    if resident is not None and not staff and resident.user_id != actor.pk:
        raise AppealError.forbidden(_("You can only file appeals for yourself."))
    if resident is None and not staff:
        # By its user index: the register's default order by place has PostgreSQL walk the places first.
        # unscoped: the actor's own register entry
        resident = Person.objects.filter(user=actor).order_by("pk").first()
    if (lat is None) != (lng is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)):  # type: ignore[operator]
        raise AppealError.invalid(_("Give both latitude and longitude, or neither."), field="lat")
    if lat is not None and lng is not None:
        _check_pin(node, lat, lng)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise AppealError.invalid(_("Say briefly what the problem is, and give the details."), field="title")
    with read_once(lambda: Lookups.for_intake(node)):
        now = timezone.now()
        suggested, confidence = category_suggestion(
            title=title, body=body, subdistrict=ancestor_of_kind(node, NodeKind.SUBDISTRICT)
        )
        auto = category is None and suggested is not None and (confidence or 0) >= auto_apply_threshold()
        appeal = Appeal(
            node=node,
            handling_node=handling_node_for(node, Tier.COMPOUND),
            tier=Tier.COMPOUND,
            category=suggested if auto else category,
            category_auto=auto,
            category_confirmed=staff and category is not None,
            suggested_category=suggested,
            suggestion_confidence=confidence,
            title=title[:120],
            body=body[:5000],
            channel=channel,
            lat=lat,
            lng=lng,
            hidden_from_neighbours=hidden_from_neighbours,
            open_data=open_data and not hidden_from_neighbours,
            resident=resident,
            submitted_by=actor,
            client_key=client_key,
            created_at=now,
        )
        (accept_limit, accept_unit), _resolve = sla_policy(appeal=appeal)
        appeal.accept_due = deadline(now, accept_limit, accept_unit)
        try:
            with transaction.atomic():
                appeal.save()
                AppealEvent.objects.create(
                    appeal=appeal,
                    actor=actor,
                    action="submit",
                    to_status=appeal.status,
                    to_tier=appeal.tier,
                    detail={"channel": channel}
                    | (
                        {"suggested": suggested.pk, "confidence": confidence, "auto": auto}
                        if suggested
                        else {}
                    ),
                    at=now,
                )
                transaction.on_commit(lambda: _look_for_duplicates(appeal.pk))
        except IntegrityError:
            # Two requests with the same client key raced; the other one won.
            if client_key:
                # unscoped: the actor's own earlier appeal under this idempotency key
                return Appeal.objects.get(submitted_by=actor, client_key=client_key), False
            raise
        return appeal, True


def pin_limit_km() -> float:
    """How far from the chosen place a map pin may be (settings.GONGZHI_PIN_MAX_KM, 3 km by default)."""
    return float(getattr(settings, "GONGZHI_PIN_MAX_KM", 3.0))


def _check_pin(node: Node, lat: float, lng: float) -> None:
    """Refuse a pin far from the place chosen (a slip of the finger, or the map scrolled to another
    city): measured from the place's own point, or its compound's."""
    source = node if node.lat is not None else ancestor_of_kind(node, NodeKind.COMPOUND)
    if source is None or source.lat is None or source.lng is None:
        return
    km = distance_m(source.lat, source.lng, lat, lng) / 1000
    if km > pin_limit_km():
        raise AppealError.invalid(
            _(
                "The spot marked on the map is %(km)s km from %(place)s. Tap the map at the place of the "
                "problem, or remove the mark."
            )
            % {"km": f"{km:.1f}" if km < 100 else f"{km:.0f}", "place": node.name},
            field="node",
        )


def _look_for_duplicates(appeal_id: int) -> None:
    try:
        flag_duplicates(appeal_id)
    except Exception:  # the queue being down must not undo an acknowledged appeal
        logging.getLogger(__name__).exception("could not queue the duplicate check of appeal %s", appeal_id)


def category_for(
    *, subdistrict: Node | None, category_id: int | None, trees: Sequence[str] | None = None
) -> Category | None:
    """The category of that id among the shared trees and the subdistrict's own (of ``trees``, if given)."""
    if category_id is None:
        return None
    categories = Category.objects.filter(
        Q(subdistrict__isnull=True) | Q(subdistrict=subdistrict), pk=category_id, is_active=True
    )
    category = (categories.filter(tree__in=list(trees)) if trees is not None else categories).first()
    if category is None:
        raise AppealError.invalid(_("Unknown category."), field="category")
    return category


MAX_PHOTOS = 9  # per appeal and kind: the resident's photos, and the handlers' evidence


@transaction.atomic
def appeal_photo_add(
    *, actor: User, appeal: Appeal, upload: Any, kind: str = PhotoKind.REPORT
) -> AppealPhoto:
    """Attach a photo: the resident while the appeal is open; as evidence of the work, the handlers and the
    party it is assigned to (up to nine of each kind)."""
    staff = handles(actor, appeal)
    if kind == PhotoKind.REPORT and not (is_filer(actor, appeal) or staff):
        raise AppealError.forbidden(_("Only the resident who filed the appeal can add photos to it."))
    if kind == PhotoKind.EVIDENCE and not (staff or is_assignee(actor, appeal)):
        raise AppealError.forbidden(_("This appeal is handled at another level."))
    if not appeal.is_open and appeal.status != Status.RESOLVED:
        raise AppealError.wrong_state(_("This cannot be done in the appeal's current state."))
    # Lock the appeal row so two uploads cannot both pass the count check.
    # unscoped: locks the appeal the caller fetched in scope
    Appeal.objects.select_for_update().filter(pk=appeal.pk).first()
    if appeal.photos.filter(kind=kind).count() >= MAX_PHOTOS:
        raise AppealError.invalid(
            _("This appeal has %(n)s photos of this kind already, the most it can have.") % {"n": MAX_PHOTOS},
            field="photos",
        )
    try:
        content, width, height = clean_photo(upload)
    except ValidationError as exc:
        raise AppealError.from_validation(exc) from None
    photo = AppealPhoto(appeal=appeal, kind=kind, width=width, height=height, uploaded_by=actor)
    photo.image.save(content.name, content, save=False)
    photo.save()
    AppealEvent.objects.create(
        appeal=appeal,
        actor=actor,
        action="photo",
        from_status=appeal.status,
        to_status=appeal.status,
        from_tier=appeal.tier,
        to_tier=appeal.tier,
        detail={"photo": photo.pk, "kind": kind},
    )
    return photo
