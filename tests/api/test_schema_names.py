"""Every schema of the API has a name of its own: the OpenAPI document keeps one component per class name,
so two apps' ``OrderOut`` would describe each other's responses (and clients and the fuzz run would read
the wrong shape)."""

from collections import defaultdict

from ninja import Schema

from gongzhi.api.api import api


def test_schema_names_are_unique_across_apps():
    api.get_openapi_schema()  # imports every router's schemas
    found: dict[str, set[str]] = defaultdict(set)

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("gongzhi."):
                found[sub.__name__].add(sub.__module__)
            walk(sub)

    walk(Schema)
    clashes = {name: sorted(modules) for name, modules in found.items() if len(modules) > 1}
    assert len(found) > 50
    assert clashes == {}


def test_no_two_operations_share_a_method_and_path():
    """Two apps' routers mounted at the same root must not claim the same route: the first one wins and
    the other app's operation is unreachable (venues' station plans once answered with the action plans)."""
    owners: dict[tuple[str, str], list[str]] = defaultdict(list)

    def walk(router) -> None:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    owners[(method, path)].append(operation.view_func.__module__)
        for _prefix, child, *_rest in router._routers:
            walk(child)

    for _prefix, router in api._routers:
        walk(router)
    assert len(owners) > 100
    assert {route: apps for route, apps in owners.items() if len(apps) > 1} == {}
