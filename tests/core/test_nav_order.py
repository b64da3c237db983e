"""The main menu with every module present: each desk comes right after the module it belongs to."""

from gongzhi.core.registry import nav_entries


def test_each_desk_follows_its_module(world):
    keys = [entry.key for entry in nav_entries(world.sub_admin)]
    for module, desk in (
        ("services", "service-orders"),
        ("deliberation", "mediation"),
        ("venues", "venues_staff"),
    ):
        assert keys.index(desk) == keys.index(module) + 1, keys


def test_no_two_menu_entries_tie(world):
    # Entries with the same order fall back to the key's alphabet, which is no order a user can follow.
    orders = [entry.order for entry in nav_entries(world.sub_admin) if entry.key not in ("mall", "venues")]
    assert len(orders) == len(set(orders)), str(orders)
