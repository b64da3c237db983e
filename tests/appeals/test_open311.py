"""Open311 GeoReport v2 conformance: the shapes of the published spec's examples, in JSON and XML."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from gongzhi.accounts.services import api_token_issue
from gongzhi.appeals.models import Appeal
from gongzhi.appeals.services import appeal_transition
from gongzhi.core.geo import gcj02_to_wgs84
from tests.appeals.open311_support import located_world  # noqa: F401 (the "located" fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def test_services_list_and_definition(located, categories):
    client = Client()
    services = client.get("/open311/v2/services.json").json()
    assert [s["service_name"] for s in services] == ["安全生产", "不确定（由工作人员选择）"]
    assert set(services[0]) == SERVICE_FIELDS and services[0]["group"] == "城乡建设"
    assert services[0]["type"] == "realtime" and services[0]["metadata"] is True  # it has attributes
    root = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services" and root[0].tag == "service"
    assert {child.tag for child in root[0]} == SERVICE_FIELDS
    code = services[0]["service_code"]
    assert client.get(f"/open311/v2/services/{code}.json").status_code == 200
    missing = client.get("/open311/v2/services/9999.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    assert client.get("/open311/v2/services.yaml").status_code == 404


def test_post_a_request_with_lat_long(located, categories):
    key = api_token_issue(user=located.resident)
    code = str(categories["middle"].pk)
    lat, lng = gcj02_to_wgs84(30.3353, 120.1288)  # a few metres from 小区A1a, given in WGS-84
    response = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": code,
            "lat": lat,
            "long": lng,
            "description": "消防通道被占\n三辆车长期停放",
            "device_id": "phone-1",
            "attribute[subcategory]": str(categories["leaf"].pk),
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body[0]) == {"service_request_id", "token", "service_notice", "account_id"}
    appeal = Appeal.objects.get(pk=body[0]["service_request_id"])
    assert (appeal.node, appeal.channel, appeal.title) == (located.cmp_a1a, "open311", "消防通道被占")
    again = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": code,
            "lat": lat,
            "long": lng,
            "description": "消防通道被占\n三辆车长期停放",
            "device_id": "phone-1",
            "attribute[subcategory]": str(categories["leaf"].pk),
        },
    )
    assert again.json()[0]["service_request_id"] == body[0]["service_request_id"]  # a retry is one request


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"api_key": "gz_wrong"}, 403),
        ({"service_code": "9999"}, 400),
        ({"description": ""}, 400),
        ({"lat": "", "long": ""}, 400),
        ({"lat": "nan", "long": "120.1"}, 400),
        ({"lat": "39.9", "long": "116.4"}, 400),  # Beijing: no compound of the resident's nearby
        ({"address_id": "NOPE", "lat": "", "long": ""}, 400),
    ],
)
def test_bad_posts_get_spec_errors_and_change_nothing(located, categories, data, status):
    payload = {
        "api_key": api_token_issue(user=located.resident),
        "service_code": str(categories["middle"].pk),
        "lat": "30.333",
        "long": "120.124",
        "description": "x",
        "attribute[subcategory]": str(categories["leaf"].pk),
        **data,
    }
    response = Client().post("/open311/v2/requests.xml", payload)
    assert response.status_code == status
    root = ET.fromstring(response.content)
    assert (
        root.tag == "errors" and root[0].find("code").text == str(status) and root[0].find("description").text
    )
    assert not Appeal.objects.exists()


def test_get_requests_filters_and_escalation_as_referral(located, categories, file_appeal):
    appeal = file_appeal(category=categories["leaf"])
    appeal = appeal_transition(actor=located.commissioner, appeal=appeal, action="escalate", note="社区协调")
    other = file_appeal(title="另一件")
    key = api_token_issue(user=located.sub_admin)
    client = Client()
    rows = client.get(f"/open311/v2/requests.json?api_key={key}").json()
    assert {r["service_request_id"] for r in rows} == {str(appeal.pk), str(other.pk)}
    row = next(r for r in rows if r["service_request_id"] == str(appeal.pk))
    assert set(row) == REQUEST_FIELDS
    assert row["status"] == "open" and row["agency_responsible"] == "社区：社区A1"
    assert row["service_code"] == str(categories["middle"].pk) and row["address_id"] == located.bld_a1a.code
    assert row["requested_datetime"].endswith("+08:00")
    only = client.get(f"/open311/v2/requests.json?api_key={key}&service_request_id={other.pk}").json()
    assert [r["service_request_id"] for r in only] == [str(other.pk)]
    assert client.get(f"/open311/v2/requests.json?api_key={key}&status=closed").json() == []
    assert client.get(f"/open311/v2/requests.json?api_key={key}&start_date=yesterday").status_code == 400
    root = ET.fromstring(client.get(f"/open311/v2/requests/{appeal.pk}.xml?api_key={key}").content)
    assert root.tag == "service_requests" and {c.tag for c in root[0]} == REQUEST_FIELDS
    outsider = api_token_issue(user=located.sub_b_admin)
    assert client.get(f"/open311/v2/requests/{appeal.pk}.json?api_key={outsider}").status_code == 404
    assert client.get("/open311/v2/requests.json?api_key=gz_expired").status_code == 403


def test_request_lists_do_not_query_per_row(located, categories, file_appeal):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url).status_code == 200
        return len(queries)

    key = api_token_issue(user=located.sub_admin)
    count(f"/open311/v2/requests.json?api_key={key}")  # the key's first use is recorded once
    file_appeal(category=categories["leaf"])
    file_appeal(node=located.cmp_a1a)
    few = (count("/open311/v2/requests.json"), count(f"/open311/v2/requests.xml?api_key={key}"))
    for i in range(6):
        appeal = file_appeal(title=f"第{i}件", category=categories["middle"] if i % 2 else None)
        if i % 3 == 0:
            Appeal.objects.filter(pk=appeal.pk).update(suggested_category=categories["top"])
    many = (count("/open311/v2/requests.json"), count(f"/open311/v2/requests.xml?api_key={key}"))
    assert many == few
