"""Views and API handlers reach scoped models only through selectors (which start from visible_to)."""

import re
from pathlib import Path

import gongzhi
from gongzhi.core.scoping import scoped_models

SOURCE = Path(gongzhi.__file__).parent


def test_views_and_api_never_query_scoped_models_directly():
    names = {model.__name__ for model in scoped_models()}
    assert {"Node", "Person", "PartyOrg", "PartyMembership", "AuditEvent"} <= names
    pattern = re.compile(r"\b(" + "|".join(sorted(names)) + r")\.objects\b")
    offenders = []
    modules = [p for p in SOURCE.rglob("*.py") if p.name.startswith(("views", "api"))]
    assert len(modules) >= 5
    for path in modules:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(SOURCE)}:{number}: {line.strip()}")
    assert offenders == []


def test_every_scoped_model_has_a_view_action():
    for model in scoped_models():
        assert "view" in model.scope.actions, model
        assert hasattr(model.objects.none(), "visible_to"), model
