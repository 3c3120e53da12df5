"""Many rows written in one SQL statement, whatever their number.

Django's bulk_create and bulk_update split their rows into batches that the
database's parameter limit allows (SQLite: 999 parameters, so about 90
snapshot rows a statement), and bulk_update sets each column with a CASE of
one branch per row, which the database evaluates for every row: the cost
grows with the square of the batch. Here the rows travel as one JSON
parameter that the database unpacks itself (SQLite's json_each, PostgreSQL's
jsonb_to_recordset), so the hourly pass writes its snapshots and its story
figures in two statements.

Values go through each field's get_db_prep_value, so they are stored exactly
as the ORM would store them."""

import json
import sqlite3
from datetime import date, datetime

from django.db import connection
from django.utils import timezone

# Values stored as they are (no field conversion to do).
PLAIN = (int, float, str)
# UPDATE … FROM arrived in SQLite 3.33 (2020).
SQLITE_HAS_UPDATE_FROM = sqlite3.sqlite_version_info >= (3, 33)


def insert_rows(model, rows: list[dict], *, ignore_conflicts: bool = False) -> None:
    """INSERT the rows (dicts of field name → value, every dict the same
    fields); the model's other fields get their defaults, as with create()."""
    if not rows:
        return
    defaults = _defaults(model, rows[0])
    names = [*rows[0], *defaults]
    fields = [model._meta.get_field(name) for name in names]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # WHERE true: SQLite would read a bare "FROM json_each(?) ON CONFLICT" as a join's ON.
    conflict = " WHERE true ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    values = ", ".join(_read(f) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) SELECT {values} FROM {_rows_source(fields)}"
    with connection.cursor() as cursor:
        cursor.execute(sql + conflict, [_payload(fields, rows, defaults)])


def update_rows(model, rows: list[dict], *, key: str = "id") -> None:
    """UPDATE the rows whose `key` matches, setting every other field given."""
    if not rows:
        return
    if connection.vendor == "sqlite" and not SQLITE_HAS_UPDATE_FROM:
        objects = [model(**row) for row in rows]
        model.objects.bulk_update(objects, [name for name in rows[0] if name != key], batch_size=500)
        return
    fields = [model._meta.get_field(name) for name in rows[0]]
    key_field = model._meta.get_field(key)
    table = connection.ops.quote_name(model._meta.db_table)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = r.{quote(f.column)}" for f in fields if f is not key_field)
    if connection.vendor == "postgresql":
        source = _rows_source(fields)
    else:
        values = ", ".join(f"{_read(f)} AS {quote(f.column)}" for f in fields)
        source = f"(SELECT {values} FROM json_each(%s)) AS r"
    sql = (
        f"UPDATE {table} SET {assignments} FROM {source} "
        f"WHERE {table}.{quote(key_field.column)} = r.{quote(key_field.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_payload(fields, rows)])


def _defaults(model, given: dict) -> dict:
    """Field name → default for every concrete field the rows leave out (the
    database has no defaults of its own: Django sets them when it saves)."""
    named = {model._meta.get_field(name).name for name in given}
    defaults = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in named:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.name] = timezone.now()
        else:
            defaults[field.name] = field.get_default()  # "" for text, None for nullable
    return defaults


def _rows_source(fields) -> str:
    if connection.vendor == "postgresql":
        columns = ", ".join(f"{connection.ops.quote_name(f.column)} {f.db_type(connection)}" for f in fields)
        return f"jsonb_to_recordset(%s::jsonb) AS r({columns})"
    return "json_each(%s)"


def _read(field) -> str:
    """One column of a JSON row, as SQL."""
    if connection.vendor == "postgresql":
        return f"r.{connection.ops.quote_name(field.column)}"
    return f"json_extract(value, '$.{field.column}')"


def _payload(fields, rows: list[dict], defaults: dict | None = None) -> str:
    """The rows as JSON objects keyed by column. The dicts' keys (field names
    or attnames: "story" or "story_id") come first in `fields`, then the
    defaults' (the same for every row, prepared once)."""
    names = list(rows[0])
    given = list(zip(fields, names, strict=False))  # fields also holds the defaults' fields
    shared = {
        f.column: _prepared(f, value)
        for f, value in zip(fields[len(names) :], (defaults or {}).values(), strict=True)
    }
    return json.dumps(
        [{**shared, **{f.column: _prepared(f, row[name]) for f, name in given}} for row in rows],
        allow_nan=False,
    )


def _prepared(field, value):
    """The value as the database stores it (get_db_prep_value), in JSON."""
    if value is None or type(value) in PLAIN:
        return value  # what get_db_prep_value would return, without its cost
    value = field.get_db_prep_value(value, connection, prepared=False)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
