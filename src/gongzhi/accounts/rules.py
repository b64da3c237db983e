"""Who may change people's roles and the residents' register, and see personal data."""

from gongzhi.core.roles import CASEWORK_ROLES, MANAGER_ROLES, Role
from gongzhi.core.rules import holds, holds_over

# (user, node): may grant roles at ``node`` (managers), and the senior roles (a subdistrict administrator).
grants_roles_at = holds_over(MANAGER_ROLES, lambda node: node, "grants_roles_at")
grants_senior_roles_at = holds_over({Role.SUBDISTRICT_ADMIN}, lambda node: node, "grants_senior_roles_at")
# (user, node): may add residents to the register there (casework staff).
keeps_register_at = holds_over(CASEWORK_ROLES, lambda node: node, "keeps_register_at")
# (user): may export full phone and ID numbers (recorded in the audit log).
may_reveal = holds(CASEWORK_ROLES, "may_reveal")
