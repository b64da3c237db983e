"""Authoring: plans, their actions and tasks (a task bound to a module's figure) through the API and the
pages; providers and services added and corrected by staff; types and the cap. Bad input is a clear error
and stores nothing."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from gongzhi.community import services
from gongzhi.community.errors import CommunityError
from gongzhi.community.models import (
    CommunityType,
    NodeTyping,
    Plan,
    PlanEvent,
    PlanTask,
    PriceCap,
    Provider,
    ProviderStatus,
    Service,
    ServiceOrder,
)
from gongzhi.core.models import WorkdayOverride

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def _post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_a_secretary_drafts_a_plan_and_binds_a_task_to_a_figure_through_the_api(world, api_login):
    api = api_login(world.a1_secretary)
    made = _post(
        api,
        "/api/v1/plans",
        {"node_id": world.comm_a1.pk, "title": "社区三年行动", "start_year": YEAR, "actions": ["强社惠民"]},
    )
    assert made.status_code == 201, made.content
    plan = made.json()
    assert [s["name"] for s in plan["steps"]] == ["第1年", "第2年", "第3年"] or len(plan["steps"]) == 3
    action = _post(api, f"/api/v1/plans/{plan['id']}/actions", {"name": "除险保安护航"})
    assert action.status_code == 201 and action.json()["name"] == "除险保安护航"
    assert _post(api, f"/api/v1/plans/{plan['id']}/actions", {"name": "除险保安护航"}).status_code == 409
    figures = api.get(f"/api/v1/plans/{plan['id']}/figures").json()
    assert {"app": "appeals", "figure": "resolved"}.items() <= next(
        f for f in figures if f["app"] == "appeals" and f["figure"] == "resolved"
    ).items()
    assert all(f["app"] != "community" for f in figures)
    task = {
        "action_id": action.json()["id"],
        "step_id": plan["steps"][0]["id"],
        "node_id": world.cmp_a1a.pk,
        "title": "诉求就地化解",
        "starts_on": f"{YEAR}-01-01",
        "due_on": f"{YEAR}-12-31",
        "weight": 2,
        "owner_user_id": world.a1_staff.pk,
        "kpi_app": "appeals",
        "kpi_figure": "resolved",
        "indicator": "化解件数",
        "baseline": 0,
        "target": 10,
    }
    added = _post(api, f"/api/v1/plans/{plan['id']}/tasks", task)
    assert added.status_code == 201, added.content
    assert added.json()["bound"] and added.json()["owner"] == str(world.a1_staff.display_name)
    stored = PlanTask.objects.get()
    assert (stored.kpi_app, stored.kpi_figure, stored.target, stored.owner_user_id) == (
        "appeals",
        "resolved",
        10.0,
        world.a1_staff.pk,
    )
    assert list(PlanEvent.objects.values_list("action", flat=True)) == ["create", "add_action", "add_task"]
    # Bad input: each a clear error, nothing stored.
    bad = [
        ({"kpi_figure": "no_such_figure"}, 422, "kpi_figure"),
        ({"kpi_app": "", "kpi_figure": ""}, 422, "kpi_figure"),  # a baseline and target without a figure
        ({"target": 0}, 422, "target"),  # target equal to the baseline
        ({"owner_user_id": world.a2_staff.pk}, 422, "owner_user"),  # works in another community
        ({"node_id": world.comm_a2.pk}, 404, None),  # outside the secretary's reach
        ({"due_on": "9999-12-31"}, 422, "due_on"),
        ({"starts_on": "0001-01-01"}, 422, "due_on"),
        ({"weight": 101}, 422, None),
        ({"baseline": 1e300}, 422, None),
        ({"action_id": 2**40}, 422, "action_id"),
        ({"owner_user_id": 2**62}, 404, None),
        ({"title": "\x00"}, 422, "title"),
    ]
    for change, status, field in bad:
        got = _post(api, f"/api/v1/plans/{plan['id']}/tasks", {**task, **change})
        assert got.status_code == status, (change, got.content)
        assert "code" in got.json()
        if field:
            assert field in got.json().get("fields", {}), (change, got.json())
    assert PlanTask.objects.count() == 1
    # Staff who do not manage the plan's place may not add to it; a plan needs a place one manages.
    staff = api_login(world.a1_staff)
    assert _post(staff, f"/api/v1/plans/{plan['id']}/tasks", task).status_code in (403, 404)
    assert (
        _post(
            staff, "/api/v1/plans", {"node_id": world.comm_a1.pk, "title": "x", "start_year": YEAR}
        ).status_code
        == 403
    )
    assert Plan.objects.count() == 1 and PlanTask.objects.count() == 1


def test_plan_pages_draft_a_plan_add_a_task_and_launch_it(world, login):
    client = login(world.a1_secretary)
    assert client.get("/community/plans/new/").status_code == 200
    refused = client.post(
        "/community/plans/new/",
        {"node": world.comm_a1.pk, "title": "", "start_year": YEAR, "years": 3, "actions": "强社惠民"},
    )
    assert refused.status_code == 400 and Plan.objects.count() == 0
    made = client.post(
        "/community/plans/new/",
        {
            "node": world.comm_a1.pk,
            "title": "社区三年行动",
            "start_year": YEAR,
            "years": 3,
            "steps": "示范\n成效\n覆盖",
            "actions": "强社惠民\n数字赋能现代社区建设",
        },
    )
    plan = Plan.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/community/plans/{plan.pk}/"
    assert [s.name for s in plan.steps.all()] == ["示范", "成效", "覆盖"]
    page = client.get(f"/community/plans/{plan.pk}/tasks/new/")
    assert page.status_code == 200 and "appeals:resolved" in page.content.decode()
    action = plan.actions.first()
    form = {
        "action": action.pk,
        "step": plan.steps.first().pk,
        "node": world.cmp_a1a.pk,
        "title": "惠民清单公示",
        "starts_on": f"{YEAR}-01-01",
        "due_on": f"{YEAR}-06-30",
        "weight": 3,
        "owner_label": "党群服务中心",
    }
    late = client.post(f"/community/plans/{plan.pk}/tasks/new/", {**form, "due_on": f"{YEAR + 5}-01-01"})
    assert late.status_code == 400 and "任务须在计划年份内开始和结束" in late.content.decode()
    assert PlanTask.objects.count() == 0
    ok = client.post(f"/community/plans/{plan.pk}/tasks/new/", form)
    assert ok.status_code == 302 and PlanTask.objects.get().owner_label == "党群服务中心"
    client.post(f"/community/plans/{plan.pk}/", {"form": "transition", "action": "launch"})
    plan.refresh_from_db()
    assert plan.status == "active"


def test_staff_add_and_correct_providers_and_services_on_pages(world, directory, login):
    client = login(world.a1_staff)
    page = client.get("/community/directory/providers/new/")
    assert page.status_code == 200
    before = Provider.objects.count()
    no_licence = client.post(
        "/community/directory/providers/new/", {"node": world.cmp_a1b.pk, "kind": "lawyer", "name": "李律师"}
    )
    assert no_licence.status_code == 400 and Provider.objects.count() == before
    made = client.post(
        "/community/directory/providers/new/",
        {"node": world.cmp_a1b.pk, "kind": "lawyer", "name": "李律师", "licence_no": "13301201510012345"},
    )
    lawyer = Provider.objects.get(name="李律师")
    assert made.status_code == 302 and lawyer.status == ProviderStatus.PENDING
    # A listed doctor given a new licence number is checked again.
    edited = client.post(
        f"/community/directory/providers/{directory.doctor.pk}/",
        {"name": "王医生", "licence_no": "110330100099999", "volunteer": "on"},
    )
    assert edited.status_code == 302
    directory.doctor.refresh_from_db()
    assert directory.doctor.status == ProviderStatus.PENDING and directory.doctor.licence_checked_at is None
    service = {
        "area": world.comm_a1.pk,
        "title": "法律咨询",
        "category": "legal",
        "place": "online",
        "weekdays": ["1", "3"],
        "price_kind": "low_cost",
        "price": "99",
        "orderable": "on",
    }
    above_cap = client.post(f"/community/directory/providers/{lawyer.pk}/services/new/", service)
    assert above_cap.status_code == 400 and not Service.objects.filter(provider=lawyer).exists()
    added = client.post(
        f"/community/directory/providers/{lawyer.pk}/services/new/", {**service, "price": "20"}
    )
    assert added.status_code == 302
    made_service = Service.objects.get(provider=lawyer)
    assert (made_service.weekdays, made_service.price) == ("1,3", 20)
    changed = client.post(
        f"/community/directory/services/{made_service.pk}/", {**service, "price_kind": "free", "price": ""}
    )
    assert changed.status_code == 302
    made_service.refresh_from_db()
    assert (made_service.price_kind, made_service.price, made_service.active) == ("free", None, False)
    # Another community's staff do not reach them.
    other = login(world.a2_staff)
    assert other.get(f"/community/directory/services/{made_service.pk}/").status_code == 404
    assert other.get(f"/community/directory/providers/{lawyer.pk}/").status_code == 404


def test_managers_set_types_and_the_subdistrict_sets_the_cap(world, login):
    admin = login(world.sub_admin)
    assert admin.get("/community/directory/settings/").status_code == 200
    admin.post(
        "/community/directory/settings/",
        {"form": "type", "subdistrict": world.sub_a.pk, "level": "community", "name": "历史文化型"},
    )
    kind = CommunityType.objects.get()
    admin.post(
        "/community/directory/settings/", {"form": "typing", "place": world.comm_a1.pk, "type": kind.pk}
    )
    assert NodeTyping.objects.get().node == world.comm_a1
    wrong_level = admin.post(
        "/community/directory/settings/", {"form": "typing", "place": world.cmp_a1a.pk, "type": kind.pk}
    )
    assert wrong_level.status_code == 400 and NodeTyping.objects.count() == 1
    admin.post("/community/directory/settings/", {"form": "cap", "capnode": world.sub_a.pk, "cap": "50"})
    assert PriceCap.objects.get().low_cost_cap == 50
    secretary = login(world.a1_secretary)
    refused = secretary.post(
        "/community/directory/settings/", {"form": "cap", "capnode": world.comm_a1.pk, "cap": "80"}
    )
    assert refused.status_code == 400 and PriceCap.objects.get().low_cost_cap == 50


def test_a_task_names_only_a_person_working_there(world, plan):
    common = dict(
        actor=world.sub_admin,
        plan=plan.plan,
        action=plan.actions[0],
        node=world.comm_a1,
        title="t",
        starts_on=date(YEAR, 1, 1),
        due_on=date(YEAR, 2, 1),
    )
    with pytest.raises(CommunityError) as refused:
        services.task_add(**common, owner_user=world.sub_b_admin)
    assert refused.value.fields.keys() == {"owner_user"}
    assert services.task_add(**common, owner_user=world.sub_admin).owner_user == world.sub_admin


def _next(weekday: int) -> date:
    """The next date (after tomorrow) with that ISO weekday, in Beijing."""
    day = timezone.localdate() + timedelta(days=2)
    while day.isoweekday() != weekday:
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_order_times_follow_the_schedule_the_holidays_and_closures(world, directory):
    desk = services.service_add(
        actor=world.a1_staff,
        provider=directory.fixer,
        area=world.comm_a1,
        category="public_affairs",
        title="社保窗口",
        place="venue",
        venue="党群服务中心",
        weekdays=[1, 2, 3, 4, 5],
        opens=time(9),
        closes=time(17),
        follows_workdays=True,
    )
    order = dict(actor=world.resident, service=desk, compound=world.cmp_a1a)
    monday, saturday = _next(1), _next(6)
    WorkdayOverride.objects.create(day=monday, is_workday=False, note="假期")
    WorkdayOverride.objects.create(day=saturday, is_workday=True, note="调休上班")
    for when, code in ((_at(monday, 10), "closed_day"), (_at(_next(2), 8), "closed_hours")):
        with pytest.raises(CommunityError) as refused:
            services.order_place(**order, wished_at=when)
        assert refused.value.code == code and refused.value.fields.keys() == {"wished_at"}
    # A make-up Saturday is worked; the same Saturday closed for works is not.
    assert services.order_place(**order, wished_at=_at(saturday, 10)).pk
    services.service_closure_add(actor=world.a1_staff, service=desk, starts_on=saturday, ends_on=saturday)
    with pytest.raises(CommunityError):
        services.order_place(**order, wished_at=_at(saturday, 11))
    assert ServiceOrder.objects.count() == 1
    with pytest.raises(CommunityError):
        services.service_closure_add(
            actor=world.a1_staff, service=desk, starts_on=saturday, ends_on=saturday - timedelta(days=1)
        )


def test_the_address_is_stored_encrypted_and_masked_for_staff(world, directory, order, api_login):
    stored = ServiceOrder.objects.values_list("address_cipher", flat=True).get()
    assert stored and "1幢101".encode() not in bytes(stored)
    path = f"/api/v1/service-orders/{order.pk}"
    assert api_login(world.resident).get(path).json()["address"] == "1幢101"
    assert api_login(directory.doctor_user).get(path).json()["address"] == "1幢101"
    assert api_login(world.a1_staff).get(path).json()["address"] == "1****"
