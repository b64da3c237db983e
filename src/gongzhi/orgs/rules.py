"""Who may change the organisation: managers (community secretaries, subdistrict administrators) over
the node and everything under it."""

from gongzhi.core.roles import MANAGER_ROLES
from gongzhi.core.rules import holds_over

# (user, node): may add nodes and party organisations at or under ``node``.
manages = holds_over(MANAGER_ROLES, lambda node: node, "manages_node")
