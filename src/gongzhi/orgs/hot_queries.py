"""The organisation tree grows with every building (a district: tens of thousands of nodes), so a plan that
reads it whole to find a subtree fails the plan tests too (gongzhi.core.plans). Subtrees are path ranges."""

LARGE_TABLES = ("orgs_node",)
