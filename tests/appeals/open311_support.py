"""Shared by the Open311 tests: compounds with a location, keys, and reading answers in either format."""

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest


@pytest.fixture(name="located")
def located_world(world, categories):
    for node, (lat, lng) in (
        (world.cmp_a1a, (30.3352, 120.1287)),
        (world.cmp_a1b, (30.3500, 120.1500)),
        (world.cmp_a2a, (30.3360, 120.1295)),
    ):
        node.lat, node.lng = lat, lng
        node.save(update_fields=["lat", "lng"])
    return world


def parse(fmt: str, content: bytes) -> Any:
    """JSON as is; XML as its root element."""
    return json.loads(content) if fmt == "json" else ET.fromstring(content)


def error_of(fmt: str, content: bytes) -> tuple[int, str]:
    """The first (code, description) of a spec error list; fails unless the body has the spec's shape."""
    body = parse(fmt, content)
    if fmt == "json":
        assert isinstance(body, list) and list(body[0]) == ["code", "description"], body
        return body[0]["code"], body[0]["description"]
    assert body.tag == "errors" and [e.tag for e in body] == ["error"] * len(body), ET.tostring(body)
    assert [c.tag for c in body[0]] == ["code", "description"]
    return int(body[0].find("code").text), body[0].find("description").text
