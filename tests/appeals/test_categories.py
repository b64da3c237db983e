import pytest
from django.core.management import call_command

from gongzhi.appeals.categories import categories_load_default
from gongzhi.appeals.models import Category

pytestmark = pytest.mark.django_db


def test_default_tree_is_the_official_taxonomy():
    added = categories_load_default()
    assert added == Category.objects.count()
    counts = [Category.objects.filter(level=n).count() for n in (1, 2, 3)]
    assert counts == [15, 118, 517]  # the CSV's distinct first, second and third levels
    # The same third-level name can sit under two branches; each is its own category.
    assert Category.objects.filter(name="安全隐患", level=3).count() == 2
    leaf = Category.objects.get(name="安全隐患", parent__name="安全生产", parent__parent__name="城乡建设")
    assert leaf.top.name == "城乡建设"
    assert leaf.urgent and leaf.parent.urgent
    assert categories_load_default() == 0  # loading again adds nothing
    call_command("load_categories")
    assert Category.objects.count() == added
