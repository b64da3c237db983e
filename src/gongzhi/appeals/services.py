"""Every write to appeals, in one place to import from: intake (intake.py), the transitions of the tiered
workflow (workflow.py), the SLA sweep (sweep.py), neighbours' support and following (neighbours.py), the
audited reveal of the filer's phone (contact.py); and a subdistrict's own categories (here)."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.appeals.categories import URGENT_WORDS
from gongzhi.appeals.contact import appeal_contact_reveal
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.intake import MAX_PHOTOS, appeal_photo_add, appeal_submit, category_for
from gongzhi.appeals.models import Category
from gongzhi.appeals.neighbours import appeal_follow, appeal_support, appeal_unsupport, may_follow
from gongzhi.appeals.routing import handlers_at, handlers_of
from gongzhi.appeals.rules import edits_categories
from gongzhi.appeals.sla import deadline, sla_policy
from gongzhi.appeals.sweep import appeals_sla_sweep
from gongzhi.appeals.workflow import appeal_actions, appeal_transition
from gongzhi.orgs.models import Node

__all__ = [
    "MAX_PHOTOS",
    "AppealError",
    "appeal_actions",
    "appeal_contact_reveal",
    "appeal_follow",
    "appeal_photo_add",
    "appeal_submit",
    "appeal_support",
    "appeal_transition",
    "appeal_unsupport",
    "appeals_sla_sweep",
    "category_add",
    "category_for",
    "category_set_active",
    "deadline",
    "handlers_at",
    "handlers_of",
    "may_follow",
    "sla_policy",
]


@transaction.atomic
def category_add(*, actor: User, subdistrict: Node, parent: Category | None, name: str) -> Category:
    """Add an entry to a subdistrict's own part of the tree, under a shared or own entry (or at the top)."""
    if not edits_categories.test(actor, subdistrict):
        raise AppealError.forbidden(_("Only the subdistrict's administrators change its categories."))
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise AppealError.invalid(_("Give the category a name of at most 60 characters."), field="name")
    if parent is not None:
        if parent.subdistrict_id not in (None, subdistrict.pk) or not parent.is_active:
            raise AppealError.invalid(_("Unknown category."), field="parent")
        if parent.level >= 3:
            raise AppealError.invalid(
                _("The tree has three levels; choose a first- or second-level entry."), field="parent"
            )
    siblings = Category.objects.filter(
        Q(subdistrict__isnull=True) | Q(subdistrict=subdistrict), parent=parent
    )
    if siblings.filter(name=name).exists():
        raise AppealError.invalid(_("There is already a category of this name here."), field="name")
    return Category.objects.create(
        subdistrict=subdistrict,
        parent=parent,
        level=parent.level + 1 if parent else 1,
        name=name,
        urgent=any(w in name for w in URGENT_WORDS),
    )


def category_set_active(*, actor: User, category: Category, active: bool) -> Category:
    """Retire (or bring back) one of the subdistrict's own entries; appeals filed under it keep it."""
    subdistrict = category.subdistrict
    if subdistrict is None or not edits_categories.test(actor, subdistrict):
        raise AppealError.forbidden(_("Only the subdistrict's administrators change its categories."))
    Category.objects.filter(pk=category.pk).update(is_active=active)
    category.is_active = active
    return category
