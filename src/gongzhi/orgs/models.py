"""The organisation tree (行政层级), party organisations, the three parties of a compound, governance teams."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from gongzhi.core.roles import ALL_ROLES, CASEWORK_ROLES, MANAGER_ROLES, OVERSIGHT_ROLES
from gongzhi.core.scoping import PATH_STEP, ScopedQuerySet, ScopedQuerySetMixin, ScopePolicy


class NodeKind(models.TextChoices):
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    COMPOUND = "compound", _("Compound")
    BUILDING = "building", _("Building")


# Which kinds may sit directly under which (grids are optional between community and compound).
ALLOWED_CHILDREN = {
    None: {NodeKind.DISTRICT, NodeKind.SUBDISTRICT},
    NodeKind.DISTRICT: {NodeKind.SUBDISTRICT},
    NodeKind.SUBDISTRICT: {NodeKind.COMMUNITY},
    NodeKind.COMMUNITY: {NodeKind.GRID, NodeKind.COMPOUND},
    NodeKind.GRID: {NodeKind.COMPOUND},
    NodeKind.COMPOUND: {NodeKind.BUILDING},
    NodeKind.BUILDING: set(),
}


class NodeType(models.TextChoices):
    # compounds
    OLD_COMPOUND = "old_compound", _("Old compound")
    RESETTLEMENT = "resettlement", _("Resettlement compound")
    COMMERCIAL = "commercial", _("Commercial housing")
    # communities (城厢's five types) and economic co-operatives
    HISTORIC = "historic", _("Historic and cultural")
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    VIBRANT = "vibrant", _("High quality and vibrant")
    RENEWAL = "renewal", _("Renewal and upgrading")
    INTEGRATION = "integration", _("Integrated development")
    ECONOMIC_COOP = "economic_coop", _("Economic co-operative")


TYPES_BY_KIND = {
    NodeKind.COMPOUND: {NodeType.OLD_COMPOUND, NodeType.RESETTLEMENT, NodeType.COMMERCIAL},
    NodeKind.COMMUNITY: {
        NodeType.HISTORIC,
        NodeType.ELDERLY_CARE,
        NodeType.VIBRANT,
        NodeType.RENEWAL,
        NodeType.INTEGRATION,
        NodeType.ECONOMIC_COOP,
    },
}


class NodeQuerySet(ScopedQuerySetMixin, MP_NodeQuerySet):
    pass


class NodeManager(MP_NodeManager):
    def get_queryset(self):
        return NodeQuerySet(self.model).order_by("path")

    def visible_to(self, user, action="view"):
        return self.get_queryset().visible_to(user, action)


class Node(MP_Node):
    steplen = PATH_STEP

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("level"), max_length=16, choices=NodeKind.choices, db_index=True)
    node_type = models.CharField(_("type"), max_length=24, choices=NodeType.choices, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # GCJ-02, as Chinese web maps use it (see gongzhi.core.geo for WGS-84).
    lat = models.FloatField(
        _("latitude (GCJ-02)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lng = models.FloatField(
        _("longitude (GCJ-02)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population = models.PositiveIntegerField(_("residents"), null=True, blank=True)
    # Batch in which a compound entered micro-governance (小区微治理); empty if not (yet).
    micro_governance_batch = models.PositiveSmallIntegerField(
        _("micro-governance batch"), null=True, blank=True
    )

    node_order_by = ["code"]
    objects = NodeManager()
    scope = ScopePolicy(
        node_field=None,
        actions={"view": ALL_ROLES, "count": OVERSIGHT_ROLES, "change": MANAGER_ROLES},
    )

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        constraints = [
            models.CheckConstraint(
                condition=(Q(lat__isnull=True) & Q(lng__isnull=True))
                | (Q(lat__gte=-90) & Q(lat__lte=90) & Q(lng__gte=-180) & Q(lng__lte=180)),
                name="node_location_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.lat is None) != (self.lng is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        allowed_types = TYPES_BY_KIND.get(self.kind, set())
        if self.node_type and self.node_type not in allowed_types:
            raise ValidationError({"node_type": _("This type does not apply to this level.")})

    def ancestor_paths(self) -> list[str]:
        """Materialised paths of every ancestor, root first (no query)."""
        return [self.path[:i] for i in range(self.steplen, len(self.path), self.steplen)]

    def ancestor_of_kind(self, kind: str) -> "Node | None":
        """This node if it is of ``kind``, else its ancestor of that kind (one query), or None."""
        if self.kind == kind:
            return self
        # unscoped: tree navigation: the ancestors of this node
        return Node.objects.filter(path__in=self.ancestor_paths(), kind=kind).first()

    @property
    def kind_rank(self) -> int:
        return list(NodeKind.values).index(self.kind)


class PartyOrgKind(models.TextChoices):
    WORKING_COMMITTEE = "working_committee", _("Working committee")
    COMMITTEE = "committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Branch")
    GROUP = "group", _("Party group")


class PartyOrg(models.Model):
    """A party organisation attached to a node ("one compound, one party organisation")."""

    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="party_orgs", verbose_name=_("node")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=PartyOrgKind.choices)
    established_on = models.DateField(_("established"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        # Party organisations show their identity to the public they serve (亮身份); member lists do not.
        actions={"view": ALL_ROLES, "change": MANAGER_ROLES},
    )

    class Meta:
        ordering = ["node__path", "kind", "name"]
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        constraints = [
            models.UniqueConstraint(fields=["node", "name"], name="party_org_unique_name_per_node")
        ]

    def __str__(self) -> str:
        return self.name


class MemberPost(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    GROUP_LEADER = "group_leader", _("Group leader")
    MEMBER = "member", _("Member")


class PartyMembership(models.Model):
    party_org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="party_memberships")
    post = models.CharField(_("post"), max_length=24, choices=MemberPost.choices, default=MemberPost.MEMBER)
    joined_party_on = models.DateField(_("joined the party"), null=True, blank=True)
    # In-service party members report to the compound they live in (在职党员到小区报到).
    in_service = models.BooleanField(_("in-service"), default=False)
    workplace = models.CharField(_("workplace"), max_length=120, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="party_org__node", actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES}
    )

    class Meta:
        ordering = ["party_org_id", "id"]
        verbose_name = _("party membership")
        verbose_name_plural = _("party memberships")
        constraints = [
            models.UniqueConstraint(fields=["party_org", "person"], name="party_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.party_org}"


class OrgUnitKind(models.TextChoices):
    PROPERTY_MANAGER = "property_manager", _("Property manager")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")


class OrgUnit(models.Model):
    """The other two of a compound's three parties (三方协同): its property manager and owners' committee."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="org_units")
    kind = models.CharField(_("kind"), max_length=24, choices=OrgUnitKind.choices)
    name = models.CharField(_("name"), max_length=120)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(node_field="node", actions={"view": ALL_ROLES, "change": MANAGER_ROLES})

    class Meta:
        ordering = ["node__path", "kind"]
        verbose_name = _("compound party")
        verbose_name_plural = _("compound parties")
        constraints = [models.UniqueConstraint(fields=["node", "kind"], name="org_unit_one_per_kind")]

    def __str__(self) -> str:
        return self.name


class GovernanceTeam(models.Model):
    """A compound's "1+X" governance team: instructor, secretary, red stewards, student stewards."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="governance_teams")
    name = models.CharField(_("name"), max_length=120)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(node_field="node", actions={"view": OVERSIGHT_ROLES, "change": MANAGER_ROLES})

    class Meta:
        ordering = ["node__path", "name"]
        verbose_name = _("governance team")
        verbose_name_plural = _("governance teams")

    def __str__(self) -> str:
        return self.name


class TeamPost(models.TextChoices):
    INSTRUCTOR = "instructor", _("Party-building instructor")
    SECRETARY = "secretary", _("Branch secretary")
    RED_STEWARD = "red_steward", _("Red steward")
    STUDENT_STEWARD = "student_steward", _("Student steward")
    OTHER = "other", _("Other")


class GovernanceTeamMember(models.Model):
    team = models.ForeignKey(GovernanceTeam, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="team_posts")
    post = models.CharField(_("post"), max_length=24, choices=TeamPost.choices)

    class Meta:
        ordering = ["team_id", "post", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "person", "post"], name="team_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_post_display()})"
