"""A branch with its secretary and a member, a reviewer and the committee over it, a scheme and a round."""

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.core.roles import Role
from gongzhi.orgs.models import MemberPost
from gongzhi.partywork import services
from gongzhi.partywork.models import ItemSource, RatingLine
from tests.accounts.factories import PersonFactory, UserFactory, bind
from tests.orgs.factories import PartyMembershipFactory, PartyOrgFactory

ITEMS = [
    {"dimension": "组织建设", "name": "班子健全", "max_points": 50},
    {
        "dimension": "服务群众",
        "name": "志愿服务时长",
        "max_points": 50,
        "source": ItemSource.VOLUNTEER_HOURS,
        "full_at": 100,
    },
    {"dimension": "扣分项", "name": "违纪违规", "max_points": 10, "deduction": True},
]


def receipt_pdf(name="receipt.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def photo(name="evidence.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def pw(world):
    p = SimpleNamespace(world=world)
    p.branch = world.branch_a1a
    p.secretary = UserFactory(username="a1a-branch-secretary")
    bind(p.secretary, Role.PARTY_MEMBER, world.cmp_a1a)
    person = PersonFactory(node=world.cmp_a1a, name="支书甲", user=p.secretary)
    p.secretary_m = PartyMembershipFactory(party_org=p.branch, person=person, post=MemberPost.SECRETARY)
    p.member_m = p.branch.memberships.get(person=world.p_a1a)  # the resident is a member
    p.member = world.resident
    p.reviewer = world.a1_secretary  # community secretary over A1, not of the branch
    p.committee = world.sub_admin
    # A second committee member, so that the recheck is by someone other than a scorer from the committee.
    p.committee2 = UserFactory(username="sub-a-admin-2")
    bind(p.committee2, Role.SUBDISTRICT_ADMIN, world.sub_a)
    p.scheme = services.scheme_create(
        actor=p.committee,
        subdistrict=world.sub_a,
        year=2026,
        name="街道A评星细则",
        items=ITEMS,
        five_star_quota=Decimal(30),
        five_star_needs_innovation=True,
    )
    return p


@pytest.fixture
def rnd(pw):
    return services.round_open(actor=pw.committee, scheme=pw.scheme)


def rating_of(rnd, branch):
    return rnd.ratings.select_related("round__scheme", "node", "branch").get(branch=branch)


def self_assess_and_submit(pw, rating, points=(45, 40, 0), innovation="红色管家"):
    lines = list(RatingLine.objects.filter(rating=rating).order_by("item__order"))
    services.rating_self_assess(
        actor=pw.secretary,
        rating=rating,
        points={ln.pk: p for ln, p in zip(lines, points, strict=True)},
        notes={lines[0].pk: "换届选举材料"},
        innovation_project=innovation,
    )
    rating.refresh_from_db()
    return services.rating_transition(actor=pw.secretary, rating=rating, action="submit")


def score(pw, rating, points=(45, 40, 0), peer="90"):
    lines = list(RatingLine.objects.filter(rating=rating).order_by("item__order"))
    return services.rating_transition(
        actor=pw.reviewer,
        rating=rating,
        action="score",
        points={ln.pk: str(p) for ln, p in zip(lines, points, strict=True)},
        peer_score=peer,
    )


@pytest.fixture
def pdf():
    return receipt_pdf


@pytest.fixture
def a1a_secretary_person(pw):
    return pw.secretary_m


__all__ = ["PartyOrgFactory", "photo", "rating_of", "receipt_pdf", "score", "self_assess_and_submit"]
