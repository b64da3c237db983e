"""Open311 as third-party clients drive it: each call that broke for a client written to GeoReport v2."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from gongzhi.accounts.services import api_token_issue
from gongzhi.appeals import selectors
from gongzhi.appeals.models import Appeal, Category, Status
from gongzhi.core.geo import gcj02_to_wgs84
from tests.appeals.open311_support import error_of, located_world  # noqa: F401 (the "located" fixture)
from tests.orgs.factories import make_node

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
V2 = "/open311/v2"


def _post(key, categories, **data):
    payload = {
        "api_key": key,
        "service_code": str(categories["middle"].pk),
        "description": "楼道灯坏了",
        **data,
    }
    return Client().post(f"{V2}/requests.json", payload)


# 1. Service definitions have the spec's shape -------------------------------------------------------


@pytest.fixture
def file_appeal(file_appeal):
    """Appeals whose filers also consented to open data (unless a test says otherwise)."""

    def _file(**kwargs):
        kwargs.setdefault("open_data", True)
        return file_appeal(**kwargs)

    return _file


def test_service_definition_json_is_one_object_with_a_list_of_attributes(located, categories):
    code = str(categories["middle"].pk)
    body = Client().get(f"{V2}/services/{code}.json").json()
    assert isinstance(body, dict) and list(body) == ["service_code", "attributes"]
    assert body["service_code"] == code and isinstance(body["attributes"], list)
    codes = {a["code"]: a for a in body["attributes"]}
    assert set(codes) == {"title", "public", "subcategory"}
    # the hotline's entry has a third level: which one is asked for, from the real sub-entries
    assert codes["subcategory"]["required"] is True and codes["subcategory"]["datatype"] == "singlevaluelist"
    assert codes["subcategory"]["values"] == [{"key": str(categories["leaf"].pk), "name": "安全隐患"}]
    assert [a["order"] for a in body["attributes"]] == [1, 2, 3]


def test_service_definition_xml_puts_code_and_attributes_directly_under_the_definition(located, categories):
    root = ET.fromstring(Client().get(f"{V2}/services/{categories['middle'].pk}.xml").content)
    assert root.tag == "service_definition" and [c.tag for c in root] == ["service_code", "attributes"]
    assert {a.tag for a in root.find("attributes")} == {"attribute"}
    values = root.find("attributes/attribute[code='subcategory']/values")
    assert [(v.find("key").text, v.find("name").text) for v in values] == [
        (str(categories["leaf"].pk), "安全隐患")
    ]


def test_a_missing_required_attribute_is_a_spec_400_and_files_nothing(located, categories):
    key = api_token_issue(user=located.resident)
    response = _post(key, categories, address_id=located.bld_a1a.code)
    assert response.status_code == 400
    assert error_of("json", response.content) == (400, "attribute[subcategory] is required for this service")
    bad = _post(key, categories, address_id=located.bld_a1a.code, **{"attribute[subcategory]": "1x"})
    assert bad.status_code == 400 and "must be one of" in error_of("json", bad.content)[1]
    assert not Appeal.objects.exists()
    ok = _post(
        key,
        categories,
        address_id=located.bld_a1a.code,
        **{"attribute[subcategory]": str(categories["leaf"].pk), "attribute[public]": "false"},
    )
    assert ok.status_code == 201
    appeal = Appeal.objects.get()
    assert appeal.category == categories["leaf"] and appeal.hidden_from_neighbours


# 2. Public reads of public appeals ------------------------------------------------------------------


def test_requests_without_a_key_list_public_appeals_only(located, categories, file_appeal):
    shown = file_appeal(category=categories["leaf"])
    hidden = file_appeal(title="家里漏水", hidden_from_neighbours=True)
    client = Client()
    response = client.get(f"{V2}/requests.json")
    assert response.status_code == 200
    assert [r["service_request_id"] for r in response.json()] == [str(shown.pk)]
    assert client.get(f"{V2}/requests/{shown.pk}.json").json()[0]["service_request_id"] == str(shown.pk)
    missing = client.get(f"{V2}/requests/{hidden.pk}.json")
    assert missing.status_code == 404 and error_of("json", missing.content)[0] == 404


def test_public_rows_carry_no_personal_data(located, categories, file_appeal, settings):
    settings.GONGZHI_OPEN311_PUBLIC_GRID = 0.01
    appeal = file_appeal(
        category=categories["leaf"],
        body="我是张三，住3单元502，电话13812341234，身份证110101199003074514，楼道堆满纸箱 3-2-501",
        lat=30.33531,
        lng=120.12883,
    )
    Appeal.objects.filter(pk=appeal.pk).update(reply="已联系张三清理")
    row = Client().get(f"{V2}/requests/{appeal.pk}.json").json()[0]
    for secret in ("张三", "502", "13812341234", "110101199003074514", "3-2-501"):
        assert secret not in row["description"], secret
        assert secret not in (row["service_notice"] or ""), secret
    assert "楼道堆满纸箱" in row["description"]
    assert row["address"] == "小区A1a 楼A1a-1"  # the building at most
    assert row["media_url"] is None
    wgs_lat, wgs_lng = gcj02_to_wgs84(30.33531, 120.12883)
    assert abs(row["lat"] - wgs_lat) <= 0.005 and abs(row["long"] - wgs_lng) <= 0.005
    assert round(row["lat"] / 0.01 - 0.5, 6).is_integer() and round(row["long"] / 0.01 - 0.5, 6).is_integer()
    # the same appeal read with a key of someone handling it keeps the text as filed
    staff = api_token_issue(user=located.a1_staff)
    keyed = Client().get(f"{V2}/requests/{appeal.pk}.json?api_key={staff}").json()[0]
    assert "13812341234" in keyed["description"] and keyed["lat"] == round(wgs_lat, 6)


ROLES = [
    "resident",
    "commissioner",
    "a1_staff",
    "a1_secretary",
    "sub_admin",
    "sub_b_admin",
    "viewer",
    "nobody",
]


@pytest.mark.parametrize("role", ROLES)
def test_private_appeals_never_appear_without_a_key(located, categories, file_appeal, role):
    user = getattr(located, role)
    filer = user if role in ("resident", "commissioner", "a1_staff", "a1_secretary", "sub_admin") else None
    private = [
        file_appeal(actor=filer, title="不公开的一件", hidden_from_neighbours=True),
        file_appeal(
            actor=located.a1_staff, node=located.cmp_a1b, title="另一件不公开", hidden_from_neighbours=True
        ),
    ]
    public = file_appeal(title="公开的一件")
    client = Client()
    for fmt in ("json", "xml"):
        listed = client.get(f"{V2}/requests.{fmt}").content.decode()
        assert f">{public.pk}<" in listed or f'"{public.pk}"' in listed
        for appeal in private:
            assert f">{appeal.pk}<" not in listed and f'"{appeal.pk}"' not in listed
            assert client.get(f"{V2}/requests/{appeal.pk}.{fmt}").status_code == 404
            assert (
                client.get(f"{V2}/requests.{fmt}?service_request_id={appeal.pk}").content.count(b"<request>")
                == 0
            )
    # with the role's key: exactly what the role may read in Gongzhi, as before
    key = api_token_issue(user=user)
    rows = client.get(f"{V2}/requests.json?api_key={key}").json()
    scoped = selectors.appeal_list(fetched_by=user).exclude(status=Status.MERGED)
    assert {r["service_request_id"] for r in rows} == {str(pk) for pk in scoped.values_list("pk", flat=True)}


def test_a_key_that_is_not_valid_is_refused_not_read_as_no_key(located, file_appeal):
    file_appeal()
    response = Client().get(f"{V2}/requests.json?api_key=gz_wrong")
    assert response.status_code == 403 and error_of("json", response.content)[0] == 403


def test_public_reads_can_be_turned_off(located, file_appeal, settings):
    settings.GONGZHI_OPEN311_PUBLIC_READS = False
    appeal = file_appeal()
    for url in (f"{V2}/requests.json", f"{V2}/requests/{appeal.pk}.json"):
        response = Client().get(url)
        assert response.status_code == 403 and error_of("json", response.content)[0] == 403


# 3. address_string, address_id, lat/long; media_url; jurisdiction_id ----------------------------------


def test_address_string_alone_is_accepted(located, categories):
    key = api_token_issue(user=located.resident)
    response = _post(
        key,
        categories,
        address_string="小区A1a 楼A1a-1",
        **{"attribute[subcategory]": str(categories["leaf"].pk)},
    )
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(pk=response.json()[0]["service_request_id"])
    assert appeal.node == located.bld_a1a and appeal.lat is None


def test_an_ambiguous_address_string_lists_the_candidates(located, categories):
    one = make_node(located.cmp_a1a, "building", "1幢")
    other = make_node(located.cmp_a1b, "building", "1幢")
    key = api_token_issue(user=located.a1_staff)
    leaf = {"attribute[subcategory]": str(categories["leaf"].pk)}
    response = _post(key, categories, address_string="1幢", **leaf)
    assert response.status_code == 400
    description = error_of("json", response.content)[1]
    assert f"小区A1a 1幢 (address_id {one.code})" in description
    assert f"小区A1b 1幢 (address_id {other.code})" in description
    assert not Appeal.objects.exists()
    # naming the compound settles it; a resident of one compound needs only the building
    assert _post(key, categories, address_string="小区A1b1幢", **leaf).status_code == 201
    resident = api_token_issue(user=located.resident)
    assert _post(resident, categories, address_string="１幢", **leaf).status_code == 201
    assert set(Appeal.objects.values_list("node", flat=True)) == {other.pk, one.pk}
    nowhere = _post(resident, categories, address_string="小区B1a", **leaf)
    assert nowhere.status_code == 400 and "matches no compound" in error_of("json", nowhere.content)[1]


def test_media_url_is_kept_as_a_link_and_must_be_http(located, categories):
    key = api_token_issue(user=located.resident)
    leaf = {"attribute[subcategory]": str(categories["leaf"].pk), "address_id": located.bld_a1a.code}
    for bad in ("file:///etc/passwd", "javascript:alert(1)", "ftp://example.com/a.jpg", "not a url"):
        response = _post(key, categories, media_url=bad, **leaf)
        assert response.status_code == 400, bad
    assert not Appeal.objects.exists()
    response = _post(key, categories, media_url="https://img.example.com/p/1.jpg", **leaf)
    assert response.status_code == 201
    pk = response.json()[0]["service_request_id"]
    row = Client().get(f"{V2}/requests/{pk}.json?api_key={key}").json()[0]
    assert row["media_url"] == "https://img.example.com/p/1.jpg" and row["description"] == "楼道灯坏了"
    assert "https://img.example.com/p/1.jpg" in Appeal.objects.get(pk=pk).body  # staff see the link


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_jurisdiction_id_is_checked(located, categories, fmt, settings):
    settings.GONGZHI_OPEN311_JURISDICTION = "gongshu.hangzhou"
    client = Client()
    assert client.get(f"{V2}/services.{fmt}?jurisdiction_id=gongshu.hangzhou").status_code == 200
    for url in (
        f"{V2}/services.{fmt}",
        f"{V2}/requests.{fmt}",
        f"{V2}/services/{categories['middle'].pk}.{fmt}",
    ):
        response = client.get(f"{url}?jurisdiction_id=elsewhere.example")
        assert response.status_code == 400 and error_of(fmt, response.content)[0] == 400
    key = api_token_issue(user=located.resident)
    posted = client.post(
        f"{V2}/requests.{fmt}",
        {
            "api_key": key,
            "jurisdiction_id": "elsewhere.example",
            "service_code": "other",
            "description": "x",
            "address_id": located.bld_a1a.code,
        },
    )
    assert posted.status_code == 400 and not Appeal.objects.exists()


# 4. One error handler for everything under /open311/ -----------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/open311/v2/services.csv", 404),
        ("get", "/open311/v2/nothing-here", 404),
        ("get", "/open311/v3/services.json", 404),
        ("delete", "/open311/v2/requests.{fmt}", 405),
        ("put", "/open311/v2/services.{fmt}", 405),
        ("post", "/open311/v2/services.{fmt}", 405),
        ("get", "/open311/v2/services/².{fmt}", 404),
        ("get", "/open311/v2/requests/².{fmt}", 404),
        ("get", "/open311/v2/requests/99999999999999999999999.{fmt}", 404),
        ("get", "/open311/v2/requests.{fmt}?service_request_id=²", 400),
        ("get", "/open311/v2/requests.{fmt}?service_code=²", 400),
        ("get", "/open311/v2/requests.{fmt}?status=pending", 400),
    ],
)
def test_errors_have_the_spec_shape_in_the_requested_format(located, categories, method, path, status, fmt):
    url = path.format(fmt=fmt)
    response = getattr(Client(), method)(url)
    expected = "xml" if url.split("?")[0].endswith(".xml") else "json"
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json" if expected == "json" else "text/xml")
    assert error_of(expected, response.content)[0] == status
    if status == 405:
        assert "GET" in response["Allow"]


def test_options_answers_with_the_allowed_methods(located):
    response = Client().options(f"{V2}/services.json")
    assert response.status_code == 204 and response["Allow"] == "GET, HEAD, OPTIONS"
    assert "POST" in Client().options(f"{V2}/requests.json")["Allow"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_failure_inside_is_a_spec_500(located, monkeypatch, fmt):
    from gongzhi.appeals import open311

    def broken():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(open311, "service_categories", broken)
    response = Client().get(f"{V2}/services.{fmt}")
    assert response.status_code == 500
    code, description = error_of(fmt, response.content)
    assert code == 500 and "database" not in description


# 5. Tokens ------------------------------------------------------------------------------------------


def test_tokens_resolve_only_for_requests_that_exist_and_that_they_belong_to(
    located, categories, file_appeal
):
    client = Client()
    assert client.get(f"{V2}/tokens/99999.json").status_code == 404
    appeal = file_appeal()
    assert client.get(f"{V2}/tokens/{appeal.pk}.json").status_code == 404  # an id is not a token
    key = api_token_issue(user=located.resident)
    posted = _post(
        key,
        categories,
        address_id=located.bld_a1a.code,
        **{"attribute[subcategory]": str(categories["leaf"].pk)},
    ).json()[0]
    token = posted["token"]
    answer = client.get(f"{V2}/tokens/{token}.json")
    assert answer.json() == [{"service_request_id": posted["service_request_id"], "token": token}]
    forged = token.replace(posted["service_request_id"], str(appeal.pk), 1)
    assert client.get(f"{V2}/tokens/{forged}.json").status_code == 404
    Appeal.objects.filter(pk=posted["service_request_id"]).update(status=Status.CLOSED)
    assert client.get(f"{V2}/tokens/{token}.xml").status_code == 200


# 6. Categories never null ---------------------------------------------------------------------------


def test_an_appeal_without_a_category_reports_the_suggestion_or_other(located, categories, file_appeal):
    bare = file_appeal(title="说不清是什么")
    suggested = file_appeal(title="也没选")
    Appeal.objects.filter(pk=suggested.pk).update(suggested_category=categories["top"])
    rows = {r["service_request_id"]: r for r in Client().get(f"{V2}/requests.json").json()}
    assert (rows[str(bare.pk)]["service_code"], rows[str(bare.pk)]["service_name"]) == (
        "other",
        "不确定（由工作人员选择）",
    )
    assert rows[str(suggested.pk)]["service_code"] == str(categories["middle"].pk)
    assert rows[str(suggested.pk)]["service_name"] == "安全生产"
    services = Client().get(f"{V2}/services.json").json()
    assert services[-1]["service_code"] == "other"  # listed, so clients can resolve it
    assert Client().get(f"{V2}/services/other.json").json()["service_code"] == "other"
    other_only = Client().get(f"{V2}/requests.json?service_code=other").json()
    assert {r["service_request_id"] for r in other_only} == {str(bare.pk), str(suggested.pk)}


def test_posting_to_other_files_without_a_category(located, categories):
    key = api_token_issue(user=located.resident)
    response = Client().post(
        f"{V2}/requests.json",
        {
            "api_key": key,
            "service_code": "other",
            "description": "不知道算哪类",
            "address_id": located.cmp_a1a.code,
        },
    )
    assert response.status_code == 201
    assert Appeal.objects.get().category is None and not Category.objects.filter(name="other").exists()


# 7. Discovery and CORS ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/open311/discovery.json", "/open311/v2/discovery.json"])
def test_discovery_names_the_endpoint_formats_and_changeset(located, path):
    body = Client().get(path).json()
    endpoint = body["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert body["changeset"] and "/api/v1/auth/token" in body["key_service"]


def test_cors_for_reads_from_configured_origins(located, settings):
    settings.GONGZHI_OPEN311_CORS_ORIGINS = ["https://map.example.org"]
    client = Client()
    allowed = client.get(f"{V2}/services.json", HTTP_ORIGIN="https://map.example.org")
    assert allowed["Access-Control-Allow-Origin"] == "https://map.example.org" and "Origin" in allowed["Vary"]
    assert "Access-Control-Allow-Origin" not in client.get(
        f"{V2}/services.json", HTTP_ORIGIN="https://evil.example"
    )
    preflight = client.options(
        f"{V2}/requests.json", HTTP_ORIGIN="https://map.example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 204 and preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    posted = client.post(f"{V2}/requests.json", {}, HTTP_ORIGIN="https://map.example.org")
    assert "Access-Control-Allow-Origin" not in posted  # browsers read, they do not post for a key holder
    settings.GONGZHI_OPEN311_CORS_ORIGINS = ["*"]
    assert (
        client.get(f"{V2}/requests.xml", HTTP_ORIGIN="https://x.example")["Access-Control-Allow-Origin"]
        == "*"
    )


def test_a_building_named_with_its_compound_is_matched_and_shown_once(located, categories):
    building = make_node(located.cmp_a1a, "building", "小区A1a2幢")
    key = api_token_issue(user=located.resident)
    response = Client().post(
        f"{V2}/requests.json",
        {
            "api_key": key,
            "service_code": "other",
            "description": "电梯停了",
            "address_string": "2幢",
            "attribute[public]": "true",
        },
    )
    assert response.status_code == 201
    appeal = Appeal.objects.get()
    assert appeal.node == building
    assert Client().get(f"{V2}/requests/{appeal.pk}.json").json()[0]["address"] == "小区A1a2幢"


def test_a_description_too_long_for_its_media_link_is_refused_not_cut(located, categories):
    key = api_token_issue(user=located.resident)
    response = Client().post(
        f"{V2}/requests.json",
        {
            "api_key": key,
            "service_code": "other",
            "description": "漏" * 4990,
            "address_id": located.bld_a1a.code,
            "media_url": "https://img.example.com/p/1.jpg",
        },
    )
    assert response.status_code == 400 and "too long" in error_of("json", response.content)[1]
    assert not Appeal.objects.exists()


def test_neighbours_seeing_an_appeal_is_not_consent_to_open_data(world, file_appeal, client):
    """Shown to signed-in neighbours in the compound, but not published: key-less readers never see it."""
    inside = file_appeal(title="只给邻居看", open_data=False)
    assert not inside.hidden_from_neighbours and not inside.open_data
    listed = client.get("/open311/v2/requests.json")
    assert str(inside.pk) not in {r["service_request_id"] for r in listed.json()}
    assert client.get(f"/open311/v2/requests/{inside.pk}.json").status_code == 404
