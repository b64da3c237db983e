"""The alliances API: scoping (unit accounts see their unit's items and open ones only; another subdistrict
gets 404), the error contract on bad input, the double claim, and the schema's choices."""

import typing

import pytest

from gongzhi.alliances import schemas, services
from gongzhi.alliances.models import CapacityKind, Category, DriveKind, Resource, UnitKind

pytestmark = pytest.mark.django_db


def test_the_schema_choices_are_the_models():
    assert set(typing.get_args(schemas.CategoryIn)) == set(Category.values)
    assert set(typing.get_args(schemas.KindIn)) == set(CapacityKind.values)
    assert set(typing.get_args(schemas.UnitKindIn)) == set(UnitKind.values)
    assert set(typing.get_args(schemas.DriveKindIn)) == set(DriveKind.values)


def test_unit_accounts_see_their_own_and_open_resources_only(world, al, clinic, api_login):
    draft = services.resource_post(
        actor=al.bank_user,
        unit=al.bank,
        category="funds",
        title="助学金",
        capacity_kind="money",
        capacity=5000,
        publish=False,
    )
    mine = api_login(al.bank_user).get("/api/v1/resources").json()["items"]
    assert {r["id"] for r in mine} == {draft.pk, clinic.resource.pk}  # its draft and the other's open one
    theirs = api_login(al.hospital_user).get("/api/v1/resources").json()["items"]
    assert draft.pk not in {r["id"] for r in theirs}
    assert api_login(al.far_user).get("/api/v1/resources").json()["items"] == []
    assert api_login(world.sub_b_admin).get(f"/api/v1/needs/{clinic.need.pk}/candidates").status_code == 404
    assert api_login(world.resident).get("/api/v1/needs").json()["items"] == []
    assert api_login(world.a2_staff).get("/api/v1/needs").json()["items"] == []  # the neighbouring community
    assert len(api_login(world.a1_staff).get("/api/v1/needs").json()["items"]) == 1


def test_bad_input_gets_the_error_contract_and_changes_nothing(world, al, api_login):
    client = api_login(al.bank_user)
    before = Resource.objects.count()
    for body in (
        {
            "unit_id": al.bank.pk,
            "category": "funds",
            "title": "x",
            "capacity_kind": "money",
            "capacity": 10**30,
        },
        {"unit_id": al.bank.pk, "category": "nope", "title": "x", "capacity_kind": "money", "capacity": 1},
        {
            "unit_id": al.bank.pk,
            "category": "funds",
            "title": "x\x00",
            "capacity_kind": "money",
            "capacity": "²",
        },
        {
            "unit_id": al.bank.pk,
            "category": "funds",
            "title": "x",
            "capacity_kind": "money",
            "capacity": 1,
            "available_from": "0001-01-01",
        },
    ):
        response = client.post("/api/v1/resources", body, content_type="application/json")
        assert response.status_code == 422, body
        assert set(response.json()) >= {"code", "detail"}
    assert (
        client.post(
            "/api/v1/resources",
            {
                "unit_id": al.hospital.pk,
                "category": "funds",
                "title": "x",
                "capacity_kind": "money",
                "capacity": 1,
            },
            content_type="application/json",
        ).status_code
        == 403
    )
    assert Resource.objects.count() == before


def test_a_double_claim_through_the_api_is_a_409(world, al, clinic, api_login):
    staff = api_login(world.a1_staff)
    proposed = staff.post(
        "/api/v1/matches",
        {"need_id": clinic.need.pk, "resource_id": clinic.resource.pk},
        content_type="application/json",
    ).json()
    project = staff.post(
        f"/api/v1/matches/{proposed['id']}/decide", {"action": "accept"}, content_type="application/json"
    ).json()
    url = f"/api/v1/projects/{project['id']}/transitions"
    first = api_login(al.hospital_user).post(
        url, {"action": "claim", "unit_id": al.hospital.pk}, content_type="application/json"
    )
    assert first.status_code == 200 and first.json()["status"] == "claimed"
    second = api_login(al.bank_user).post(
        url, {"action": "claim", "unit_id": al.bank.pk}, content_type="application/json"
    )
    assert second.status_code == 409 and second.json()["code"] == "already_claimed"
    assert api_login(world.sub_b_admin).get(f"/api/v1/projects/{project['id']}").status_code == 404
    assert api_login(world.resident).get(f"/api/v1/projects/{project['id']}").status_code == 200  # public


def test_a_round_through_the_api_reports_optimum_and_greedy(world, al, clinic, api_login):
    response = api_login(world.sub_admin).post(
        "/api/v1/matches/propose", {"node_id": world.sub_a.pk}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json() | {"id": 0, "seconds": 0} == {
        "id": 0,
        "needs": 1,
        "resources": 1,
        "optimum": 3.0,
        "greedy": 3.0,
        "optimal": True,
        "gap": 0.0,
        "seconds": 0,
        "proposed": 1,
    }
    assert api_login(world.a1_staff).post(
        "/api/v1/matches/propose", {"node_id": world.sub_a.pk}, content_type="application/json"
    ).status_code in (403, 404)
