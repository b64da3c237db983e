"""A subdistrict's own categories: who may add and retire them, and where they show."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.appeals.models import Category
from gongzhi.appeals.selectors import category_choices
from gongzhi.appeals.services import category_add, category_for, category_set_active


def test_an_administrator_adds_under_the_shared_tree(world, categories):
    added = category_add(
        actor=world.sub_admin, subdistrict=world.sub_a, parent=categories["top"], name="老旧小区加装电梯"
    )
    assert added.level == 2 and added.subdistrict == world.sub_a
    mine = dict(category_choices(subdistrict=world.sub_a))[categories["top"]]
    theirs = dict(category_choices(subdistrict=world.sub_b))[categories["top"]]
    assert added in mine and added not in theirs
    assert category_for(subdistrict=world.sub_a, category_id=added.pk) == added
    with pytest.raises(ValidationError):  # another subdistrict's appeals cannot use it
        category_for(subdistrict=world.sub_b, category_id=added.pk)


def test_who_may_change_categories(world, categories):
    for actor in (world.a1_staff, world.a1_secretary, world.commissioner, world.resident, world.sub_b_admin):
        with pytest.raises(PermissionDenied):
            category_add(actor=actor, subdistrict=world.sub_a, parent=None, name="新分类")
    with pytest.raises(PermissionDenied):  # only at a subdistrict
        category_add(actor=world.sub_admin, subdistrict=world.comm_a1, parent=None, name="新分类")
    assert not Category.objects.filter(name="新分类").exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 61, "安全生产"])
def test_bad_names_are_refused(world, categories, name):
    with pytest.raises(ValidationError):
        category_add(actor=world.sub_admin, subdistrict=world.sub_a, parent=categories["top"], name=name)


def test_three_levels_at_most_and_no_foreign_parents(world, categories):
    with pytest.raises(ValidationError):
        category_add(actor=world.sub_admin, subdistrict=world.sub_a, parent=categories["leaf"], name="第四级")
    theirs = category_add(actor=world.sub_b_admin, subdistrict=world.sub_b, parent=None, name="B的分类")
    with pytest.raises(ValidationError):
        category_add(actor=world.sub_admin, subdistrict=world.sub_a, parent=theirs, name="借用")


def test_retire_and_bring_back(world, categories):
    own = category_add(actor=world.sub_admin, subdistrict=world.sub_a, parent=None, name="河道巡查")
    with pytest.raises(PermissionDenied):
        category_set_active(actor=world.sub_b_admin, category=own, active=False)
    with pytest.raises(PermissionDenied):  # the shared tree is not theirs to retire
        category_set_active(actor=world.sub_admin, category=categories["top"], active=False)
    category_set_active(actor=world.sub_admin, category=own, active=False)
    assert own not in [c for c, _children in category_choices(subdistrict=world.sub_a)]
    category_set_active(actor=world.sub_admin, category=own, active=True)
    assert own in [c for c, _children in category_choices(subdistrict=world.sub_a)]


def test_the_page(world, categories, login):
    admin = login(world.sub_admin)
    page = admin.get("/appeals/categories/")
    assert page.status_code == 200 and "街道A" in page.content.decode()
    response = admin.post(
        "/appeals/categories/", {"action": "add", "parent": categories["top"].pk, "name": "楼道堆物"}
    )
    assert response.status_code == 302
    own = Category.objects.get(name="楼道堆物", subdistrict=world.sub_a)
    assert "楼道堆物" in admin.get("/appeals/categories/").content.decode()
    bad = admin.post("/appeals/categories/", {"action": "add", "name": ""})
    assert bad.status_code == 400
    admin.post("/appeals/categories/", {"action": "retire", "category": own.pk})
    own.refresh_from_db()
    assert not own.is_active
    assert login(world.a1_staff).get("/appeals/categories/").status_code == 404
    # Another subdistrict's entry cannot be retired through this page.
    theirs = category_add(actor=world.sub_b_admin, subdistrict=world.sub_b, parent=None, name="B的")
    assert admin.post("/appeals/categories/", {"action": "retire", "category": theirs.pk}).status_code == 404
