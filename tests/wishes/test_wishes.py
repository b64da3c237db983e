"""Micro-wishes: post, review, one claim only, masked names, fulfil with a photo, thanks, withdrawal."""

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from gongzhi.core.roles import Role
from gongzhi.notifications.models import Notification
from gongzhi.wishes.models import Wish, WishEvent, WishStatus
from gongzhi.wishes.selectors import mask_name, moderation_queue, shown_name, wish_wall
from gongzhi.wishes.services import WishError, wish_post, wish_transition
from tests.accounts.factories import UserFactory
from tests.conftest import bind


def photo(name="done.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def helper(world):
    user = UserFactory(username="helper")
    bind(user, Role.VOLUNTEER, world.cmp_a1b)  # a neighbour in another compound of the same community
    return user


@pytest.fixture
def wish(world):
    wish = wish_post(
        actor=world.resident, compound=world.cmp_a1a, title="想要一台收音机", body="眼睛不好，想听戏"
    )
    return wish_transition(actor=world.a1_staff, wish=wish, action="publish")


def test_a_wish_from_post_to_thanks(world, helper):
    posted = wish_post(actor=world.resident, compound=world.cmp_a1a, title="想要一台收音机")
    assert posted.status == WishStatus.PENDING
    assert posted not in wish_wall(fetched_by=helper)  # not on the wall before review
    assert list(moderation_queue(fetched_by=world.a1_staff)) == [posted]
    wish = wish_transition(actor=world.a1_staff, wish=posted, action="publish")
    assert wish in wish_wall(fetched_by=helper)
    wish = wish_transition(actor=helper, wish=wish, action="claim")
    assert shown_name(wish, helper) == mask_name(wish.wisher_name) != wish.wisher_name
    assert Notification.objects.filter(recipient=world.resident, kind="wish_claimed").exists()
    wish = wish_transition(actor=world.resident, wish=wish, action="accept")
    assert shown_name(wish, helper) == wish.wisher_name  # accepted: the helper may now find the wisher
    with pytest.raises(WishError) as no_photo:
        wish_transition(actor=helper, wish=wish, action="fulfil")
    assert no_photo.value.code == "photo_required"
    wish = wish_transition(actor=helper, wish=wish, action="fulfil", photo=photo())
    assert wish.status == WishStatus.FULFILLED and Wish.objects.get(pk=wish.pk).photo.name.startswith(
        "wishes/"
    )
    wish = wish_transition(actor=world.resident, wish=wish, action="thank", note="谢谢小王！")
    assert Notification.objects.get(recipient=helper, kind="wish_thanked").body == "谢谢小王！"
    assert [e.action for e in WishEvent.objects.filter(wish=wish)] == [
        "post",
        "publish",
        "claim",
        "accept",
        "fulfil",
        "thank",
    ]


def test_names_are_masked_for_neighbours(world, wish, helper):
    assert mask_name("王小明") == "王**" and mask_name("李") == "李*" and mask_name("") == ""
    assert shown_name(wish, helper) == mask_name(wish.wisher_name)
    assert shown_name(wish, world.a1_staff) == wish.wisher_name
    assert shown_name(wish, world.resident) == wish.wisher_name


def test_only_one_volunteer_can_claim(world, wish, helper):
    wish_transition(actor=helper, wish=wish, action="claim")
    second = UserFactory()
    bind(second, Role.VOLUNTEER, world.cmp_a1a)
    with pytest.raises(WishError) as refused:
        wish_transition(actor=second, wish=wish, action="claim")  # a stale copy: compare-and-set refuses
    assert refused.value.code == "already_claimed"
    with pytest.raises(WishError) as again:
        wish_transition(actor=second, wish=Wish.objects.get(pk=wish.pk), action="claim")
    assert again.value.code == "already_claimed"
    assert Wish.objects.get(pk=wish.pk).claimant_id == helper.pk


@pytest.mark.parametrize(
    "actor, action, kwargs, code",
    [
        ("resident", "claim", {}, "forbidden"),  # not your own wish
        ("helper", "publish", {}, "forbidden"),
        ("a2_staff", "publish", {}, "forbidden"),  # another community
        ("helper", "accept", {}, "forbidden"),
        ("helper", "withdraw", {}, "forbidden"),
        ("resident", "thank", {"note": "x"}, "wrong_state"),
        ("resident", "fly", {}, "unknown_action"),
    ],
)
def test_who_may_do_what(world, wish, helper, actor, action, kwargs, code):
    who = helper if actor == "helper" else getattr(world, actor)
    with pytest.raises(WishError) as refused:
        wish_transition(actor=who, wish=wish, action=action, **kwargs)
    assert refused.value.code == code
    assert Wish.objects.get(pk=wish.pk).status == WishStatus.PUBLISHED


def test_withdraw_only_while_unclaimed(world, wish, helper):
    wish_transition(actor=helper, wish=wish, action="claim")
    with pytest.raises(WishError) as refused:
        wish_transition(actor=world.resident, wish=Wish.objects.get(pk=wish.pk), action="withdraw")
    assert refused.value.code == "wrong_state"
    wish = wish_transition(actor=helper, wish=Wish.objects.get(pk=wish.pk), action="release")
    assert wish.status == WishStatus.PUBLISHED and wish.claimant is None
    assert wish_transition(actor=world.resident, wish=wish, action="withdraw").status == WishStatus.WITHDRAWN


def test_bad_posts_change_nothing(world):
    outsider = UserFactory()
    bind(outsider, Role.RESIDENT, world.cmp_b1a)
    cases = [
        (world.resident, world.comm_a1, "想要"),  # not a compound
        (world.resident, world.cmp_a1a, "  "),
        (world.resident, world.cmp_a1a, "长" * 61),
        (outsider, world.cmp_a1a, "想要"),  # someone else's compound
    ]
    for actor, node, title in cases:
        with pytest.raises(WishError):
            wish_post(actor=actor, compound=node, title=title)
    assert Wish.objects.count() == 0
    with pytest.raises(WishError) as reason:
        wish_transition(
            actor=world.a1_staff,
            wish=wish_post(actor=world.resident, compound=world.cmp_a1a, title="想要"),
            action="reject",
        )
    assert reason.value.code == "note_required"


def test_staff_post_for_a_resident_without_an_account(world):
    wish = wish_post(
        actor=world.a1_staff, compound=world.cmp_a1a, title="想要一副老花镜", wisher_name="陈阿婆"
    )
    assert wish.status == WishStatus.PUBLISHED and wish.wisher is None and wish.wisher_name == "陈阿婆"


def test_a_bad_photo_is_refused(world, wish, helper):
    wish_transition(actor=helper, wish=wish, action="claim")
    wish = wish_transition(actor=world.resident, wish=Wish.objects.get(pk=wish.pk), action="accept")
    with pytest.raises(WishError) as refused:
        wish_transition(
            actor=helper,
            wish=wish,
            action="fulfil",
            photo=SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg"),
        )
    assert refused.value.code == "bad_photo" and Wish.objects.get(pk=wish.pk).status == WishStatus.ACCEPTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_race_of_claims_has_one_winner(world, wish):
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs PostgreSQL")
    volunteers = [UserFactory(username=f"v{n}") for n in range(20)]
    for v in volunteers:
        bind(v, Role.VOLUNTEER, world.cmp_a1a)
    outcomes: list[str] = []
    start = threading.Barrier(20)

    def claim(user):
        start.wait()
        try:
            wish_transition(actor=user, wish=Wish.objects.get(pk=wish.pk), action="claim")
            outcomes.append("ok")
        except WishError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(v,)) for v in volunteers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1 and set(outcomes) == {"ok", "already_claimed"}
    assert WishEvent.objects.filter(wish=wish, action="claim").count() == 1


