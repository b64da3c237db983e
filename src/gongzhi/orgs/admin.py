from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from gongzhi.orgs.models import GovernanceTeam, GovernanceTeamMember, Node, OrgUnit, PartyMembership, PartyOrg


@admin.register(Node)
class NodeAdmin(TreeAdmin):
    form = movenodeform_factory(Node)
    list_display = ["name", "kind", "code", "node_type", "households", "population"]
    list_filter = ["kind", "node_type"]
    search_fields = ["name", "code"]


@admin.register(PartyOrg)
class PartyOrgAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "node"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["node", "parent"]


@admin.register(PartyMembership)
class PartyMembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "party_org", "post", "in_service"]
    raw_id_fields = ["person", "party_org"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "node"]
    raw_id_fields = ["node"]


class TeamMemberInline(admin.TabularInline):
    model = GovernanceTeamMember
    raw_id_fields = ["person"]


@admin.register(GovernanceTeam)
class GovernanceTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "node"]
    raw_id_fields = ["node"]
    inlines = [TeamMemberInline]
