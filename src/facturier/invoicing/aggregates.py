# ruff: noqa: S608 - only constant SQL text is put together here (table and column names, status codes)
"""The triggers that maintain the dashboard's aggregates (`read_aggregates`), and their rebuild.

Refreshing a document D is the same four statements whatever changed it: take D's old contribution
off the per-day sums, drop its `ReceivableOpen` row, recompute its balance from the documents and
allocations as they now are (the definition of `payments.selectors.still_owed`: an issued invoice,
not a credit note, in an open status, amount due less allocations and issued credit notes, kept when
above zero), and add the new row back to the per-day sums. A document is refreshed when it changes,
when an allocation to it changes, and when a credit note referring to it changes.

The monthly sales (`DocumentSale`, `SalesByMonth`) follow the same four steps (`sale_statements`): a
document's sale is refreshed when its own sealing, date, amount, type, currency or entity changes, when a
final invoice deducting it is sealed or unsealed, and when a row of the deposits table names it.

Only constant SQL text is put together here: no value from a user reaches these statements.

Migrations: on SQLite, a migration that rebuilds `invoicing_document` (adding or altering a column) fails
while these triggers exist, since the allocation triggers name that table: call `uninstall` before the
change and `install` after it, as migration 0011 does for the immutability triggers.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from facturier.invoicing.lifecycle import OPEN_RECEIVABLE
from facturier.invoicing.models import Kind, Status, TypeCode
from facturier.invoicing.read_aggregates import NOT_DUE

DOCUMENT = "invoicing_document"
ALLOCATION = "payments_allocation"
OPEN = "invoicing_receivable_open"
BY_DUE = "invoicing_receivable_by_due"
COUNT = "invoicing_status_count"
SALE = "invoicing_document_sale"
BY_MONTH = "invoicing_sales_by_month"
DEPOSITS = "invoicing_document_deposits"  # (from_document_id: the final invoice, to_document_id: its deposit)
CREDIT_NOTE = TypeCode.CREDIT_NOTE.value
DEPOSIT = TypeCode.DEPOSIT.value
_OPEN_STATUSES = ", ".join(f"'{status.value}'" for status in sorted(OPEN_RECEIVABLE))

IN_PREPARATION = (Status.DRAFT, Status.PENDING_APPROVAL, Status.APPROVED)
"""Statuses the triggers do not count: `counts_in_preparation` reads them from the (entity, kind,
status) index, which holds few such rows. Why: a transaction that makes and issues a document (a billing
run's contract) would otherwise take its draft's counter row first and wait for the numbering lock
while holding it, and an issuer holding that lock and needing the same counter row deadlocks with it
(measured on PostgreSQL in the crash test). Uncounted, a document takes counter rows only once it is
issued, under the numbering lock, in the same order for every issuer."""
_COUNTED_ONLY = "{row}.status NOT IN (" + ", ".join(f"'{status.value}'" for status in IN_PREPARATION) + ")"


def _slot(vendor: str, column: str) -> str:
    """The counter slot of a document id: its last hex digit (char(32) on SQLite, uuid on PostgreSQL)."""
    return f"right({column}::text, 1)" if vendor == "postgresql" else f"substr({column}, -1)"


def _balance_cents(vendor: str, alias: str = "d") -> str:
    paid = f"(SELECT SUM(a.amount + a.difference) FROM {ALLOCATION} a WHERE a.document_id = {alias}.id)"
    credited = (
        f"(SELECT SUM(c.tax_inclusive) FROM {DOCUMENT} c WHERE c.preceding_invoice_id = {alias}.id"
        f" AND c.type_code = '{CREDIT_NOTE}' AND c.seal_hash <> '' AND c.kind = '{Kind.INVOICE.value}')"
    )
    return f"CAST(ROUND(({alias}.payable - COALESCE({paid}, 0) - COALESCE({credited}, 0)) * 100) AS BIGINT)"


def _receivable(alias: str = "d") -> str:
    return (
        f"{alias}.kind = '{Kind.INVOICE.value}' AND {alias}.type_code <> '{CREDIT_NOTE}' AND {alias}.seal_hash <> ''"
        f" AND {alias}.status IN ({_OPEN_STATUSES})"
    )


def refresh_statements(vendor: str, doc: str) -> list[str]:
    """The statements that bring document `doc` (an SQL expression of its id) up to date."""
    return [
        f"UPDATE {BY_DUE} SET cents = cents - (SELECT o.cents FROM {OPEN} o WHERE o.document_id = {doc}),"
        f" n = n - 1 WHERE (entity_id, due_date, slot) = "
        f"(SELECT o.entity_id, o.due_date, o.slot FROM {OPEN} o WHERE o.document_id = {doc})",
        f"DELETE FROM {OPEN} WHERE document_id = {doc}",
        f"INSERT INTO {OPEN} (document_id, entity_id, due_date, slot, cents)"
        f" SELECT x.id, x.entity_id, x.due_date, x.slot, x.cents FROM ("
        f"SELECT d.id, d.entity_id, COALESCE(d.due_date, '{NOT_DUE}') AS due_date, {_slot(vendor, 'd.id')} AS slot,"
        f" {_balance_cents(vendor)} AS cents FROM {DOCUMENT} d WHERE d.id = {doc} AND {_receivable()}"
        f") x WHERE x.cents > 0",
        f"INSERT INTO {BY_DUE} (entity_id, due_date, slot, cents, n)"
        f" SELECT o.entity_id, o.due_date, o.slot, o.cents, 1 FROM {OPEN} o WHERE o.document_id = {doc}"
        f" ON CONFLICT (entity_id, due_date, slot) DO UPDATE SET cents = {BY_DUE}.cents + excluded.cents,"
        f" n = {BY_DUE}.n + 1",
    ]


def count_statements(vendor: str, row: str, step: int) -> list[str]:
    """Add `step` (1 or -1) to the status counter of the document row `row` (NEW or OLD)."""
    return [
        f"INSERT INTO {COUNT} (entity_id, kind, status, slot, n)"
        f" SELECT {row}.entity_id, {row}.kind, {row}.status, {_slot(vendor, f'{row}.id')}, {step}"
        f" WHERE {_COUNTED_ONLY.format(row=row)}"
        f" ON CONFLICT (entity_id, kind, status, slot) DO UPDATE SET n = {COUNT}.n + ({step})"
    ]


def _month(vendor: str, column: str) -> str:
    return (
        f"CAST(date_trunc('month', {column}) AS date)"
        if vendor == "postgresql"
        else f"date({column}, 'start of month')"
    )


def _sale_cents(alias: str = "d") -> str:
    """A document's contribution to its month's sales excl. VAT, in cents (see `DocumentSale`)."""
    cents = f"CAST(ROUND({alias}.tax_exclusive * 100) AS BIGINT)"
    return f"CASE WHEN {alias}.type_code = '{CREDIT_NOTE}' THEN -{cents} ELSE {cents} END"


def _sale(alias: str = "d") -> str:
    deducted = (
        f"EXISTS (SELECT 1 FROM {DEPOSITS} t JOIN {DOCUMENT} f ON f.id = t.from_document_id"
        f" WHERE t.to_document_id = {alias}.id AND f.seal_hash <> '')"
    )
    return (
        f"{alias}.kind = '{Kind.INVOICE.value}' AND {alias}.seal_hash <> '' AND {alias}.issue_date IS NOT NULL"
        f" AND NOT ({alias}.type_code = '{DEPOSIT}' AND {deducted})"
    )


def sale_statements(vendor: str, docs: str) -> list[str]:
    """The statements that bring the sales of the documents `docs` (an SQL list of ids: `NEW.id`, or a
    sub-query) up to date: the same four steps as `refresh_statements`, on the monthly sums."""
    key = "(s.entity_id, s.month, s.currency, s.slot) = "
    key += f"({BY_MONTH}.entity_id, {BY_MONTH}.month, {BY_MONTH}.currency, {BY_MONTH}.slot)"
    mine = f"FROM {SALE} s WHERE s.document_id IN ({docs}) AND {key}"
    return [
        f"UPDATE {BY_MONTH} SET cents = cents - (SELECT SUM(s.cents) {mine}), n = n - (SELECT COUNT(*) {mine})"
        f" WHERE EXISTS (SELECT 1 {mine})",
        f"DELETE FROM {SALE} WHERE document_id IN ({docs})",
        f"INSERT INTO {SALE} (document_id, entity_id, month, currency, slot, cents)"
        f" SELECT d.id, d.entity_id, {_month(vendor, 'd.issue_date')}, d.currency, {_slot(vendor, 'd.id')},"
        f" {_sale_cents()} FROM {DOCUMENT} d WHERE d.id IN ({docs}) AND {_sale()}",
        f"INSERT INTO {BY_MONTH} (entity_id, month, currency, slot, cents, n)"
        f" SELECT s.entity_id, s.month, s.currency, s.slot, SUM(s.cents), COUNT(*) FROM {SALE} s"
        f" WHERE s.document_id IN ({docs}) GROUP BY s.entity_id, s.month, s.currency, s.slot"
        f" ON CONFLICT (entity_id, month, currency, slot) DO UPDATE SET cents = {BY_MONTH}.cents + excluded.cents,"
        f" n = {BY_MONTH}.n + excluded.n",
    ]


def _deposits_of(row: str) -> str:
    return f"SELECT to_document_id FROM {DEPOSITS} WHERE from_document_id = {row}.id"


# columns of a document whose change may change its own balance row, or its status counter
_OWN = ("status", "seal_hash", "due_date", "payable", "kind", "type_code", "entity_id")
_COUNTED = ("entity_id", "kind", "status")
# columns of a credit note whose change may change the balance of the invoice it refers to
_CREDITING = ("type_code", "seal_hash", "tax_inclusive", "preceding_invoice_id", "kind")
# columns of a document whose change may change its own sale (`DocumentSale`)
_SOLD = ("seal_hash", "issue_date", "tax_exclusive", "type_code", "kind", "entity_id", "currency")


def _changed(vendor: str, columns: Iterable[str]) -> str:
    operator = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{c} {operator} NEW.{c}" for c in columns)


def sqlite_triggers(*, sales: bool = True) -> Iterator[str]:
    vendor = "sqlite"

    def trigger(name: str, event: str, table: str, when: str, statements: list[str]) -> str:
        condition = f" WHEN {when}" if when else ""
        body = "; ".join(statements)
        return f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} BEGIN {body}; END"

    yield trigger(
        "read_agg_document_insert", "INSERT", DOCUMENT, "",
        [*count_statements(vendor, "NEW", 1), *refresh_statements(vendor, "NEW.id"),
         *refresh_statements(vendor, "NEW.preceding_invoice_id")],
    )  # fmt: skip
    yield trigger(
        "read_agg_document_count", "UPDATE", DOCUMENT, _changed(vendor, _COUNTED),
        [*count_statements(vendor, "OLD", -1), *count_statements(vendor, "NEW", 1)],
    )  # fmt: skip
    yield trigger("read_agg_document_own", "UPDATE", DOCUMENT, _changed(vendor, _OWN),
                  refresh_statements(vendor, "NEW.id"))  # fmt: skip
    yield trigger(
        "read_agg_document_credit", "UPDATE", DOCUMENT, _changed(vendor, _CREDITING),
        [*refresh_statements(vendor, "OLD.preceding_invoice_id"),
         *refresh_statements(vendor, "NEW.preceding_invoice_id")],
    )  # fmt: skip
    yield trigger(
        "read_agg_document_delete", "DELETE", DOCUMENT, "",
        [*count_statements(vendor, "OLD", -1), *refresh_statements(vendor, "OLD.id"),
         *refresh_statements(vendor, "OLD.preceding_invoice_id")],
    )  # fmt: skip
    yield trigger("read_agg_allocation_insert", "INSERT", ALLOCATION, "NEW.document_id IS NOT NULL",
                  refresh_statements(vendor, "NEW.document_id"))  # fmt: skip
    yield trigger(
        "read_agg_allocation_update", "UPDATE", ALLOCATION, "",
        [*refresh_statements(vendor, "OLD.document_id"), *refresh_statements(vendor, "NEW.document_id")],
    )  # fmt: skip
    yield trigger("read_agg_allocation_delete", "DELETE", ALLOCATION, "OLD.document_id IS NOT NULL",
                  refresh_statements(vendor, "OLD.document_id"))  # fmt: skip
    if not sales:
        return
    yield trigger("read_agg_sale_insert", "INSERT", DOCUMENT, "", sale_statements(vendor, "NEW.id"))
    yield trigger("read_agg_sale_update", "UPDATE", DOCUMENT, _changed(vendor, _SOLD),
                  sale_statements(vendor, "NEW.id"))  # fmt: skip
    yield trigger("read_agg_sale_deducting", "UPDATE", DOCUMENT, _changed(vendor, ["seal_hash"]),
                  sale_statements(vendor, _deposits_of("NEW")))  # fmt: skip
    yield trigger("read_agg_sale_delete", "DELETE", DOCUMENT, "", sale_statements(vendor, "OLD.id"))
    yield trigger(
        "read_agg_deposit_insert", "INSERT", DEPOSITS, "", sale_statements(vendor, "NEW.to_document_id")
    )
    yield trigger(
        "read_agg_deposit_update", "UPDATE", DEPOSITS, "",
        [*sale_statements(vendor, "OLD.to_document_id"), *sale_statements(vendor, "NEW.to_document_id")],
    )  # fmt: skip
    yield trigger(
        "read_agg_deposit_delete", "DELETE", DEPOSITS, "", sale_statements(vendor, "OLD.to_document_id")
    )


def postgresql_triggers(*, sales: bool = True) -> Iterator[str]:
    vendor = "postgresql"
    body = ";\n".join(refresh_statements(vendor, "doc"))
    yield f"""
        CREATE OR REPLACE FUNCTION facturier_receivable_refresh(doc uuid) RETURNS void AS $$
        BEGIN
            IF doc IS NULL THEN RETURN; END IF;
            -- one refresh of a document at a time: a concurrent one waits, then reads what was committed
            PERFORM 1 FROM {DOCUMENT} WHERE id = doc FOR UPDATE;
            {body};
        END $$ LANGUAGE plpgsql"""
    plus, minus = count_statements(vendor, "NEW", 1)[0], count_statements(vendor, "OLD", -1)[0]
    yield f"""
        CREATE OR REPLACE FUNCTION facturier_read_agg_document() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {plus};
                PERFORM facturier_receivable_refresh(NEW.id);
                PERFORM facturier_receivable_refresh(NEW.preceding_invoice_id);
                RETURN NULL;
            END IF;
            IF TG_OP = 'DELETE' THEN
                {minus};
                PERFORM facturier_receivable_refresh(OLD.id);
                PERFORM facturier_receivable_refresh(OLD.preceding_invoice_id);
                RETURN NULL;
            END IF;
            IF {_changed(vendor, _COUNTED)} THEN
                {minus};
                {plus};
            END IF;
            IF {_changed(vendor, _OWN)} THEN
                PERFORM facturier_receivable_refresh(NEW.id);
            END IF;
            IF {_changed(vendor, _CREDITING)} THEN
                PERFORM facturier_receivable_refresh(OLD.preceding_invoice_id);
                IF NEW.preceding_invoice_id IS DISTINCT FROM OLD.preceding_invoice_id THEN
                    PERFORM facturier_receivable_refresh(NEW.preceding_invoice_id);
                END IF;
            END IF;
            RETURN NULL;
        END $$ LANGUAGE plpgsql"""
    yield (
        f"CREATE TRIGGER read_agg_document AFTER INSERT OR UPDATE OR DELETE ON {DOCUMENT} "
        "FOR EACH ROW EXECUTE FUNCTION facturier_read_agg_document()"
    )
    yield """
        CREATE OR REPLACE FUNCTION facturier_read_agg_allocation() RETURNS trigger AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                PERFORM facturier_receivable_refresh(OLD.document_id);
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                IF TG_OP = 'INSERT' OR NEW.document_id IS DISTINCT FROM OLD.document_id THEN
                    PERFORM facturier_receivable_refresh(NEW.document_id);
                END IF;
            END IF;
            RETURN NULL;
        END $$ LANGUAGE plpgsql"""
    yield (
        f"CREATE TRIGGER read_agg_allocation AFTER INSERT OR UPDATE OR DELETE ON {ALLOCATION} "
        "FOR EACH ROW EXECUTE FUNCTION facturier_read_agg_allocation()"
    )
    if sales:
        yield from _postgresql_sales_triggers()


def _postgresql_sales_triggers() -> Iterator[str]:
    vendor = "postgresql"
    body = ";\n".join(sale_statements(vendor, "doc"))
    yield f"""
        CREATE OR REPLACE FUNCTION facturier_sale_refresh(doc uuid) RETURNS void AS $$
        BEGIN
            IF doc IS NULL THEN RETURN; END IF;
            -- one refresh of a document at a time (two final invoices deducting one deposit)
            PERFORM 1 FROM {DOCUMENT} WHERE id = doc FOR UPDATE;
            {body};
        END $$ LANGUAGE plpgsql"""
    yield f"""
        CREATE OR REPLACE FUNCTION facturier_read_agg_sale() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                PERFORM facturier_sale_refresh(OLD.id);
                RETURN NULL;
            END IF;
            IF TG_OP = 'INSERT' OR {_changed(vendor, _SOLD)} THEN
                PERFORM facturier_sale_refresh(NEW.id);
            END IF;
            IF TG_OP = 'UPDATE' AND OLD.seal_hash IS DISTINCT FROM NEW.seal_hash THEN
                PERFORM facturier_sale_refresh(t.to_document_id) FROM {DEPOSITS} t WHERE t.from_document_id = NEW.id;
            END IF;
            RETURN NULL;
        END $$ LANGUAGE plpgsql"""
    yield (
        f"CREATE TRIGGER read_agg_sale AFTER INSERT OR UPDATE OR DELETE ON {DOCUMENT} "
        "FOR EACH ROW EXECUTE FUNCTION facturier_read_agg_sale()"
    )
    yield """
        CREATE OR REPLACE FUNCTION facturier_read_agg_deposit() RETURNS trigger AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                PERFORM facturier_sale_refresh(OLD.to_document_id);
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                PERFORM facturier_sale_refresh(NEW.to_document_id);
            END IF;
            RETURN NULL;
        END $$ LANGUAGE plpgsql"""
    yield (
        f"CREATE TRIGGER read_agg_deposit AFTER INSERT OR UPDATE OR DELETE ON {DEPOSITS} "
        "FOR EACH ROW EXECUTE FUNCTION facturier_read_agg_deposit()"
    )


def rebuild_statements(vendor: str, *, sales: bool = True) -> list[str]:
    """Recompute every aggregate row from the documents and allocations (set-based)."""
    return [
        *(_sales_rebuild_statements(vendor) if sales else []),
        f"DELETE FROM {BY_DUE}",
        f"DELETE FROM {OPEN}",
        f"DELETE FROM {COUNT}",
        f"INSERT INTO {OPEN} (document_id, entity_id, due_date, slot, cents)"
        f" SELECT x.id, x.entity_id, x.due_date, x.slot, x.cents FROM ("
        f"SELECT d.id, d.entity_id, COALESCE(d.due_date, '{NOT_DUE}') AS due_date, {_slot(vendor, 'd.id')} AS slot,"
        f" CAST(ROUND((d.payable - COALESCE(p.total, 0) - COALESCE(c.total, 0)) * 100) AS BIGINT) AS cents"
        f" FROM {DOCUMENT} d"
        f" LEFT JOIN (SELECT document_id, SUM(amount + difference) AS total FROM {ALLOCATION}"
        f" WHERE document_id IS NOT NULL GROUP BY document_id) p ON p.document_id = d.id"
        f" LEFT JOIN (SELECT preceding_invoice_id, SUM(tax_inclusive) AS total FROM {DOCUMENT}"
        f" WHERE type_code = '{CREDIT_NOTE}' AND seal_hash <> '' AND kind = '{Kind.INVOICE.value}'"
        f" AND preceding_invoice_id IS NOT NULL GROUP BY preceding_invoice_id) c ON c.preceding_invoice_id = d.id"
        f" WHERE {_receivable()}) x WHERE x.cents > 0",
        f"INSERT INTO {BY_DUE} (entity_id, due_date, slot, cents, n)"
        f" SELECT entity_id, due_date, slot, SUM(cents), COUNT(*) FROM {OPEN} GROUP BY entity_id, due_date, slot",
        f"INSERT INTO {COUNT} (entity_id, kind, status, slot, n)"
        f" SELECT entity_id, kind, status, {_slot(vendor, 'id')}, COUNT(*) FROM {DOCUMENT}"
        f" WHERE {_COUNTED_ONLY.format(row=DOCUMENT)}"
        f" GROUP BY entity_id, kind, status, {_slot(vendor, 'id')}",
    ]


def _sales_rebuild_statements(vendor: str) -> list[str]:
    return [
        f"DELETE FROM {BY_MONTH}",
        f"DELETE FROM {SALE}",
        f"INSERT INTO {SALE} (document_id, entity_id, month, currency, slot, cents)"
        f" SELECT d.id, d.entity_id, {_month(vendor, 'd.issue_date')}, d.currency, {_slot(vendor, 'd.id')},"
        f" {_sale_cents()} FROM {DOCUMENT} d WHERE {_sale()}",
        f"INSERT INTO {BY_MONTH} (entity_id, month, currency, slot, cents, n)"
        f" SELECT entity_id, month, currency, slot, SUM(cents), COUNT(*) FROM {SALE}"
        f" GROUP BY entity_id, month, currency, slot",
    ]


def install(schema_editor: Any, *, sales: bool = True) -> None:
    """Migration entry point: create the triggers, then fill the aggregates from the existing rows.
    `sales=False`: without the monthly sales (migration 0012, before their tables exist)."""
    vendor = schema_editor.connection.vendor
    triggers = postgresql_triggers if vendor == "postgresql" else sqlite_triggers
    for statement in triggers(sales=sales):
        schema_editor.execute(statement, params=None)
    for statement in rebuild_statements(vendor, sales=sales):
        schema_editor.execute(statement, params=None)


def rebuild(using: str = "default") -> None:
    """Recompute every aggregate (after a bulk load that ran with triggers off)."""
    from django.db import connections, transaction

    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in rebuild_statements(connection.vendor):
            cursor.execute(statement)


def uninstall(schema_editor: Any) -> None:
    """Migration entry point: drop what `install` created (the tables go with the migration)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS read_agg_document ON {DOCUMENT}", params=None)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS read_agg_allocation ON {ALLOCATION}", params=None)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS read_agg_sale ON {DOCUMENT}", params=None)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS read_agg_deposit ON {DEPOSITS}", params=None)
        for function in ("facturier_read_agg_document()", "facturier_read_agg_allocation()",
                         "facturier_receivable_refresh(uuid)", "facturier_read_agg_sale()",
                         "facturier_read_agg_deposit()", "facturier_sale_refresh(uuid)"):  # fmt: skip
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}", params=None)
        return
    for statement in sqlite_triggers():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {statement.split()[2]}", params=None)
