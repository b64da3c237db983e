"""Issue 14: Open311 takes the API key in a header too (so it need not travel in URLs and access logs)."""

import pytest
from django.test import Client

from gongzhi.accounts.services import api_token_issue
from gongzhi.core.geo import gcj02_to_wgs84
from tests.appeals.open311_support import located_world  # noqa: F401 (the "located" fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("header", ["HTTP_X_API_KEY", "HTTP_AUTHORIZATION"])
def test_the_key_in_a_header_reads_what_its_user_may_read(located, categories, file_appeal, header):
    appeal = file_appeal()  # not open data: without a key nobody reads it here
    assert Client().get("/open311/v2/requests.json").json() == []
    key = api_token_issue(user=located.sub_admin)
    prefix = "" if header == "HTTP_X_API_KEY" else "Bearer "
    rows = Client(**{header: prefix + key}).get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in rows] == [str(appeal.pk)]
    assert Client(**{header: prefix + "gz_forged"}).get("/open311/v2/requests.json").status_code == 403


def test_a_post_with_the_key_in_a_header(located, categories):
    key = api_token_issue(user=located.resident)
    lat, lng = gcj02_to_wgs84(30.3353, 120.1288)  # by 小区A1a
    form = {
        "service_code": str(categories["middle"].pk),
        "lat": lat,
        "long": lng,
        "description": "楼道灯坏了",
    }
    form["attribute[subcategory]"] = str(categories["leaf"].pk)
    assert Client().post("/open311/v2/requests.json", form).status_code == 403
    answer = Client(HTTP_X_API_KEY=key).post("/open311/v2/requests.json", form)
    assert answer.status_code == 201, answer.content


def test_a_preflight_allows_the_key_header(located):
    answer = Client().options(
        "/open311/v2/requests.json",
        HTTP_ORIGIN="https://civic.example",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-api-key",
    )
    assert "X-Api-Key" in answer["Access-Control-Allow-Headers"]
