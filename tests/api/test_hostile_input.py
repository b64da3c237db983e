"""Input that once answered 5xx (or slipped through) over the API, Open311 and the pages: each is a request
an attacker or a fuzzer sent; each now gets a 4xx in the documented shape and changes nothing."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.api.api import api
from gongzhi.appeals.models import Appeal, AppealEvent
from gongzhi.appeals.services import appeal_submit
from gongzhi.ledger.mall import item_create, order_place, order_transition
from gongzhi.ledger.models import AccountKind, ItemKind, OrderStatus
from gongzhi.ledger.services import account_for, points_post
from gongzhi.volunteering.services import activity_create

pytestmark = pytest.mark.django_db

HUGE = "9223372036854775808"  # 2**63: past what a 64-bit database integer holds
ERROR_KEYS = {"code", "detail"}


def _error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert ERROR_KEYS <= set(body) <= ERROR_KEYS | {"fields"}
    return body


def _list_paths():
    """Every paginated GET of the API without a path parameter, whichever app declares it."""
    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        get = item.get("get")
        if get and "{" not in path and any(p["name"] == "offset" for p in get.get("parameters", [])):
            yield path


def test_every_list_endpoint_refuses_an_offset_past_64_bits(world, api_login):
    client = api_login(world.sub_admin)
    paths = list(_list_paths())
    assert len(paths) >= 10  # appeals (4), people, nodes, points, mall (2), activities, wishes
    for path in paths:
        body = _error(client.get(f"{path}?offset={HUGE}"), 422)
        assert "offset" in body["fields"], path


@pytest.mark.parametrize("name", ["kpis", "hot"])
def test_a_period_from_year_1_to_9999_is_refused(world, api_login, name):
    body = _error(
        api_login(world.sub_admin).get(f"/api/v1/appeals/{name}?from=0001-01-01&to=9999-12-31"), 422
    )
    assert "from" in body["fields"] or "to" in body["fields"]


def test_kpis_still_answer_for_a_sound_period(world, api_login):
    response = api_login(world.sub_admin).get("/api/v1/appeals/kpis?from=2026-01-01&to=2026-12-31")
    assert response.status_code == 200


@pytest.fixture
def approved_order(world):
    item = item_create(
        actor=world.a1_staff, node=world.comm_a1, name="磨刀服务", price=10, stock=5, kind=ItemKind.SERVICE
    )
    issue = account_for(kind=AccountKind.ISSUANCE, subdistrict=world.sub_a)
    person = account_for(kind=AccountKind.PERSON, subdistrict=world.sub_a, user=world.resident)
    points_post(key="gift", kind="earn", postings=[(issue, -50), (person, 50)])
    order, _ = order_place(actor=world.resident, item=item, client_key="k")
    return order_transition(actor=world.a1_staff, order=order, action="approve")


def test_a_non_ascii_pickup_code_is_a_wrong_code(world, api_login, approved_order):
    response = api_login(world.a1_staff).post(
        f"/api/v1/mall/orders/{approved_order.pk}/transitions",
        {"action": "pick_up", "code": "é"},
        content_type="application/json",
    )
    assert _error(response, 422)["code"] == "bad_code"
    approved_order.refresh_from_db()
    assert approved_order.status == OrderStatus.APPROVED


@pytest.fixture
def activity(world):
    now = timezone.now()
    return activity_create(
        actor=world.a1_secretary,
        node=world.cmp_a1a,
        title="河道巡查",
        starts_at=now + timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        capacity=10,
    )


@pytest.mark.parametrize("token", ["²-1-abc", "1²-1-abc", f"{HUGE}-1-abc", "1-²-abc"])
def test_a_check_in_code_with_other_digits_is_refused_over_the_api(world, api_login, activity, token):
    response = api_login(world.resident).post(
        f"/api/v1/activities/{activity.pk}/checkin", {"token": token}, content_type="application/json"
    )
    assert _error(response, 422)["code"] == "bad_code"


@pytest.mark.parametrize("token", ["²-1-abc", f"{HUGE}-1-abc", "99999999999999999999-1-abc"])
def test_a_check_in_page_with_other_digits_is_not_found(world, login, token):
    client = login(world.resident)
    assert client.get(f"/volunteering/scan/{token}/").status_code == 404
    assert client.post(f"/volunteering/scan/{token}/").status_code == 404


# Open311 -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/open311/v2/services/².json",
        "/open311/v2/services/².xml",
        "/open311/v2/requests/².json",
        "/open311/v2/requests.json?service_request_id=²",
        "/open311/v2/requests.json?service_code=²",
        f"/open311/v2/requests.json?service_request_id={HUGE}0",
    ],
)
def test_open311_ids_with_other_digits_are_the_specs_errors(world, settings, url):
    settings.GONGZHI_OPEN311_PUBLIC = True
    response = Client().get(url)
    assert response.status_code in (400, 403, 404), response.content[:200]


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00+08:00", "2026-13-45T00:00:00Z", "9999-12-31T23:59:59-08:00"]
)
@pytest.mark.parametrize("name", ["start_date", "end_date"])
def test_open311_dates_past_the_calendar_are_a_400(world, when, name):
    from gongzhi.accounts.services import api_token_issue

    key = api_token_issue(user=world.sub_admin)
    response = Client().get("/open311/v2/requests.json", {name: when, "api_key": key})
    assert response.status_code == 400, response.content[:200]
    assert name in response.json()[0]["description"]


@pytest.fixture
def file_appeal(world):
    def _file():
        appeal, _created = appeal_submit(
            actor=world.resident, node=world.bld_a1a, title="楼道灯坏了", body="一楼"
        )
        return appeal

    return _file


# Lengths, sizes and shapes ---------------------------------------------------------------------------------


def test_a_five_megabyte_transition_note_is_a_422_not_cut(world, api_login, file_appeal):
    appeal = file_appeal()
    events = AppealEvent.objects.filter(appeal=appeal).count()
    response = api_login(world.commissioner).post(
        f"/api/v1/appeals/{appeal.pk}/transitions",
        {"action": "comment", "note": "x" * 5_000_000},
        content_type="application/json",
    )
    assert "note" in _error(response, 422)["fields"]
    assert AppealEvent.objects.filter(appeal=appeal).count() == events


def test_a_note_one_past_the_limit_is_refused_by_the_service_too(world, file_appeal):
    from gongzhi.appeals.errors import AppealError
    from gongzhi.appeals.services import appeal_transition

    appeal = file_appeal()
    with pytest.raises(AppealError) as refused:
        appeal_transition(actor=world.commissioner, appeal=appeal, action="comment", note="x" * 5001)
    assert "note" in refused.value.fields
    appeal_transition(actor=world.commissioner, appeal=appeal, action="comment", note="x" * 5000)


def test_a_ten_megabyte_body_gets_a_json_error(world, api_login, file_appeal):
    appeal = file_appeal()
    response = api_login(world.commissioner).post(
        f"/api/v1/appeals/{appeal.pk}/transitions",
        json.dumps({"action": "comment", "note": "x" * (11 * 1024 * 1024)}),
        content_type="application/json",
    )
    assert _error(response, 413)["code"] == "too_large"


def test_a_body_that_is_not_json_gets_the_error_shape(world, api_login):
    response = api_login(world.resident).post("/api/v1/appeals", "{not json", content_type="application/json")
    assert _error(response, 400)["code"] == "bad_request"


# Control characters --------------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["a\x00b", "a\x1bb", "a\x0bb", "\ud800"])
def test_the_api_refuses_control_characters_naming_the_field(world, api_login, title):
    before = Appeal.objects.count()
    response = api_login(world.resident).post(
        "/api/v1/appeals",
        {"node_id": world.bld_a1a.pk, "title": title, "body": "楼道灯坏了"},
        content_type="application/json",
    )
    assert list(_error(response, 422)["fields"]) == ["title"]
    assert Appeal.objects.count() == before


def test_tabs_and_line_ends_are_text(world, api_login):
    response = api_login(world.resident).post(
        "/api/v1/appeals",
        {"node_id": world.bld_a1a.pk, "title": "楼道灯\t坏了", "body": "一楼\r\n二楼\n"},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_pages_strip_control_characters_from_forms(world, login):
    response = login(world.a1_staff).post(
        "/appeals/new/",
        {
            "node": world.bld_a1a.pk,
            "title": "楼道\x00灯坏了\x07",
            "body": "一楼\x1b的灯\r\n二楼",
            "channel": "web",
            "file_anyway": "on",
        },
    )
    assert response.status_code == 302, response.content[-2000:]
    appeal = Appeal.objects.order_by("-pk").first()
    assert appeal.title == "楼道灯坏了" and appeal.body == "一楼的灯\r\n二楼"


def test_a_path_with_a_control_character_names_nothing(world, login):
    assert login(world.resident).get("/volunteering/scan/1%00-1-abc/").status_code == 404


# The schema ----------------------------------------------------------------------------------------------


def test_every_operation_declares_the_errors_it_can_answer():
    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            declared = {str(status) for status in operation["responses"]}
            where = f"{method.upper()} {path}"
            if operation.get("security"):
                assert "401" in declared, where
            if operation.get("parameters") or operation.get("requestBody"):
                assert {"404", "422"} <= declared, where
            if operation.get("requestBody"):
                assert {"400", "413"} <= declared, where
            for status, response in operation["responses"].items():
                if str(status).startswith("4"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorOut"), (where, status)
