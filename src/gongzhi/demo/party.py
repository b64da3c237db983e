"""The demo's party organisations ("one compound, one party organisation"), members, the compounds' three
parties and 望湖's governance teams (the second demo step)."""

# unscoped-module: a demo step builds the world as the system, before anyone signs in

from collections import defaultdict
from datetime import date

from gongzhi.accounts.models import Person
from gongzhi.core.registry import DemoContext
from gongzhi.demo import figures as F
from gongzhi.demo.world import World
from gongzhi.orgs.models import (
    GovernanceTeam,
    GovernanceTeamMember,
    MemberPost,
    Node,
    NodeType,
    OrgUnit,
    OrgUnitKind,
    PartyMembership,
    PartyOrg,
    PartyOrgKind,
    TeamPost,
)


def build_party(world: World, people: dict[str, list[Person]]) -> None:
    orgs: list[PartyOrg] = []
    committee_of: dict[str, PartyOrg] = {}
    branch_of: dict[str, PartyOrg] = {}
    workings = PartyOrg.objects.bulk_create(
        PartyOrg(
            node=world.subdistricts[sub["key"]],
            name=f"{sub['name']}党工委",
            kind=PartyOrgKind.WORKING_COMMITTEE,
        )
        for sub in F.SUBDISTRICTS
    )
    for sub, working in zip(F.SUBDISTRICTS, workings, strict=True):
        for community in world.communities[sub["key"]]:
            committee = PartyOrg(
                node=community, name=f"{community.name}党委", kind=PartyOrgKind.COMMITTEE, parent=working
            )
            committee_of[community.path] = committee
            orgs.append(committee)
    PartyOrg.objects.bulk_create(orgs)
    # "One compound, one party organisation": a branch in every compound.
    branches = []
    for compounds in world.compounds.values():
        for compound in compounds:
            branch = PartyOrg(
                node=compound,
                name=f"{compound.name}党支部",
                kind=PartyOrgKind.BRANCH,
                parent=committee_of[compound.path[: -Node.steplen]],
            )
            branch_of[compound.path] = branch
            branches.append(branch)
    # 望湖: 74 branches in all -> 45 community-level branches besides the 29 compound branches.
    extra_kinds = [
        "退休党支部",
        "非公企业联合党支部",
        "社会组织联合党支部",
        "物业企业党支部",
        "志愿者党支部",
        "流动党员党支部",
        "老干部党支部",
        "两新组织党支部",
        "机关在职党员党支部",
    ]
    for community in world.communities["wanghu"]:
        for label in extra_kinds:
            branches.append(
                PartyOrg(
                    node=community,
                    name=f"{community.name}{label}",
                    kind=PartyOrgKind.BRANCH,
                    parent=committee_of[community.path],
                )
            )
    PartyOrg.objects.bulk_create(branches)
    # 望湖: a party group in every building (233).
    groups = []
    for compound in world.compounds["wanghu"]:
        for building in world.buildings[compound.path]:
            groups.append(
                PartyOrg(
                    node=building,
                    name=f"{building.name}党小组",
                    kind=PartyOrgKind.GROUP,
                    parent=branch_of[compound.path],
                )
            )
    PartyOrg.objects.bulk_create(groups)

    # Members: about 6% of residents, exactly 2,836 in 上塘.
    memberships = []
    for key, compounds in world.compounds.items():
        pool = [
            (p, branch_of[c.path]) for c in compounds for p in people[c.path] if (p.birth_year or 0) <= 2004
        ]
        count = F.SHANGTANG["party_members"] if key == "shangtang" else int(len(pool) * 0.06)
        for person, branch in world.rng.sample(pool, count):
            memberships.append(
                PartyMembership(
                    party_org=branch,
                    person=person,
                    in_service=world.rng.random() < 0.45,
                    joined_party_on=date(
                        min(2023, (person.birth_year or 1970) + world.rng.randint(20, 40)), 7, 1
                    ),
                    workplace=world.rng.choice(
                        ["", "杭州市某中学", "某区卫健局", "某国有企业", "某银行支行"]
                    ),
                )
            )
    by_branch: dict[int, list[PartyMembership]] = defaultdict(list)
    for m in memberships:
        by_branch[id(m.party_org)].append(m)
    for members in by_branch.values():
        members[0].post = MemberPost.SECRETARY
        if len(members) > 3:
            members[1].post = MemberPost.DEPUTY_SECRETARY
    PartyMembership.objects.bulk_create(memberships, batch_size=2000)


def build_three_parties_and_teams(world: World, people: dict[str, list[Person]]) -> None:
    units = []
    for compounds in world.compounds.values():
        for compound in compounds:
            units.append(
                OrgUnit(node=compound, kind=OrgUnitKind.PROPERTY_MANAGER, name=f"{compound.name}物业服务中心")
            )
            if compound.node_type == NodeType.COMMERCIAL or compound.micro_governance_batch:
                units.append(
                    OrgUnit(
                        node=compound,
                        kind=OrgUnitKind.OWNERS_COMMITTEE,
                        name=f"{compound.name}业主委员会",
                    )
                )
    OrgUnit.objects.bulk_create(units)
    # 望湖: 28 "1+X" governance teams: 29 instructors, 52 red stewards, 28 student stewards.
    compounds = world.compounds["wanghu"][:28]
    teams = GovernanceTeam.objects.bulk_create(
        GovernanceTeam(node=c, name=f"{c.name}治理团队") for c in compounds
    )
    members = []
    for i, (team, compound) in enumerate(zip(teams, compounds, strict=True)):
        pool = world.rng.sample(people[compound.path], 6)
        posts = [TeamPost.INSTRUCTOR, TeamPost.SECRETARY, TeamPost.STUDENT_STEWARD, TeamPost.RED_STEWARD]
        if i < 24:
            posts.append(TeamPost.RED_STEWARD)
        if i == 0:
            posts.append(TeamPost.INSTRUCTOR)
        members += [
            GovernanceTeamMember(team=team, person=p, post=post) for p, post in zip(pool, posts, strict=False)
        ]
    GovernanceTeamMember.objects.bulk_create(members)


def load(ctx: DemoContext) -> dict[str, int]:
    world, people = ctx.shared["world"], ctx.shared["people"]
    ctx.progress("party organisations")
    build_party(world, people)
    build_three_parties_and_teams(world, people)
    return {"party_memberships": PartyMembership.objects.count()}
