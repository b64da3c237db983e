import pytest

from gongzhi.appeals.models import Category, SlaPolicy
from gongzhi.appeals.services import appeal_submit


@pytest.fixture
def categories(db):
    top = Category.objects.create(name="城乡建设", level=1)
    middle = Category.objects.create(name="安全生产", level=2, parent=top, urgent=True)
    leaf = Category.objects.create(name="安全隐患", level=3, parent=middle, urgent=True)
    other = Category.objects.create(name="环境保护", level=1)
    return {"top": top, "middle": middle, "leaf": leaf, "other": other}


@pytest.fixture
def file_appeal(world):
    def _file(actor=None, node=None, **kwargs):
        kwargs.setdefault("title", "楼道堆放杂物")
        kwargs.setdefault("body", "3单元楼道堆满纸箱，消防通道被堵。")
        appeal, _created = appeal_submit(actor=actor or world.resident, node=node or world.bld_a1a, **kwargs)
        return appeal

    return _file


@pytest.fixture
def sla(db):
    return SlaPolicy.objects.create(accept_limit=1, resolve_limit=5)
