"""Writing the same columns of many rows at once (issuing a chunk of documents).

Django's ``bulk_update`` builds one ``CASE WHEN pk = ... THEN ...`` expression per row and column and
resolves each through the ORM: for 50 documents and 24 columns, 1,200 expressions, most of a chunk's
Python time. On PostgreSQL the same UPDATE is written directly: ``UPDATE ... FROM (VALUES ...)``, every
value prepared by its field exactly as ``bulk_update`` prepares it (``get_db_prep_save`` of the
attribute, no ``pre_save``) and cast to its column type. Other databases keep ``bulk_update``.
"""

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction


def update_columns(model: type[models.Model], rows: Sequence[models.Model], names: Sequence[str]) -> None:
    """Write the columns ``names`` of every row of ``rows`` (all of ``model``), in one statement."""
    if not rows:
        return
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(rows, list(names))
        return
    meta = model._meta
    key = meta.pk
    assert key is not None  # noqa: S101 - every concrete model has a primary key
    fields: list[Any] = [meta.get_field(name) for name in names]
    columns = [key, *fields]
    quote = connection.ops.quote_name
    casts = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in columns) + ")"
    params: list[Any] = []
    for row in rows:
        params.append(key.get_db_prep_save(row.pk, connection))
        params += [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET "  # noqa: S608 - the model's own table and columns
        + ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in fields)
        + f" FROM (VALUES {', '.join([casts] * len(rows))}) AS v ("
        + ", ".join(quote(field.column) for field in columns)
        + f") WHERE t.{quote(key.column)} = v.{quote(key.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_statement(rows: Sequence[models.Model]) -> tuple[str, list[Any]]:
    """The INSERT of ``rows`` (all of one model, primary keys already set) as ``save(force_insert=True)``
    would send each (``pre_save`` of every field, values prepared by their field), as one statement to run
    later or inside another one (``audit_record_many(writes=...)``). The rows are marked saved."""
    connection = transaction.get_connection()
    meta = rows[0]._meta
    fields = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    params: list[Any] = []
    for row in rows:
        params += [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
        row._state.adding, row._state.db = False, connection.alias
    values = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 - the model's own table and columns
        f"VALUES {', '.join([values] * len(rows))}"
    )
    return sql, params


def update_statement(row: models.Model, names: Sequence[str]) -> tuple[str, list[Any]]:
    """The UPDATE of the columns ``names`` of one row by its primary key, each value as the row holds it
    prepared by its field (as ``update_columns`` does), as one statement to run later or inside another."""
    connection = transaction.get_connection()
    meta = row._meta
    fields: list[Any] = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    key = meta.pk
    assert key is not None  # noqa: S101 - every concrete model has a primary key
    params = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    params.append(key.get_db_prep_save(row.pk, connection))
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 - the model's own table and columns
        + ", ".join(f"{quote(field.column)} = %s" for field in fields)
        + f" WHERE {quote(key.column)} = %s"
    )
    return sql, params
