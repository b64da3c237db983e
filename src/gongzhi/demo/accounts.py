"""The demo accounts of README.md (password ``gongzhi-demo``) and 祥符's 93 compound commissioners (the
third demo step)."""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gongzhi.accounts.models import Person, RoleBinding, User
from gongzhi.core.registry import DemoContext
from gongzhi.core.roles import Role
from gongzhi.demo import figures as F
from gongzhi.demo.world import World
from gongzhi.orgs.models import Node


def named_node(name: str) -> Node:
    """A place of the demo world, by its (unique) name."""
    return Node.objects.get(name=name)


def demo_users(prefix: str, display: str, count: int, role: str, places: list[Node]) -> list[User]:
    """``count`` demo users (``prefix-001`` …) without a usable password, with ``role`` spread over ``places``."""
    users = User.objects.bulk_create(
        User(username=f"{prefix}-{n:03d}", display_name=f"{display}{n:02d}", password="!")  # noqa: S106 - unusable password
        for n in range(1, count + 1)
    )
    RoleBinding.objects.bulk_create(
        RoleBinding(user=u, role=role, node=places[n % len(places)]) for n, u in enumerate(users)
    )
    return users


def build_accounts(world: World, people: dict[str, list[Person]]) -> None:
    password = make_password(F.DEMO_PASSWORD)
    named = world.named

    def account(
        username: str, display: str, phone: str, *bindings: tuple[str, Node], superuser=False
    ) -> User:
        user = User(
            username=username,
            display_name=display,
            password=password,
            is_superuser=superuser,
            is_staff=superuser,
        )
        user.set_phone(phone)
        user.save()
        RoleBinding.objects.bulk_create(
            RoleBinding(user=user, role=role, node=node) for role, node in bindings
        )
        return user

    account("admin", "系统管理员", "13800000000", superuser=True)
    account("xiangfu-admin", "祥符街道管理员", "13800000001", (Role.SUBDISTRICT_ADMIN, named["祥符街道"]))
    account("shenhui-staff", "申慧社区社工", "13800000002", (Role.COMMUNITY_STAFF, named["申慧社区"]))
    account("shenhui-secretary", "申慧社区书记", "13800000011", (Role.COMMUNITY_SECRETARY, named["申慧社区"]))
    account("huiyuan-commissioner", "慧园小区专员", "13800000003", (Role.COMMISSIONER, named["慧园小区"]))
    resident = account("huiyuan-resident", "慧园居民", "13800000004", (Role.RESIDENT, named["慧园小区"]))
    # The compound's other two parties (三方): its property management company and owners' committee.
    account("huiyuan-property", "慧园物业", "13800000008", (Role.PROPERTY_MANAGER, named["慧园小区"]))
    account("huiyuan-owners", "慧园业委会", "13800000009", (Role.OWNERS_COMMITTEE, named["慧园小区"]))
    neighbour = account("huiyuan-neighbour", "慧园邻居", "13800000010", (Role.RESIDENT, named["慧园小区"]))
    account("xiyi-staff", "西一社区社工", "13800000005", (Role.COMMUNITY_STAFF, named["西一社区"]))
    account("daguan-admin", "大关街道管理员", "13800000006", (Role.SUBDISTRICT_ADMIN, named["大关街道"]))
    account("shangtang-admin", "上塘街道管理员", "", (Role.SUBDISTRICT_ADMIN, named["上塘街道"]))
    account(
        "district-viewer",
        "区级查看",
        "13800000007",
        *((Role.DISTRICT_VIEWER, district) for district in world.districts.values()),
    )
    # The demo residents are in the register of 慧园小区: a retired resident of 70, a neighbour of 38.
    this_year = timezone.localdate().year
    home, next_door = people[named["慧园小区"].path][:2]
    Person.objects.filter(pk=home.pk).update(user=resident, name="慧园居民", birth_year=this_year - 70)
    Person.objects.filter(pk=next_door.pk).update(user=neighbour, name="慧园邻居", birth_year=this_year - 38)
    # 93 commissioners over 祥符's 87 micro-governance compounds (six compounds have two).
    micro = [c for c in world.compounds["xiangfu"] if c.micro_governance_batch]
    placements = micro + [c for c in micro if c.name != "慧园小区"][:6]
    users, bindings = [], []
    huiyuan_done = False
    for n, compound in enumerate(placements, start=1):
        if compound.name == "慧园小区" and not huiyuan_done:
            huiyuan_done = True  # huiyuan-commissioner (created above) is this compound's commissioner
            continue
        # Unusable password ("!"): these commissioners sign in by phone code once a number is set.
        unusable = "!"
        users.append(
            User(
                username=f"xf-commissioner-{n:03d}",
                display_name=f"{compound.name}专员",
                password=unusable,
            )
        )
        bindings.append(compound)
    User.objects.bulk_create(users)
    RoleBinding.objects.bulk_create(
        RoleBinding(user=u, role=Role.COMMISSIONER, node=c) for u, c in zip(users, bindings, strict=True)
    )


def load(ctx: DemoContext) -> dict[str, int]:
    ctx.progress("accounts")
    build_accounts(ctx.shared["world"], ctx.shared["people"])
    return {}
