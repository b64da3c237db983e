"""The role × node matrix for every model that declares a ScopePolicy, generated from the registry of scoped
models: a new scoped model is covered without writing a test.

For each model one row is made in compound A1a (inside community A1) and one in compound A2a (the
neighbouring community). For every action of the model's policy and every role bound at community A1, the
row in A1a is visible exactly when the policy grants the action to the role, and the row in A2a never is; a
role bound at the subdistrict reaches both, one bound at another subdistrict neither; a superuser sees both,
anonymous and inactive users nothing. Rows are made with model_bakery; every foreign key to the tree, at any
depth of the row's required relations, points at the row's compound.
"""

import functools
import itertools
from datetime import time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils import timezone
from model_bakery import baker

from gongzhi.core.roles import Role
from gongzhi.core.scoping import node_model, scoped_models
from tests.accounts.factories import UserFactory, bind

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Values that satisfy the models' check constraints, by field name, wherever such a field is made.
NOW = timezone.now()
VALUES: dict[str, Any] = {
    "starts_at": NOW,
    "ends_at": NOW + timedelta(hours=1),
    "start_time": time(7),
    "end_time": time(8, 30),
    "capacity": 5,
    "price": 10,
    "stock": 3,
    "amount": 5,
    "quantity": 1,
    "points": 10,
    "balance": 0,
    "checkin_radius_m": 200,
    "weekdays": "1,2,3",
    "hours": None,
    "lat": None,
    "lng": None,
    "birth_year": 1970,
    # Rows that are one per node and year (rating schemes, rounds, budgets) take distinct years; random
    # years collided about once a suite run.
    "year": functools.partial(next, itertools.cycle(range(2000, 32000))),
    "limit_per_person": None,
    "minutes": 60,
    "item_weight": 70,
    "peer_weight": 30,
    "spent": 0,
    "start_year": 2025,
    "end_year": 2027,
    "starts_on": NOW.date(),
    "ends_on": NOW.date(),
    "due_on": NOW.date(),
    "progress": 0,
    "weight": 1,
}
# Choices that keep a row consistent on its own (a merged appeal needs a target; a person's account a user).
CHOICES: dict[str, dict[str, Any]] = {
    "appeals.appeal": {"status": "submitted"},
    "ledger.pointsaccount": {"kind": "issuance"},
    "community.service": {"price_kind": "low_cost"},
    "partywork.branchterm": {"ends_on": NOW.date() + timedelta(days=1)},
    "partywork.election": {"eligible": 1, "voted": 1},
}

MODELS = sorted(scoped_models(), key=lambda m: m._meta.label)


def _fields(model: type[models.Model], node: Any, prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """Keyword arguments for baker: every tree foreign key → ``node``; check-constrained fields → VALUES;
    required relations → the same, one level down."""
    values: dict[str, Any] = {}
    tree = node_model()
    for field in model._meta.concrete_fields:
        name = prefix + field.name
        if field.is_relation and field.related_model is tree:
            values[name] = node
        elif field.is_relation and not field.null and depth < 3 and field.related_model is not model:
            values.update(_fields(field.related_model, node, f"{name}__", depth + 1))
        elif field.name in VALUES and not field.is_relation and not isinstance(field, models.FileField):
            values[name] = VALUES[field.name]
    for key, value in CHOICES.get(model._meta.label_lower, {}).items():
        values[prefix + key] = value
    return values


def _row(model: type[models.Model], node: Any) -> models.Model:
    if model is node_model():
        return node
    return baker.make(model, **_fields(model, node))


@pytest.fixture
def rows(world):
    return {model: (_row(model, world.cmp_a1a), _row(model, world.cmp_a2a)) for model in MODELS}


def _visible(model: type[models.Model], user: Any, action: str, row: models.Model) -> bool:
    return model._default_manager.visible_to(user, action).filter(pk=row.pk).exists()


def test_every_scoped_model_is_in_the_matrix():
    assert len(MODELS) >= 20
    assert {m.__name__ for m in MODELS} >= {"Appeal", "Wish", "MallOrder", "Signup", "Person", "Node"}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_a_role_at_a_community_reaches_its_subtree_and_nothing_beside_it(world, rows, model):
    inside, beside = rows[model]
    failures = []
    for role in Role:
        user = UserFactory()
        bind(user, role, world.comm_a1)
        for action, roles in model.scope.actions.items():
            expected = role in roles
            if _visible(model, user, action, inside) is not expected:
                failures.append(f"{role} {action}: A1a row visible={not expected}, policy says {expected}")
            if _visible(model, user, action, beside):
                failures.append(f"{role} {action}: the neighbouring community's row is visible")
    assert failures == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_the_subdistrict_reaches_both_and_the_other_subdistrict_neither(world, rows, model):
    inside, beside = rows[model]
    for action, roles in model.scope.actions.items():
        for role in roles:
            here, there = UserFactory(), UserFactory()
            bind(here, role, world.sub_a)
            bind(there, role, world.sub_b)
            assert _visible(model, here, action, inside) and _visible(model, here, action, beside), (
                role,
                action,
            )
            assert not _visible(model, there, action, inside), (role, action)
            assert not _visible(model, there, action, beside), (role, action)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_superusers_see_all_and_anonymous_or_inactive_users_nothing(world, rows, model):
    inside, beside = rows[model]
    inactive = UserFactory(is_active=False)
    bind(inactive, Role.SUBDISTRICT_ADMIN, world.sub_a)
    for action in model.scope.actions:
        assert _visible(model, world.superuser, action, inside) and _visible(
            model, world.superuser, action, beside
        )
        for nobody in (AnonymousUser(), inactive, world.nobody):
            assert not _visible(model, nobody, action, inside), (nobody, action)
            assert not _visible(model, nobody, action, beside), (nobody, action)
