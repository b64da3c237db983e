"""GeoReport v2 conformance, as a client written to the specification sees Gongzhi: every endpoint in JSON
and XML over real HTTP (a live server and ``urllib``, not Django's test client), checked against the
spec's required fields, element order and value rules; the spec's errors; and a round trip (post, token,
get).

The rules below are written from the GeoReport v2 specification (wiki.open311.org/GeoReport_v2)."""

import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

import pytest

from gongzhi.accounts.services import api_token_issue
from gongzhi.appeals.models import Appeal
from gongzhi.appeals.services import appeal_transition
from tests.appeals.open311_support import located_world  # noqa: F401 (the "located" fixture)

pytestmark = [pytest.mark.django_db(transaction=True)]

# --- the specification's shapes ----------------------------------------------------------------------
# Each list is the spec's element order; "required" are the fields a conforming response must carry.
DISCOVERY = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT = ["specification", "url", "changeset", "type", "formats"]
SERVICE = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
SERVICE_REQUIRED = {"service_code", "service_name", "metadata", "type"}
SERVICE_TYPES = {"realtime", "batch", "blackbox"}
DEFINITION = ["service_code", "attributes"]
ATTRIBUTE = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
ATTRIBUTE_REQUIRED = {"variable", "code", "datatype", "required", "order", "description"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
VALUE = ["key", "name"]
REQUEST = [
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
]
REQUEST_REQUIRED = {"service_request_id", "status", "service_code", "service_name", "requested_datetime"}
POSTED = ["service_request_id", "token", "service_notice", "account_id"]  # the id or the token (we give both)
TOKEN = ["service_request_id", "token"]
ERROR = ["code", "description"]
CONTENT_TYPES = {"json": "application/json", "xml": "text/xml"}
FORMATS = ["json", "xml"]


# --- an independent client ---------------------------------------------------------------------------


def call(url: str, method: str = "GET", data: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    """(status, content type, body) over HTTP; errors are answers too."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 (the live server, http)
    if body is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the live server, http)
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def read(fmt: str, content_type: str, body: bytes) -> Any:
    assert content_type.startswith(CONTENT_TYPES[fmt]), content_type
    return json.loads(body) if fmt == "json" else ET.fromstring(body)


def fields(fmt: str, item: Any) -> list[str]:
    return list(item) if fmt == "json" else [child.tag for child in item]


def value(fmt: str, item: Any, name: str) -> Any:
    if fmt == "json":
        return item[name]
    child = item.find(name)
    return None if child is None else (child.text if len(child) == 0 else child)


def items(fmt: str, container: Any, tag: str) -> list[Any]:
    """The rows of a list: a JSON array, or an XML element's ``tag`` children (and nothing else)."""
    if fmt == "json":
        assert isinstance(container, list)
        return container
    assert [child.tag for child in container] == [tag] * len(container), ET.tostring(container)
    return list(container)


def assert_in_spec_order(found: list[str], spec: list[str], required: set[str] = frozenset()) -> None:
    assert set(required) <= set(found), f"missing {set(required) - set(found)}"
    assert all(name in spec for name in found), f"not in the spec: {set(found) - set(spec)}"
    assert found == sorted(found, key=spec.index), f"out of order: {found}"


def boolean(fmt: str, raw: Any) -> bool:
    if fmt == "json":
        assert isinstance(raw, bool)
        return raw
    assert raw in ("true", "false")
    return raw == "true"


def w3_datetime(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw)
    assert moment.tzinfo is not None, raw
    return moment


def check_error(fmt: str, status: int, content_type: str, body: bytes, expected: int) -> None:
    assert status == expected
    errors = read(fmt, content_type, body)
    if fmt == "xml":
        assert errors.tag == "errors"
    rows = items(fmt, errors, "error")
    assert rows
    for row in rows:
        assert fields(fmt, row) == ERROR
        assert int(value(fmt, row, "code")) == expected and value(fmt, row, "description")


def check_request(fmt: str, row: Any) -> None:
    assert_in_spec_order(fields(fmt, row), REQUEST, REQUEST_REQUIRED)
    assert value(fmt, row, "status") in ("open", "closed")
    assert value(fmt, row, "service_code") and value(fmt, row, "service_name")
    w3_datetime(value(fmt, row, "requested_datetime"))
    for name in ("updated_datetime", "expected_datetime"):
        if value(fmt, row, name):
            w3_datetime(value(fmt, row, name))
    for name, bound in (("lat", 90), ("long", 180)):
        if value(fmt, row, name) is not None:
            assert -bound <= float(value(fmt, row, name)) <= bound


# --- the world a client meets ------------------------------------------------------------------------


@pytest.fixture
def file_appeal(file_appeal):
    """Appeals whose filers also consented to open data (unless a test says otherwise)."""

    def _file(**kwargs):
        kwargs.setdefault("open_data", True)
        return file_appeal(**kwargs)

    return _file


@pytest.fixture
def served(located, categories, file_appeal, live_server):
    public = file_appeal(category=categories["leaf"], body="张三反映：电话13812341234，3单元502门口漏水")
    closed = file_appeal(title="已处理", lat=30.3353, lng=120.1288)
    closed = appeal_transition(actor=located.commissioner, appeal=closed, action="accept")
    uncategorised = file_appeal(title="不知道分类")
    private = file_appeal(title="不公开", hidden_from_neighbours=True)
    return {
        "base": f"{live_server.url}/open311/v2",
        "root": f"{live_server.url}/open311",
        "public": [public, closed, uncategorised],
        "private": private,
        "key": api_token_issue(user=located.resident),
        "staff_key": api_token_issue(user=located.a1_staff),
        "categories": categories,
        "world": located,
    }


# --- every endpoint, both formats --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(served, fmt):
    for url in (f"{served['root']}/discovery.{fmt}", f"{served['base']}/discovery.{fmt}"):
        status, content_type, body = call(url)
        assert status == 200
        document = read(fmt, content_type, body)
        if fmt == "xml":
            assert document.tag == "discovery"
        assert fields(fmt, document) == DISCOVERY
        w3_datetime(value(fmt, document, "changeset"))
        endpoints = items(fmt, value(fmt, document, "endpoints"), "endpoint")
        assert len(endpoints) == 1
        endpoint = endpoints[0]
        assert fields(fmt, endpoint) == ENDPOINT
        assert value(fmt, endpoint, "url") == served["base"]
        assert value(fmt, endpoint, "type") in ("production", "test")
        formats = items(fmt, value(fmt, endpoint, "formats"), "format")
        assert sorted(f if fmt == "json" else f.text for f in formats) == ["application/json", "text/xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_list(served, fmt):
    status, content_type, body = call(f"{served['base']}/services.{fmt}?jurisdiction_id=gongzhi")
    assert status == 200
    root = read(fmt, content_type, body)
    if fmt == "xml":
        assert root.tag == "services"
    rows = items(fmt, root, "service")
    codes = [value(fmt, row, "service_code") for row in rows]
    assert len(codes) == len(set(codes)) and "other" in codes
    for row in rows:
        assert fields(fmt, row) == SERVICE  # every field, in the spec's order
        assert set(fields(fmt, row)) >= SERVICE_REQUIRED and value(fmt, row, "service_name")
        assert value(fmt, row, "type") in SERVICE_TYPES
        assert boolean(fmt, value(fmt, row, "metadata")) is True  # each has a definition to fetch


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_service_definition(served, fmt):
    status, content_type, body = call(f"{served['base']}/services.json")
    codes = [row["service_code"] for row in read("json", content_type, body)]
    for code in codes:
        status, content_type, body = call(f"{served['base']}/services/{code}.{fmt}")
        assert status == 200
        definition = read(fmt, content_type, body)
        if fmt == "xml":
            assert definition.tag == "service_definition"
        else:
            assert isinstance(definition, dict)
        assert fields(fmt, definition) == DEFINITION and value(fmt, definition, "service_code") == code
        attributes = items(fmt, value(fmt, definition, "attributes"), "attribute")
        assert attributes
        orders, seen = [], set()
        for attribute in attributes:
            assert_in_spec_order(fields(fmt, attribute), ATTRIBUTE, ATTRIBUTE_REQUIRED)
            boolean(fmt, value(fmt, attribute, "variable"))
            boolean(fmt, value(fmt, attribute, "required"))
            datatype = value(fmt, attribute, "datatype")
            assert datatype in DATATYPES
            attribute_code = value(fmt, attribute, "code")
            assert attribute_code and attribute_code not in seen
            seen.add(attribute_code)
            orders.append(int(value(fmt, attribute, "order")))
            listed = value(fmt, attribute, "values")
            values = items(fmt, listed, "value") if listed is not None else []
            if datatype in ("singlevaluelist", "multivaluelist"):
                assert values, attribute_code
                for entry in values:
                    assert fields(fmt, entry) == VALUE
                    assert value(fmt, entry, "key") and value(fmt, entry, "name")
            else:
                assert not values
        assert orders == sorted(orders) and len(set(orders)) == len(orders) and min(orders) >= 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_without_and_with_a_key(served, fmt):
    public_ids = {str(a.pk) for a in served["public"]}
    for query, expected in (
        ("", public_ids),
        (f"?api_key={served['staff_key']}", public_ids | {str(served["private"].pk)}),
    ):
        status, content_type, body = call(f"{served['base']}/requests.{fmt}{query}")
        assert status == 200
        root = read(fmt, content_type, body)
        if fmt == "xml":
            assert root.tag == "service_requests"
        rows = items(fmt, root, "request")
        assert {value(fmt, row, "service_request_id") for row in rows} == expected
        for row in rows:
            check_request(fmt, row)
    closed = call(f"{served['base']}/requests.{fmt}?status=closed")
    assert items(fmt, read(fmt, closed[1], closed[2]), "request") == []
    for appeal in served["public"]:
        status, content_type, body = call(f"{served['base']}/requests/{appeal.pk}.{fmt}")
        assert status == 200
        rows = items(fmt, read(fmt, content_type, body), "request")
        assert len(rows) == 1 and value(fmt, rows[0], "service_request_id") == str(appeal.pk)
        check_request(fmt, rows[0])
    status, content_type, body = call(f"{served['base']}/requests/{served['private'].pk}.{fmt}")
    check_error(fmt, status, content_type, body, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_token_get_round_trip(served, fmt):
    world, categories = served["world"], served["categories"]
    status, content_type, body = call(
        f"{served['base']}/requests.{fmt}",
        "POST",
        {
            "api_key": served["key"],
            "jurisdiction_id": "gongzhi",
            "service_code": str(categories["middle"].pk),
            "attribute[subcategory]": str(categories["leaf"].pk),
            "attribute[public]": "true",  # the filer consents to open data
            "address_string": f"{world.cmp_a1a.name}{world.bld_a1a.name}",
            "description": "地下车库进水\n电话13812341234",
            "media_url": "https://img.example.com/garage.jpg",
        },
    )
    assert status == 201
    posted = items(fmt, read(fmt, content_type, body), "request")
    assert len(posted) == 1
    assert_in_spec_order(fields(fmt, posted[0]), POSTED, {"service_notice"})
    token = value(fmt, posted[0], "token")
    assert token and value(fmt, posted[0], "service_request_id")

    status, content_type, body = call(f"{served['base']}/tokens/{urllib.parse.quote(token)}.{fmt}")
    assert status == 200
    resolved = items(fmt, read(fmt, content_type, body), "request")
    assert fields(fmt, resolved[0]) == TOKEN and value(fmt, resolved[0], "token") == token
    request_id = value(fmt, resolved[0], "service_request_id")
    assert request_id == value(fmt, posted[0], "service_request_id")

    status, content_type, body = call(f"{served['base']}/requests/{request_id}.{fmt}?api_key={served['key']}")
    row = items(fmt, read(fmt, content_type, body), "request")[0]
    check_request(fmt, row)
    assert value(fmt, row, "description") == "地下车库进水\n电话13812341234"
    assert value(fmt, row, "media_url") == "https://img.example.com/garage.jpg"
    assert value(fmt, row, "address_id") == world.bld_a1a.code
    assert Appeal.objects.get(pk=request_id).channel == "open311"

    status, content_type, body = call(f"{served['base']}/requests/{request_id}.{fmt}")  # a neighbour's app
    row = items(fmt, read(fmt, content_type, body), "request")[0]
    check_request(fmt, row)
    assert "13812341234" not in value(fmt, row, "description") and value(fmt, row, "media_url") is None


# --- the spec's errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_errors(served, fmt):
    base, categories = served["base"], served["categories"]
    post = {"api_key": served["key"], "service_code": str(categories["middle"].pk), "description": "x"}
    cases = [
        ("GET", f"{base}/services/9999999.{fmt}", None, 404),
        ("GET", f"{base}/services/%C2%B2.{fmt}", None, 404),
        ("GET", f"{base}/requests/%C2%B2.{fmt}", None, 404),
        ("GET", f"{base}/tokens/99999.{fmt}", None, 404),
        ("GET", f"{base}/requests.{fmt}?api_key=gz_not_a_key", None, 403),
        ("GET", f"{base}/requests.{fmt}?start_date=yesterday", None, 400),
        ("GET", f"{base}/services.{fmt}?jurisdiction_id=elsewhere", None, 400),
        ("DELETE", f"{base}/requests.{fmt}", None, 405),
        ("POST", f"{base}/services.{fmt}", {}, 405),
        ("POST", f"{base}/requests.{fmt}", {**post, "api_key": ""}, 403),
        ("POST", f"{base}/requests.{fmt}", {**post, "address_string": "小区A1a"}, 400),  # no subcategory
        ("POST", f"{base}/requests.{fmt}", {**post, "service_code": "other"}, 400),  # no location
        ("POST", f"{base}/requests.{fmt}", {**post, "service_code": "other", "address_string": "火星"}, 400),
        (
            "POST",
            f"{base}/requests.{fmt}",
            {**post, "service_code": "other", "address_id": "X", "media_url": "file:///x"},
            400,
        ),
    ]
    for method, url, data, expected in cases:
        status, content_type, body = call(url, method, data)
        check_error(fmt, status, content_type, body, expected)
    assert Appeal.objects.filter(channel="open311").count() == 0
    status, content_type, body = call(f"{served['root']}/discovery.csv")
    check_error("json", status, content_type, body, 404)