@pytest.mark.postgres
def test_wishes_api(world, helper, api_login):
    resident = api_login(world.resident)
    staff = api_login(world.a1_staff)
    volunteer = api_login(helper)
    posted = resident.post(
        "/api/v1/wishes",
        {"node_id": world.cmp_a1a.pk, "title": "想要一台收音机"},
        content_type="application/json",
    )
    assert posted.status_code == 201 and posted.json()["status"] == "pending"
    wish_id = posted.json()["id"]
    assert [w["id"] for w in staff.get("/api/v1/wishes?view=moderation").json()["items"]] == [wish_id]
    assert (
        staff.post(
            f"/api/v1/wishes/{wish_id}/transitions", {"action": "publish"}, content_type="application/json"
        ).status_code
        == 200
    )
    wall = volunteer.get("/api/v1/wishes").json()["items"]
    assert [w["id"] for w in wall] == [wish_id] and wall[0]["wisher"].endswith("*")
    claim = volunteer.post(
        f"/api/v1/wishes/{wish_id}/transitions", {"action": "claim"}, content_type="application/json"
    )
    assert claim.status_code == 200 and claim.json()["my_claim"]
    again = staff.post(
        f"/api/v1/wishes/{wish_id}/transitions", {"action": "claim"}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "already_claimed"
    resident.post(
        f"/api/v1/wishes/{wish_id}/transitions", {"action": "accept"}, content_type="application/json"
    )
    done = volunteer.post(f"/api/v1/wishes/{wish_id}/fulfil", {"photo": photo()})
    assert done.status_code == 200 and done.json()["status"] == "fulfilled" and done.json()["has_photo"]
    outsider = api_login(world.sub_b_admin)
    assert outsider.get(f"/api/v1/wishes/{wish_id}").status_code == 404
    bad = resident.post(
        "/api/v1/wishes", {"node_id": world.cmp_a1a.pk, "title": ""}, content_type="application/json"
    )
    assert bad.status_code == 422


@pytest.mark.parametrize("viewer, view", [("helper", ""), ("a1_staff", ""), ("a1_staff", "?view=moderation")])
def test_wish_lists_take_the_same_queries_for_one_wish_or_many(world, wish, helper, api_login, viewer, view):
    client = api_login(helper if viewer == "helper" else getattr(world, viewer))
    url = f"/api/v1/wishes{view}"
    client.get(url)  # the first request of a token also records its use
    with CaptureQueriesContext(connection) as few:
        first = client.get(url).json()["items"]
    for n in range(5):  # more wishers, some claimed, some waiting for review
        wisher = UserFactory()
        bind(wisher, Role.RESIDENT, world.cmp_a1a)
        more = wish_post(actor=wisher, compound=world.cmp_a1a, title=f"心愿{n}")
        if n % 2 == 0:
            more = wish_transition(actor=world.a1_staff, wish=more, action="publish")
            wish_transition(actor=helper, wish=more, action="claim")
    with CaptureQueriesContext(connection) as many:
        later = client.get(url).json()["items"]
    assert len(later) > len(first)
    assert len(many) == len(few), [q["sql"] for q in many]


def test_a_refused_wish_keeps_what_was_typed(world, login):
    outsider = login(world.a2_staff)  # staff of the neighbouring community: 小区A1a is not theirs
    response = outsider.post(
        "/wishes/", {"compound": world.cmp_a1a.pk, "title": "想要一副老花镜", "body": "度数三百度左右。"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "度数三百度左右。" in page and "想要一副老花镜" in page
    assert not Wish.objects.exists()
    empty = login(world.resident).post(
        "/wishes/", {"compound": world.cmp_a1a.pk, "title": " ", "body": "详情"}
    )
    assert empty.status_code == 400 and "详情" in empty.content.decode() and not Wish.objects.exists()


def test_the_wisher_hears_why_a_wish_was_not_put_on_the_wall(world, login):
    wish = wish_post(actor=world.resident, compound=world.cmp_a1a, title="想要一台新电视")
    wish_transition(
        actor=world.commissioner, wish=wish, action="reject", note="超出微心愿范围，建议申请困难补助"
    )
    told = Notification.objects.get(recipient=world.resident, kind="wish_rejected")
    assert "想要一台新电视" in told.title and told.body == "超出微心愿范围，建议申请困难补助"
    page = login(world.resident).get(f"/wishes/{wish.pk}/").content.decode()
    assert "超出微心愿范围" in page
    published = wish_post(actor=world.resident, compound=world.cmp_a1a, title="想要一副老花镜")
    wish_transition(actor=world.commissioner, wish=published, action="publish")
    assert Notification.objects.filter(recipient=world.resident, kind="wish_published").exists()
