"""History is never edited: every event and ledger row refuses change and deletion, in Python and, on
PostgreSQL, in the database (a trigger, so that not even raw SQL or another program can)."""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from model_bakery import baker

from gongzhi.core.models import AppendOnlyError, AppendOnlyModel

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

APPEND_ONLY = sorted(
    (m for m in apps.get_models() if issubclass(m, AppendOnlyModel)), key=lambda m: m._meta.label
)


def test_the_history_models_are_append_only():
    assert {m.__name__ for m in APPEND_ONLY} >= {
        "AuditEvent",
        "AppealEvent",
        "WishEvent",
        "MallOrderEvent",
        "PointsTransaction",
        "PointsEntry",
    }


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m._meta.label)
def test_python_refuses_changes(world, model):
    row = model._default_manager.filter().first() or _make(model, world)
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        model._default_manager.filter(pk=row.pk).update(pk=row.pk)
    with pytest.raises(AppendOnlyError):
        model._default_manager.filter(pk=row.pk).delete()


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m._meta.label)
def test_postgresql_refuses_changes_by_trigger(world, model):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    row = _make(model, world)
    table = connection.ops.quote_name(model._meta.db_table)
    for statement in (f"UPDATE {table} SET id = id WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(statement, [row.pk])
    assert model._default_manager.filter(pk=row.pk).exists()


def _make(model, world):
    tree_fields = {
        f.name: world.cmp_a1a
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model._meta.label == "orgs.Node"
    }
    if model._meta.label == "ledger.PointsEntry":
        return baker.make(model, amount=5, account__kind="issuance", account__node=world.sub_a)
    if model._meta.label in ("ledger.MallOrderEvent",):
        return baker.make(
            model,
            order__node=world.comm_a1,
            order__item__node=world.comm_a1,
            order__item__subdistrict=world.sub_a,
            order__item__price=5,
            order__quantity=1,
        )
    if model._meta.label == "appeals.AppealEvent":
        return baker.make(model, appeal__node=world.cmp_a1a, appeal__handling_node=world.cmp_a1a)
    if model._meta.label == "wishes.WishEvent":
        return baker.make(model, wish__node=world.cmp_a1a)
    if model._meta.app_label == "community":
        # Plans, tasks, services and orders have check constraints: the scope matrix's values satisfy them.
        from tests.core.test_scope_matrix import _fields

        return baker.make(model, **_fields(model, world.cmp_a1a))
    return baker.make(model, **tree_fields)
