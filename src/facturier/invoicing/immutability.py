"""Database triggers that make issued documents and audit events immutable.

Services already refuse such changes; the triggers also stop anyone writing SQL directly or a buggy
code path. Status and payment columns of an issued invoice may still move (sent, paid...), but no
sealed column may change, no sealed row or its lines may be deleted, and audit events are append-only.
What bypasses them (a superuser disabling triggers) is caught by `facturier audit verify`.
"""

from collections.abc import Iterable

SEALED_DOCUMENT_FIELDS = (
    "entity_id", "kind", "type_code", "number", "series_id", "customer_id", "issue_date", "due_date",
    "delivery_date", "currency", "exchange_rate", "language", "payment_terms", "operation_category",
    "vat_on_debits", "buyer_reference", "purchase_order_reference", "note", "preceding_invoice_id",
    "seller_snapshot", "customer_snapshot", "line_total", "allowance_total", "charge_total", "tax_exclusive",
    "tax_total", "tax_total_accounting", "tax_inclusive", "prepaid", "payable", "vat_breakdown",
    "seal_position", "seal_previous_hash",
)  # fmt: skip
SEALED_COLUMNS = (*SEALED_DOCUMENT_FIELDS, "seal_hash", "seal_key_id")
# Columns added after the seal's content was fixed: they may not change once issued either, but they are
# not hashed (older seals must still verify). Installed from invoicing 0011_document_cost_centre on.
FROZEN_COLUMNS = (*SEALED_COLUMNS, "cost_centre")
# What migration 0002 protected, before seals were keyed (0007_seal_key_id): a trigger naming a column
# that does not exist yet fails at the first UPDATE in between.
UNKEYED_SEALED_COLUMNS = (*SEALED_DOCUMENT_FIELDS, "seal_hash")
DOCUMENT = "invoicing_document"
CHILD_TABLES = ("invoicing_line", "invoicing_allowancecharge")
AUDIT = "audit_auditevent"


def sqlite_statements(columns: tuple[str, ...] = FROZEN_COLUMNS) -> Iterable[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    yield (
        f"CREATE TRIGGER {DOCUMENT}_sealed_update BEFORE UPDATE ON {DOCUMENT} "
        f"FOR EACH ROW WHEN OLD.seal_hash <> '' AND ({changed}) "
        "BEGIN SELECT RAISE(ABORT, 'issued document is immutable'); END"
    )
    yield (
        f"CREATE TRIGGER {DOCUMENT}_sealed_delete BEFORE DELETE ON {DOCUMENT} "
        "FOR EACH ROW WHEN OLD.seal_hash <> '' "
        "BEGIN SELECT RAISE(ABORT, 'issued document is immutable'); END"
    )
    for table in CHILD_TABLES:
        for operation, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            yield (
                f"CREATE TRIGGER {table}_sealed_{operation.lower()} BEFORE {operation} ON {table} FOR EACH ROW "
                f"WHEN (SELECT seal_hash FROM {DOCUMENT} WHERE id = {row}.document_id) <> '' "
                "BEGIN SELECT RAISE(ABORT, 'issued document is immutable'); END"
            )
    for operation in ("UPDATE", "DELETE"):
        yield (
            f"CREATE TRIGGER {AUDIT}_append_only_{operation.lower()} BEFORE {operation} ON {AUDIT} "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
        )


def postgresql_statements(columns: tuple[str, ...] = FROZEN_COLUMNS) -> Iterable[str]:
    old = ", ".join(f"OLD.{c}" for c in columns)
    new = ", ".join(f"NEW.{c}" for c in columns)
    yield f"""
        CREATE OR REPLACE FUNCTION facturier_document_immutable() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                IF OLD.seal_hash <> '' THEN
                    RAISE EXCEPTION 'issued document % is immutable', OLD.number USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN OLD;
            END IF;
            IF OLD.seal_hash <> '' AND ROW({old}) IS DISTINCT FROM ROW({new}) THEN
                RAISE EXCEPTION 'issued document % is immutable', OLD.number USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql"""
    yield (
        f"CREATE TRIGGER {DOCUMENT}_sealed BEFORE UPDATE OR DELETE ON {DOCUMENT} "
        "FOR EACH ROW EXECUTE FUNCTION facturier_document_immutable()"
    )
    yield f"""
        CREATE OR REPLACE FUNCTION facturier_document_child_immutable() RETURNS trigger AS $$
        DECLARE doc uuid;
        BEGIN
            IF TG_OP = 'INSERT' THEN doc := NEW.document_id; ELSE doc := OLD.document_id; END IF;
            IF EXISTS (SELECT 1 FROM {DOCUMENT} WHERE id = doc AND seal_hash <> '') THEN
                RAISE EXCEPTION 'issued document is immutable' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql"""
    for table in CHILD_TABLES:
        yield (
            f"CREATE TRIGGER {table}_sealed BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION facturier_document_child_immutable()"
        )
    yield """
        CREATE OR REPLACE FUNCTION facturier_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'integrity_constraint_violation';
        END $$ LANGUAGE plpgsql"""
    yield (
        f"CREATE TRIGGER {AUDIT}_append_only BEFORE UPDATE OR DELETE ON {AUDIT} "
        "FOR EACH ROW EXECUTE FUNCTION facturier_append_only()"
    )


def install(schema_editor, columns: tuple[str, ...] = FROZEN_COLUMNS) -> None:  # type: ignore[no-untyped-def]
    """Migration entry point: create the triggers for the connection's database."""
    vendor = schema_editor.connection.vendor
    statements = postgresql_statements(columns) if vendor == "postgresql" else sqlite_statements(columns)
    for statement in statements:
        schema_editor.execute(statement, params=None)


def uninstall(schema_editor) -> None:  # type: ignore[no-untyped-def]
    """Migration entry point: drop the triggers `install` creates (to change the sealed columns)."""
    vendor = schema_editor.connection.vendor
    statements = postgresql_statements() if vendor == "postgresql" else sqlite_statements()
    for statement in statements:
        words = statement.split()
        if words[:2] != ["CREATE", "TRIGGER"]:
            continue
        name = words[2]
        if vendor == "postgresql":
            table = words[words.index("ON") + 1]
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}", params=None)
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)
