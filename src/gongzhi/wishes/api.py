from datetime import datetime
from typing import Literal

from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.accounts.selectors import person_get
from gongzhi.core.pagination import LimitOffset
from gongzhi.core.schemas import ErrorOut
from gongzhi.orgs.selectors import node_get
from gongzhi.wishes import selectors, services

router = Router(tags=["wishes"])


class WishOut(Schema):
    id: int
    node_id: int
    node_name: str
    title: str
    body: str
    status: str
    wisher: str = Field(description="masked (王**) except for staff, the wisher and an accepted helper")
    claimed: bool
    mine: bool
    my_claim: bool
    thanks: str
    has_photo: bool
    created_at: datetime


class WishIn(Schema):
    node_id: int = Field(description="the compound")
    title: str = Field(max_length=60)
    body: str = Field("", max_length=500)
    resident_id: int | None = Field(None, description="staff posting for a registered resident")
    wisher_name: str = Field("", max_length=40, description="staff posting for someone without an account")


class WishTransitionIn(Schema):
    action: Literal["publish", "reject", "withdraw", "claim", "release", "accept", "thank"]
    note: str = Field("", max_length=300)


def _out(wish, user) -> dict:
    return {
        "id": wish.pk,
        "node_id": wish.node_id,
        "node_name": wish.node.name,
        "title": wish.title,
        "body": wish.body,
        "status": wish.status,
        "wisher": selectors.shown_name(wish, user),
        "claimed": wish.claimant_id is not None,
        "mine": wish.wisher_id == user.pk,
        "my_claim": wish.claimant_id == user.pk,
        "thanks": wish.thanks,
        "has_photo": bool(wish.photo),
        "created_at": wish.created_at,
    }


@router.get("/wishes", response=list[WishOut])
@paginate(LimitOffset)
def wishes(
    request: AuthenticatedHttpRequest, view: Literal["wall", "mine", "claimed", "moderation"] = "wall"
):
    """The wish wall where you belong; or your own wishes, your claims, or (staff) wishes awaiting review."""
    pick = {
        "wall": selectors.wish_wall,
        "mine": selectors.own_wishes,
        "claimed": selectors.claimed_wishes,
        "moderation": selectors.moderation_queue,
    }[view]
    return [_out(w, request.user) for w in pick(fetched_by=request.user)[:500]]


@router.post("/wishes", response={201: WishOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def wish_post(request: AuthenticatedHttpRequest, data: WishIn):
    """Post a wish for a compound. Residents' wishes wait for review; staff may post for a resident."""
    compound = node_get(fetched_by=request.user, pk=data.node_id)
    wisher = None
    if data.resident_id is not None:
        person = person_get(fetched_by=request.user, pk=data.resident_id)
        wisher = person.user
        data.wisher_name = data.wisher_name or person.name
    wish = services.wish_post(
        actor=request.user,
        compound=compound,
        title=data.title,
        body=data.body,
        wisher=wisher,
        wisher_name=data.wisher_name,
    )
    return Status(201, _out(wish, request.user))


@router.get("/wishes/{wish_id}", response={200: WishOut, 404: ErrorOut})
def wish(request: AuthenticatedHttpRequest, wish_id: int):
    return _out(selectors.wish_get(fetched_by=request.user, pk=wish_id), request.user)


@router.post(
    "/wishes/{wish_id}/transitions",
    response={200: WishOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def wish_transition(request: AuthenticatedHttpRequest, wish_id: int, data: WishTransitionIn):
    """publish / reject (staff), claim (one volunteer: a second claim gets 409), release, accept (the wisher),
    thank, withdraw (only while unclaimed)."""
    wish = selectors.wish_get(fetched_by=request.user, pk=wish_id)
    wish = services.wish_transition(actor=request.user, wish=wish, action=data.action, note=data.note)
    return _out(wish, request.user)


@router.post(
    "/wishes/{wish_id}/fulfil",
    response={200: WishOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def wish_fulfil(request: AuthenticatedHttpRequest, wish_id: int, photo: File[UploadedFile]):
    """The helper marks the wish fulfilled, with a photo (metadata removed)."""
    wish = selectors.wish_get(fetched_by=request.user, pk=wish_id)
    wish = services.wish_transition(actor=request.user, wish=wish, action="fulfil", photo=photo)
    return _out(wish, request.user)
