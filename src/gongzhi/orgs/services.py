"""Every write to the organisation tree and party organisations."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.audit import audit_record
from gongzhi.orgs.errors import OrgsError
from gongzhi.orgs.models import ALLOWED_CHILDREN, Node, PartyOrg
from gongzhi.orgs.rules import manages


def check_child_kind(parent: Node | None, kind: str) -> None:
    parent_kind = parent.kind if parent is not None else None
    if kind not in ALLOWED_CHILDREN[parent_kind]:
        raise OrgsError.invalid(_("A %(kind)s cannot be placed here.") % {"kind": kind}, field="kind")


@transaction.atomic
def node_create(*, actor: User, parent: Node | None, kind: str, code: str, name: str, **fields: Any) -> Node:
    """Add a node under ``parent`` (a root if None: superusers only)."""
    if parent is None:
        if not actor.is_superuser:
            raise OrgsError.forbidden(_("Only an administrator can add a top-level node."))
    elif not manages.test(actor, parent):
        raise OrgsError.forbidden(_("You cannot change this part of the tree."))
    check_child_kind(parent, kind)
    node = Node(kind=kind, code=code.strip(), name=name.strip(), **fields)
    try:
        node.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
    except ValidationError as exc:
        raise OrgsError.from_validation(exc) from None
    # unscoped: node codes are unique across the tree
    if Node.objects.filter(code=node.code).exists():
        raise OrgsError.invalid(_("This code is already used by another node."), field="code")
    node = parent.add_child(instance=node) if parent is not None else Node.add_root(instance=node)
    audit_record(actor=actor, action="node.create", target=node, node=node)
    return node


@transaction.atomic
def party_org_create(
    *, actor: User, node: Node, name: str, kind: str, parent: PartyOrg | None = None
) -> PartyOrg:
    if not manages.test(actor, node):
        raise OrgsError.forbidden(_("You cannot add party organisations here."))
    org = PartyOrg(node=node, name=name.strip(), kind=kind, parent=parent)
    try:
        org.full_clean()
    except ValidationError as exc:
        raise OrgsError.from_validation(exc) from None
    org.save()
    audit_record(actor=actor, action="party_org.create", target=org, node=node)
    return org
