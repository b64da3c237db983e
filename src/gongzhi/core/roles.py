"""The roles of DESIGN §1. A user holds roles through RoleBinding rows, each bound to one node."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    VOLUNTEER = "volunteer", _("Volunteer")
    PARTY_MEMBER = "party_member", _("Party member")
    COMMISSIONER = "commissioner", _("Compound commissioner")
    PROPERTY_MANAGER = "property_manager", _("Property manager")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    COMMUNITY_SECRETARY = "community_secretary", _("Community secretary")
    SUBDISTRICT_ADMIN = "subdistrict_admin", _("Subdistrict administrator")
    ALLIANCE_UNIT = "alliance_unit", _("Alliance unit")
    DISTRICT_VIEWER = "district_viewer", _("District viewer")


# Staff who work with residents' records in their subtree.
CASEWORK_ROLES = frozenset(
    {Role.COMMISSIONER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.SUBDISTRICT_ADMIN}
)
# Staff who may change the organisation of their subtree (nodes, party organisations, teams).
MANAGER_ROLES = frozenset({Role.COMMUNITY_SECRETARY, Role.SUBDISTRICT_ADMIN})
# Everyone who sees aggregate figures of a subtree, including read-only viewers.
OVERSIGHT_ROLES = CASEWORK_ROLES | {Role.DISTRICT_VIEWER}
# People who live in a compound and use the site for themselves (file appeals, volunteer, post wishes).
NEIGHBOUR_ROLES = frozenset({Role.RESIDENT, Role.PARTY_MEMBER, Role.VOLUNTEER})
ALL_ROLES = frozenset(Role)
