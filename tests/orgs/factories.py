import itertools

import factory

from gongzhi.orgs.models import Node, NodeKind, PartyMembership, PartyOrg, PartyOrgKind

_codes = itertools.count(1)


def make_node(parent: Node | None, kind: str, name: str, **fields) -> Node:
    node = Node(kind=kind, name=name, code=fields.pop("code", f"T{next(_codes):06d}"), **fields)
    if parent is None:
        return Node.add_root(instance=node)
    parent.refresh_from_db()
    return parent.add_child(instance=node)


class PartyOrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrg

    name = factory.Sequence(lambda n: f"测试党支部{n}")
    kind = PartyOrgKind.BRANCH


class PartyMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyMembership

    party_org = factory.SubFactory(PartyOrgFactory)


__all__ = ["NodeKind", "PartyMembershipFactory", "PartyOrgFactory", "make_node"]
