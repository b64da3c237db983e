"""Demo points mall: 祥符's points platform "蓝聚汇" (goods and services, with orders from 搭把手's members, who
earned their points in the volunteering step) and 上塘's convenience services at its centre (knife
sharpening, umbrella and shoe repair, haircuts, small appliance repair)."""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

from datetime import timedelta

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.registry import DemoContext
from gongzhi.demo.accounts import named_node
from gongzhi.ledger.mall import item_create, order_place, order_transition
from gongzhi.ledger.models import ItemKind, MallOrder


def load(ctx: DemoContext) -> dict[str, int]:
    ctx.progress("points mall")
    xiangfu, shangtang = named_node("祥符街道"), named_node("上塘街道")
    admin_xf = User.objects.get(username="xiangfu-admin")
    st_admin = User.objects.get(username="shangtang-admin")
    members = ctx.shared.get("dabashou_members", [])
    # 蓝聚汇: the points platform.
    blue = [
        ("洗衣液", ItemKind.GOODS, "蓝聚汇", 80, 50, None),
        ("大米 5 kg", ItemKind.GOODS, "祥符党建红盟", 200, 20, 1),
        ("便民理发", ItemKind.SERVICE, "社区志愿者", 30, 40, 2),
        ("小家电维修", ItemKind.SERVICE, "祥符党建红盟", 50, 15, None),
        ("闲置图书", ItemKind.DONATED, "居民捐赠", 10, 60, 3),
    ]
    items = [
        item_create(
            actor=admin_xf,
            node=xiangfu,
            name=name,
            kind=kind,
            provider=provider,
            price=price,
            stock=stock,
            limit_per_person=limit,
            pickup_place="祥符街道党群服务中心（春雀街92号）",
            pickup_hours="周一至周五 9:00–17:00",
        )
        for name, kind, provider, price, stock, limit in blue
    ]
    now = timezone.now()
    for n, user in enumerate(members[:12]):
        # Orders of the past two months, each dated when it was placed (not when the demo was loaded).
        placed = now - timedelta(days=58 - n * 5, hours=ctx.rng.randint(0, 8))
        order, _ = order_place(
            actor=user, item=items[n % len(items)], client_key=f"demo-{n}", placed_at=placed
        )
        if n % 3 == 0:
            order_transition(actor=admin_xf, order=order, action="approve")
            MallOrder.objects.filter(pk=order.pk).update(decided_at=placed + timedelta(days=1))

    for name, price in [("磨刀", 10), ("修伞修鞋", 15), ("理发", 20), ("小家电维修", 40)]:
        item_create(
            actor=st_admin,
            node=shangtang,
            name=name,
            kind=ItemKind.SERVICE,
            provider="上塘街道党群服务中心便民服务",
            price=price,
            stock=30,
            limit_per_person=2,
            pickup_place="上塘街道党群服务中心 红色便民服务站",
            pickup_hours="每周六 8:30–11:30",
        )

    return {"mall_items": len(items) + 4}
