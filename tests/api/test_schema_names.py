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
