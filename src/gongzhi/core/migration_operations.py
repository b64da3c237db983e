"""Migration operations of our own."""

from typing import Any

from django.db import migrations

_FUNCTION = """
CREATE OR REPLACE FUNCTION gongzhi_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;
"""


class AppendOnly(migrations.operations.base.Operation):
    """On PostgreSQL, a trigger that refuses UPDATE and DELETE of a model's rows (the database's word on
    ``core.models.AppendOnlyModel``). TRUNCATE, which only a whole-database flush uses, is not refused."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.model_name], {})

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _table(self, app_label: str, state: Any) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(self._table(app_label, to_state))
        trigger = schema_editor.quote_name(f"{self._table(app_label, to_state)}_append_only")
        schema_editor.execute(_FUNCTION, params=None)  # no placeholders: the % is PL/pgSQL's
        schema_editor.execute(
            f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION gongzhi_refuse_change()"
        )

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = self._table(app_label, from_state)
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {schema_editor.quote_name(table + '_append_only')} "
            f"ON {schema_editor.quote_name(table)}"
        )

    def describe(self) -> str:
        return f"Refuse UPDATE and DELETE of {self.model_name} rows (PostgreSQL)"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_append_only"
