import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongzhi.accounts.services import api_token_issue
from tests.accounts.factories import PASSWORD, PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user)}"}


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_token_flow(world):
    client = Client()
    response = post_json(client, "/api/v1/auth/token", {"username": "a1-staff", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "a1-staff"
    assert body["roles"] == [
        {
            "role": "community_staff",
            "node_id": world.comm_a1.pk,
            "node_name": "社区A1",
            "node_kind": "community",
        }
    ]


def test_token_errors_are_structured(world):
    client = Client()
    wrong = post_json(client, "/api/v1/auth/token", {"username": "a1-staff", "password": "nope"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "sign_in_failed"
    malformed = post_json(client, "/api/v1/auth/token", {"username": "a1-staff"})
    # The one error body the schema documents (ErrorOut): the missing field is named under "fields".
    assert malformed.status_code == 422 and malformed.json()["code"] == "invalid"
    assert list(malformed.json()["fields"]) == ["password"]
    garbage = client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert garbage.status_code in (400, 422)
    for _ in range(4):
        post_json(client, "/api/v1/auth/token", {"username": "a1-staff", "password": "nope"})
    locked = post_json(client, "/api/v1/auth/token", {"username": "a1-staff", "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"


def test_unauthenticated_and_bad_tokens_get_401(world):
    client = Client()
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer gz_forged").status_code == 401
    assert client.get("/api/v1/nodes", HTTP_AUTHORIZATION="Token whatever").status_code == 401


def test_nodes_are_scoped_and_out_of_reach_is_404(world):
    client = Client()
    headers = bearer(world.a1_staff)
    listing = client.get("/api/v1/nodes?limit=100", **headers).json()
    assert {n["name"] for n in listing["items"]} == {"社区A1", "小区A1a", "小区A1b", "楼A1a-1"}
    assert listing["count"] == 4
    by_name = {n["name"]: n for n in listing["items"]}
    assert by_name["小区A1a"]["parent_id"] == world.comm_a1.pk
    assert client.get(f"/api/v1/nodes/{world.cmp_a1a.pk}", **headers).status_code == 200
    for other in (world.comm_a2, world.cmp_a2a, world.sub_a, world.cmp_b1a):
        response = client.get(f"/api/v1/nodes/{other.pk}", **headers)
        assert response.status_code == 404 and response.json() == {
            "code": "not_found",
            "detail": "Not found.",
        }
        assert client.get(f"/api/v1/nodes/{other.pk}/children", **headers).status_code == 404
        assert client.get(f"/api/v1/nodes?root={other.pk}", **headers).status_code == 404


def test_subtree_and_depth_filters(world):
    client = Client()
    headers = bearer(world.sub_admin)
    body = client.get(f"/api/v1/nodes?root={world.comm_a1.pk}&max_depth=1", **headers).json()
    assert {n["name"] for n in body["items"]} == {"社区A1", "小区A1a", "小区A1b"}
    body = client.get("/api/v1/nodes?kind=compound", **headers).json()
    assert {n["name"] for n in body["items"]} == {"小区A1a", "小区A1b", "小区A2a"}
    assert client.get("/api/v1/nodes?kind=planet", **headers).status_code == 422
    children = client.get(f"/api/v1/nodes/{world.sub_a.pk}/children", **headers).json()
    assert [c["name"] for c in children] == ["社区A1", "社区A2"]


def test_people_are_masked_scoped_and_searchable(world):
    client = Client()
    headers = bearer(world.a1_staff)
    body = client.get("/api/v1/people", **headers).json()
    assert {p["name"] for p in body["items"]} == {"张三", "李四"}
    assert {p["phone"] for p in body["items"]} == {"138****1234", "139****5678"}
    assert all("*" in p["id_number"] or p["id_number"] == "" for p in body["items"])
    by_phone = client.get("/api/v1/people?q=13812341234", **headers).json()
    assert [p["name"] for p in by_phone["items"]] == ["张三"]
    other = client.get("/api/v1/people?q=13700001111", **headers).json()  # 王五 lives in A2
    assert other["items"] == []
    assert client.get("/api/v1/people", **bearer(world.viewer)).json()["count"] == 0
    assert client.get(f"/api/v1/people?node={world.comm_a2.pk}", **headers).status_code == 404


def test_people_list_query_count_does_not_grow_with_rows(world):
    client = Client()
    headers = bearer(world.sub_admin)
    client.get("/api/v1/people?limit=1", **headers)  # first use stamps the token's last use
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/people?limit=100", **headers).status_code == 200
    for i in range(30):
        PersonFactory(node=world.cmp_a1b, name=f"新居民{i}", phone=f"1350000{i:04d}")
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/people?limit=100", **headers).json()
    assert body["count"] == 33
    assert len(many) == len(few) <= 6


def test_openapi_schema_describes_the_endpoints(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/nodes",
        "/api/v1/nodes/{node_id}",
        "/api/v1/people",
    ):
        assert path in schema["paths"], path
    assert "BearerToken" in schema["components"]["securitySchemes"]


def test_docs_page_uses_no_cdn(db):
    import re

    page = Client().get("/api/v1/docs").content.decode()
    assert "swagger-ui" in page
    # Every script, stylesheet and image is served by the app itself.
    references = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert references and all(ref.startswith("/") for ref in references), references
    assert "/static/ninja/swagger-ui-bundle.js" in page
