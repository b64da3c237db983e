"""Demo wish wall of the 西一 canal station (大关): wishes of older residents, most on the wall, some claimed
by members of 西一's party-member team (from the volunteering step), one awaiting review."""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

from gongzhi.accounts.models import User
from gongzhi.core.registry import DemoContext
from gongzhi.core.roles import Role
from gongzhi.demo.accounts import demo_users, named_node
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
    return {"wishes": len(WISHES)}
