"""Demo wish walls: the 西一 canal station (大关), wishes of older residents, most on the wall, some claimed
by members of 西一's party-member team (from the volunteering step), one awaiting review; and 慧园 (申慧,
祥符), whose wishes carry drawn pictures so the demo's resident sees photos on the wall."""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

from gongzhi.accounts.models import User
from gongzhi.core.photos import photo_replace
from gongzhi.core.registry import DemoContext
from gongzhi.core.roles import Role
from gongzhi.demo.accounts import demo_users, named_node
from gongzhi.demo.pictures import drawn_photo
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.wishes.services import wish_post, wish_transition

WISHES = [
    ("想要一台收音机听越剧", "眼睛不好，平时一个人在家。"),
    ("希望有人帮忙修一下轮椅刹车", ""),
    ("孙子想要一套课外读物", "三年级，喜欢科普。"),
    ("想学用智能手机视频通话", "女儿在外地工作。"),
    ("家里灯泡坏了够不着", "八十岁，一个人住。"),
    ("想要一副老花镜", ""),
    ("希望有人陪我去医院复查", "下周三上午。"),
    ("想要几盆绿植放阳台", ""),
]

# 慧园's wall: (title, body, picture's caption, how far it went)
HUIYUAN_WISHES = [
    ("想要一台老人手机", "字大、声音响，方便给子女打电话。", "字大声响", "claimed"),
    ("希望楼道装个扶手", "三楼台阶陡，上下楼怕摔。", "楼道扶手", "wall"),
    ("想要一把带靠背的折叠凳", "每天去菜场路上想歇歇脚。", "折叠凳", "wall"),
    ("想学包粽子", "端午想给孙女做一次。", "邻里课堂", "wall"),
]


def load(ctx: DemoContext) -> dict[str, int]:
    ctx.progress("wish wall")
    xiyi = named_node("西一社区")
    xiyi_staff = User.objects.get(username="xiyi-staff")
    xiyi_compounds = ctx.shared.get("xiyi_compounds") or list(
        Node.objects.filter(path__startswith=xiyi.path, kind=NodeKind.COMPOUND).order_by("path")
    )
    dg_members = ctx.shared.get("xiyi_members") or []
    wishers = demo_users("xiyi-resident", "西一居民", len(WISHES), Role.RESIDENT, xiyi_compounds)
    names = ["陈阿婆", "王大伯", "李奶奶", "张阿姨", "赵爷爷", "周奶奶", "吴伯伯", "郑阿姨"]
    for n, ((title, body), wisher) in enumerate(zip(WISHES, wishers, strict=True)):
        User.objects.filter(pk=wisher.pk).update(display_name=names[n])
        wisher.display_name = names[n]
        compound = xiyi_compounds[n % len(xiyi_compounds)]
        wish = wish_post(actor=wisher, compound=compound, title=title, body=body)
        if n == 7:
            continue  # awaiting review
        wish = wish_transition(actor=xiyi_staff, wish=wish, action="publish")
        if n < 3 and n < len(dg_members):
            wish = wish_transition(actor=dg_members[n], wish=wish, action="claim")
            if n < 2:
                wish = wish_transition(actor=wisher, wish=wish, action="accept")
    return {"wishes": len(WISHES) + _huiyuan(ctx)}


def _huiyuan(ctx: DemoContext) -> int:
    """慧园's wishes, on the wall with pictures; the first claimed by the 搭把手 team's leader."""
    huiyuan = named_node("慧园小区")
    staff = User.objects.get(username="shenhui-staff")
    admin = User.objects.get(username="admin")
    wishers = [
        User.objects.get(username="huiyuan-neighbour"),
        *demo_users("huiyuan-wisher", "慧园居民", 3, Role.RESIDENT, [huiyuan]),
    ]
    helper = User.objects.filter(username="dabashou-leader").first()
    names = ["钱阿姨", "孙大爷", "冯奶奶", "褚阿婆"]
    for n, (title, body, caption, reached) in enumerate(HUIYUAN_WISHES):
        wisher = wishers[n]
        if n:
            User.objects.filter(pk=wisher.pk).update(display_name=names[n])
            wisher.display_name = names[n]
        wish = wish_post(actor=wisher, compound=huiyuan, title=title, body=body)
        wish = wish_transition(actor=staff, wish=wish, action="publish")
        photo_replace(actor=admin, kind="wish", pk=wish.pk, upload=drawn_photo(title, caption))
        if reached == "claimed" and helper is not None:
            wish_transition(actor=helper, wish=wish, action="claim")
    return len(HUIYUAN_WISHES)
