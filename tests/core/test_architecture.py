"""Scoping that cannot be forgotten: a scoped model's rows are read through ``visible_to`` everywhere.

In every module under src/gongzhi (migrations aside), a read of a scoped model (``<Model>.objects…``)
must start from ``.visible_to(`` — or carry a reviewed ``# unscoped: <reason>`` marker on its line or the
line above (a compare-and-set on a row fetched in scope, the SLA sweep that reads every appeal, the user's
own rows …). Creating rows (``create``, ``bulk_create``) reads nothing and needs no marker. A module that
acts as the system throughout (a demo step building the world) says so once at its top with
``# unscoped-module: <reason>``. Views and API modules may not name a scoped model's manager at all: they
call selectors and services.
"""

import re
from pathlib import Path

import gongzhi
from gongzhi.core.scoping import scoped_models

SOURCE = Path(gongzhi.__file__).parent
MARKER = re.compile(r"#\s*unscoped:\s*\S")
MODULE_MARKER = re.compile(r"^#\s*unscoped-module:\s*\S", re.MULTILINE)
WRITES = re.compile(r"\s*\.\s*(create|bulk_create|none)\(")


def _modules() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts)


def _is_view_or_api(path: Path) -> bool:
    return path.name.startswith(("views", "api"))


def _uses(names: set[str]) -> list[tuple[Path, int, str, bool]]:
    """Every ``Model.objects`` / ``._default_manager`` of a scoped model: (file, line, text, starts from
    visible_to)."""
    manager = re.compile(r"\b(" + "|".join(sorted(names)) + r")\.(objects|_default_manager)\b")
    found = []
    for path in _modules():
        text = path.read_text()
        for match in manager.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            rest = text[match.end() :]
            scoped = re.match(r"\s*\.\s*visible_to\(", rest) is not None or WRITES.match(rest) is not None
            found.append((path, line, text.splitlines()[line - 1].strip(), scoped))
    return found


def _marked(path: Path, line: int) -> bool:
    text = path.read_text()
    if MODULE_MARKER.search(text[:2000]):
        return True
    lines = text.splitlines()
    here = lines[line - 1]
    above = lines[line - 2].strip() if line >= 2 else ""
    return bool(MARKER.search(here) or (above.startswith("#") and MARKER.search(above)))


def test_scoped_models_are_found():
    names = {model.__name__ for model in scoped_models()}
    assert {
        "Node",
        "Person",
        "PartyOrg",
        "PartyMembership",
        "AuditEvent",
        "Appeal",
        "Wish",
        "MallOrder",
    } <= names
    assert len(_modules()) >= 100


def test_views_and_api_never_query_scoped_models_directly():
    names = {model.__name__ for model in scoped_models()}
    offenders = [
        f"{path.relative_to(SOURCE)}:{line}: {text}"
        for path, line, text, _scoped in _uses(names)
        if _is_view_or_api(path)
    ]
    assert offenders == []


def test_every_scoped_query_starts_from_visible_to_or_says_why_not():
    names = {model.__name__ for model in scoped_models()}
    offenders = [
        f"{path.relative_to(SOURCE)}:{line}: {text}"
        for path, line, text, scoped in _uses(names)
        if not scoped and not _marked(path, line)
    ]
    assert offenders == []


def test_the_engine_and_the_check_see_the_same_markers():
    # The marker is read, not just present: a bare "# unscoped:" without a reason does not count.
    assert MARKER.search("x = 1  # unscoped: the sweep reads every appeal")
    assert not MARKER.search("x = 1  # unscoped:")


def test_every_scoped_model_has_a_view_action():
    for model in scoped_models():
        assert "view" in model.scope.actions, model
        assert hasattr(model.objects.none(), "visible_to"), model
