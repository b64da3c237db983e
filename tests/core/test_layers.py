"""The layers hold: core at the bottom, the platform (orgs, accounts) above it, shared services above that,
the feature apps on top, independent of each other except where an app declares the edge
(``GongzhiApp.depends_on``, and what the declared apps declare in turn), and no import loops inside any
app. The contracts are generated from the registry, so a new app is covered without editing them;
import-linter checks them."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps

from gongzhi.core.registry import CORE, FEATURE, LAYERS, PLATFORM, SERVICE, gongzhi_apps

GLUE = ["gongzhi.urls", "gongzhi.wsgi", "gongzhi.cli", "gongzhi.__main__", "gongzhi.settings"]


def _by_layer() -> dict[str, list[str]]:
    layers: dict[str, list[str]] = {layer: [] for layer in LAYERS}
    for app in gongzhi_apps():
        layers[app.layer].append(app.name)
    return layers


def contracts() -> str:
    """The import-linter configuration for the installed apps."""
    layers = _by_layer()
    lines = [
        "[importlinter]",
        "root_package = gongzhi",
        "",
        "[importlinter:contract:layers]",
        "name = Layers: glue > feature apps > services > platform > core",
        "type = layers",
        "layers =",
        "    " + " : ".join(GLUE),
        # Feature apps may import each other only where declared (checked one by one below).
        "    " + " : ".join(layers[FEATURE]),
        "    " + " | ".join(layers[SERVICE]),
        "    " + " : ".join(layers[PLATFORM]),
        "    " + " | ".join(layers[CORE]),
    ]
    declared = {app.name: set(app.depends_on) for app in gongzhi_apps()}
    for app in gongzhi_apps():
        if app.layer != FEATURE:
            continue
        # What an app declares, and what those declare in turn: importing venues brings venues' own imports.
        reach: set[str] = set()
        todo = list(declared[app.name])
        while todo:
            name = todo.pop()
            if name not in reach:
                reach.add(name)
                todo.extend(declared.get(name, ()))
        others = [name for name in layers[FEATURE] if name != app.name and name not in reach]
        if others:
            lines += [
                "",
                f"[importlinter:contract:{app.label}-independent]",
                f"name = {app.name} imports no feature app it does not declare",
                "type = forbidden",
                f"source_modules = {app.name}",
                "forbidden_modules =",
                *(f"    {name}" for name in others),
            ]
    lines += [
        "",
        "[importlinter:contract:no-loops]",
        "name = No import loops between the modules of an app",
        "type = acyclic_siblings",
        "ancestors =",
        *(f"    {app.name}" for app in gongzhi_apps()),
    ]
    return "\n".join(lines) + "\n"


def test_every_gongzhi_app_registers_and_declares_a_known_layer():
    ours = [c for c in apps.get_app_configs() if c.name.startswith("gongzhi.")]
    assert {c.name for c in ours} == {c.name for c in gongzhi_apps()}
    assert all(app.layer in LAYERS for app in gongzhi_apps())
    names = {app.name for app in gongzhi_apps()}
    for app in gongzhi_apps():
        assert set(app.depends_on) <= names, app.name


def test_declared_edges_between_features_have_no_cycle():
    edges = {app.name: set(app.depends_on) for app in gongzhi_apps()}

    def reaches(start: str, goal: str, seen: frozenset = frozenset()) -> bool:
        return any(
            n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in edges.get(start, ())
        )

    assert [name for name in edges if reaches(name, name)] == []


@pytest.mark.skipif(sys.platform == "win32", reason="runs lint-imports")
def test_the_import_graph_keeps_the_layers(tmp_path):
    config = tmp_path / "importlinter.ini"
    config.write_text(contracts())
    src = Path(__file__).resolve().parents[2] / "src"
    result = subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), str(config), "--no-cache"],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
