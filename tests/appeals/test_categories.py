import pytest
from django.core.management import call_command

from gongzhi.appeals.categories import categories_load_default
from gongzhi.appeals.models import Category

pytestmark = pytest.mark.django_db


def test_default_trees_are_the_official_taxonomy_and_the_compound_tree():
    added = categories_load_default()
    assert added == Category.objects.count()
    hotline = Category.objects.filter(tree="hotline")
    counts = [hotline.filter(level=n).count() for n in (1, 2, 3)]
    assert counts == [15, 118, 517]  # the CSV's distinct first, second and third levels
    compound = Category.objects.filter(tree="compound")
    assert [compound.filter(level=n).count() for n in (1, 2, 3)] == [14, 50, 0]
    # Every compound entry says where it goes in the hotline's taxonomy.
    assert not compound.filter(hotline__isnull=True).exists()
    leak = Category.objects.get(tree="compound", name="地下车库渗漏")
    assert leak.top.name == "漏水渗水" and leak.hotline_path == "城乡建设 › 住房保障与房地产 › 物业服务"
    assert (
        Category.objects.get(tree="compound", name="停车管理", level=1).hotline.name == "城市建设和市政管理"
    )
    # The same third-level name can sit under two branches; each is its own category.
    assert hotline.filter(name="安全隐患", level=3).count() == 2
    leaf = Category.objects.get(name="安全隐患", parent__name="安全生产", parent__parent__name="城乡建设")
    assert leaf.top.name == "城乡建设"
    assert leaf.urgent and leaf.parent.urgent
    assert categories_load_default() == 0  # loading again adds nothing
    call_command("load_categories")
    assert Category.objects.count() == added
