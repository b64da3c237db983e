"""The main menu with every module present: each desk comes right after the module it belongs to."""

from django.urls import reverse

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


def _menu_of(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.context["nav_menu"]


def test_a_long_menu_folds_into_sections_and_keeps_every_entry(client, world):
    from gongzhi.core.registry import NAV_FLAT_UP_TO, NAV_SECTIONS

    entries = nav_entries(world.sub_admin)
    assert len(entries) > NAV_FLAT_UP_TO  # a subdistrict admin has a long menu
    menu = _menu_of(client, world.sub_admin)
    assert len(menu) < len(entries)
    groups = [item for item in menu if "entries" in item]
    assert {g["key"] for g in groups} <= set(NAV_SECTIONS)
    shown = [e["key"] for item in menu for e in item.get("entries", [item])]
    assert sorted(shown) == sorted(e.key for e in entries)  # nothing lost, nothing doubled
    # a section's entries are folded together unless it has only one
    on_top = {item["key"] for item in menu if "entries" not in item}
    for entry in entries:
        if entry.key in on_top and entry.section:
            assert sum(1 for other in entries if other.section == entry.section) == 1, entry.key
    # the page draws the sections as menus with the section's entries inside
    html = client.get("/").content.decode()
    assert html.count('class="navgroup') == len(groups) and 'class="mainnav grouped"' in html


def test_a_residents_menu_keeps_a_few_entries_on_the_bar_and_the_rest_under_more(client, world):
    from gongzhi.core.registry import NAV_BAR_UP_TO, NAV_FLAT_UP_TO

    entries = nav_entries(world.resident)
    assert NAV_BAR_UP_TO + 1 < len(entries) <= NAV_FLAT_UP_TO
    menu = _menu_of(client, world.resident)
    *bar, more = menu
    assert len(bar) <= NAV_BAR_UP_TO and all("entries" not in item for item in bar)
    assert [item["key"] for item in bar] == [e.key for e in entries if e.bar]
    assert bar[0]["key"] == "home" and more["key"] == "more" and more["entries"]
    shown = [item["key"] for item in bar] + [e["key"] for e in more["entries"]]
    assert sorted(shown) == sorted(e.key for e in entries)  # nothing lost, nothing doubled
    html = client.get("/").content.decode()
    assert 'class="mainnav grouped bar"' in html and html.count('class="navgroup') == 1
    # on a page under "More" the "More" menu is marked as where the resident is
    assert more["current"] is False
    assert client.get(reverse("wishes:index")).context["nav_menu"][-1]["current"] is True


def test_each_short_menu_keeps_that_roles_daily_work_on_the_bar(client, world):
    """A property manager's appeals assigned to them and a district viewer's cockpit are on the bar of their
    short menus, not under "More"."""
    from gongzhi.core.roles import Role
    from tests.accounts.factories import UserFactory, bind

    manager = UserFactory(username="pm-a1a")
    bind(manager, Role.PROPERTY_MANAGER, world.cmp_a1a)
    for user, key, label in ((manager, "appeals", "指派给我们"), (world.viewer, "cockpit", "驾驶舱")):
        *bar, more = _menu_of(client, user)
        assert more["key"] == "more", user.username
        assert [str(item["label"]) for item in bar if item["key"] == key] == [label], user.username
