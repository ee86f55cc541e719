"""Adding bank accounts and importing statements: audited, one transaction each.

An import reads the whole file first (pure parsers: `domain.banking`), then writes in one transaction:
a hostile or unreadable file, or a statement of an account the company does not have, writes nothing.
Lines are deduplicated per account by their natural key (unique in the database), so importing a file
twice or two overlapping statements never stores a movement twice; a file already imported (same
SHA-256) is recognised before it is even parsed.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts import authorization
from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import actor_label, audit_record
from facturier.banking import errors
from facturier.banking.bulk import insert_ignoring_conflicts
from facturier.banking.models import (
    NATURAL_KEY_LENGTH,
    BankAccount,
    BankLine,
    Channel,
    LineStatus,
    StatementImport,
)
from facturier.banking.returns import apply_direct_debit_returns
from facturier.common.errors import BusinessError, Conflict, ValidationFailed
from facturier.domain.banking.csv_statement import CsvMapping, parse_csv
from facturier.domain.banking.parse import parse_statement
from facturier.domain.banking.statement import ParsedStatement, StatementError, StatementLine
from facturier.domain.identifiers import InvalidIdentifier, validate_bic, validate_iban

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1e15")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
LOOKUP_CHUNK = 500


class StatementFileTooLarge(BusinessError):
    code = errors.FILE_TOO_LARGE
    status = 413


def max_statement_bytes() -> int:
    return int(getattr(settings, "FACTURIER_STATEMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


# --- bank accounts -------------------------------------------------------------------------------------


def _account_state(account: BankAccount) -> dict[str, Any]:
    return {"name": account.name, "iban": account.iban, "bic": account.bic, "currency": account.currency,
            "account_number": account.account_number, "csv_mapping": account.csv_mapping}  # fmt: skip


def _checked_mapping(mapping: dict[str, Any] | None) -> dict[str, Any] | None:
    if mapping is None:
        return None
    try:
        return CsvMapping.from_dict(mapping).to_dict()
    except (TypeError, ValueError) as error:
        raise ValidationFailed(
            _("The CSV mapping is not valid: %(reason)s.") % {"reason": error},
            field="csv_mapping", code=errors.INVALID_CSV_MAPPING,
        ) from None  # fmt: skip


@transaction.atomic
def bank_account_add(
    *,
    entity: LegalEntity,
    by: Actor,
    iban: str = "",
    bic: str = "",
    name: str = "",
    currency: str | None = None,
    account_number: str = "",
    csv_mapping: dict[str, Any] | None = None,
) -> BankAccount:
    """A new account of the company: an IBAN (checked), or the bank's account number when it has none."""
    authorization.authorize(by, Action.RECORD_PAYMENT, entity, resource="bank")
    try:
        iban = validate_iban(iban) if iban.strip() else ""
    except InvalidIdentifier as error:
        raise ValidationFailed(
            _("This IBAN is not valid: %(reason)s.") % {"reason": error.reason}, field="iban", code=errors.INVALID_IBAN
        ) from None  # fmt: skip
    try:
        bic = validate_bic(bic) if bic.strip() else ""
    except InvalidIdentifier as error:
        raise ValidationFailed(
            _("This BIC is not valid: %(reason)s.") % {"reason": error.reason}, field="bic", code=errors.INVALID_BIC
        ) from None  # fmt: skip
    account_number = "".join(account_number.split())
    if not iban and not account_number:
        raise ValidationFailed(
            _("Give the account's IBAN (or its number, for a bank without IBAN)."),
            field="iban", code=errors.ACCOUNT_IDENTIFIER_REQUIRED,
        )  # fmt: skip
    currency = (currency or entity.default_currency).strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationFailed(
            _("A currency is a 3-letter ISO code."), field="currency", code=errors.INVALID_CURRENCY
        )
    existing = BankAccount.objects.filter(entity=entity)
    if (iban and existing.filter(iban=iban).exists()) or (
        account_number and existing.filter(account_number=account_number).exists()
    ):
        raise Conflict(_("This bank account is already registered."), code=errors.ACCOUNT_EXISTS)
    account = BankAccount.objects.create(
        entity=entity, iban=iban, bic=bic, account_number=account_number, currency=currency,
        name=(name.strip() or (f"{iban[:4]}…{iban[-4:]}" if iban else account_number))[:100],
        csv_mapping=_checked_mapping(csv_mapping),
    )  # fmt: skip
    audit_record(
        entity=entity, actor=by, action="bank_account.added", obj=account, after=_account_state(account)
    )
    return account


@transaction.atomic
def bank_account_set_csv_mapping(
    *, account: BankAccount, mapping: dict[str, Any] | None, by: Actor
) -> BankAccount:
    """Save (or, None, remove) how this bank's CSV exports are read."""
    account = BankAccount.objects.select_for_update().get(pk=account.pk)
    authorization.authorize(by, Action.RECORD_PAYMENT, account.entity, resource="bank")
    before = _account_state(account)
    account.csv_mapping = _checked_mapping(mapping)
    account.save(update_fields=["csv_mapping", "updated_at"])
    audit_record(entity=account.entity, actor=by, action="bank_account.csv_mapping_set", obj=account,
                 before=before, after=_account_state(account))  # fmt: skip
    return account


# --- statement import ----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What importing one file did: one `StatementImport` per account it holds lines of."""

    filename: str
    sha256: str
    imports: list[StatementImport] = field(default_factory=list)
    already_imported: bool = False  # the very same file was imported before: nothing was read again

    @property
    def new_lines(self) -> int:
        return 0 if self.already_imported else sum(item.new_lines for item in self.imports)

    @property
    def duplicate_lines(self) -> int:
        if self.already_imported:
            return sum(item.new_lines + item.duplicate_lines for item in self.imports)
        return sum(item.duplicate_lines for item in self.imports)


def _unreadable(error: StatementError) -> ValidationFailed:
    return ValidationFailed(str(error), field="file", code=errors.STATEMENT_UNREADABLE, reason=error.code)


def _mapping_of(account: BankAccount) -> CsvMapping:
    if not account.csv_mapping:
        raise ValidationFailed(
            _("The account %(account)s has no CSV column mapping: save one before importing its CSV files.")
            % {"account": account}, field="file", code=errors.CSV_MAPPING_MISSING,
        )  # fmt: skip
    return CsvMapping.from_dict(account.csv_mapping)


def _csv_account(entity: LegalEntity, account: BankAccount | None) -> BankAccount:
    if account is not None:
        return account
    mapped = list(BankAccount.objects.filter(entity=entity).filter(csv_mapping__isnull=False)[:2])
    if len(mapped) != 1:
        raise ValidationFailed(
            _("A CSV file does not name its bank account: choose the account to import it into."),
            field="account", code=errors.CSV_MAPPING_MISSING,
        )  # fmt: skip
    first: BankAccount = mapped[0]
    return first


def _parse(
    entity: LegalEntity, content: bytes, filename: str, account: BankAccount | None
) -> list[tuple[ParsedStatement, BankAccount | None]]:
    """The statements of the file, each with the account it was read for (CSV) or None (found by IBAN)."""
    try:
        if filename.lower().endswith(".csv"):
            target = _csv_account(entity, account)
            return [(parse_csv(content, _mapping_of(target)), target)]
        try:
            return [(statement, None) for statement in parse_statement(content, filename=filename)]
        except StatementError as error:
            if error.code != "unknown_format" or account is None or not account.csv_mapping:
                raise
            return [(parse_csv(content, _mapping_of(account)), account)]
    except StatementError as error:
        raise _unreadable(error) from None
    except (BusinessError, MemoryError):
        raise
    except Exception as exc:  # a parser bug on a hostile file must still be a clean refusal
        logger.exception("statement parser failed on %s", filename)
        raise _unreadable(StatementError(f"The file cannot be read ({exc.__class__.__name__}).")) from None


def _matches(account: BankAccount, statement: ParsedStatement) -> bool:
    if statement.account_iban:
        return statement.account_iban.replace(" ", "").upper() == account.iban
    number = "".join(statement.account_number.split())
    if not number:
        return True  # the statement does not say: the account given is taken
    return number == account.account_number or (len(number) >= 11 and number in account.iban[4:])


def _account_for(entity: LegalEntity, statement: ParsedStatement, given: BankAccount | None) -> BankAccount:
    named = statement.account_iban or statement.account_number or ""
    if given is not None:
        if not _matches(given, statement):
            raise ValidationFailed(
                _("This statement is for the account %(named)s, not %(account)s.")
                % {"named": named, "account": given}, field="account", code=errors.UNKNOWN_ACCOUNT,
            )  # fmt: skip
        return given
    if not named:
        raise ValidationFailed(
            _("This statement does not name its account: choose the account to import it into."),
            field="account", code=errors.UNKNOWN_ACCOUNT,
        )  # fmt: skip
    candidate: BankAccount
    for candidate in BankAccount.objects.filter(entity=entity):
        if _matches(candidate, statement):
            return candidate
    raise ValidationFailed(
        _("The statement is for the account %(named)s, which %(entity)s does not have: add it first.")
        % {"named": named, "entity": entity.name}, field="account", code=errors.UNKNOWN_ACCOUNT, account=named,
    )  # fmt: skip


def _keys(account: BankAccount, lines: Iterable[StatementLine]) -> list[str]:
    """Each line's natural key; the n-th identical line of one statement (two same coffees) gets `#n`."""
    seen: Counter[str] = Counter()
    keys = []
    for line in lines:
        key = line.natural_key(account.identifier)
        if len(key) > NATURAL_KEY_LENGTH - 8:
            key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
        seen[key] += 1
        keys.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return keys


def _bank_line(account: BankAccount, key: str, line: StatementLine, at: int) -> dict[str, Any]:
    """The stored values of one line (the account's currency, amounts to the cent), or a refusal."""
    amount, currency = line.amount, (line.currency or account.currency).upper()
    if currency != account.currency:
        raise ValidationFailed(
            _("Line %(line)s is in %(currency)s, the account %(account)s in %(account_currency)s.")
            % {"line": at, "currency": currency, "account": account, "account_currency": account.currency},
            field="file", code=errors.CURRENCY_MISMATCH,
        )  # fmt: skip
    if amount != amount.quantize(CENT) or abs(amount) >= MAX_AMOUNT:
        raise ValidationFailed(
            _("Line %(line)s: %(amount)s is not an amount of at most 2 decimals.") % {"line": at, "amount": amount},
            field="file", code=errors.STATEMENT_UNREADABLE,
        )  # fmt: skip
    return {
        "natural_key": key, "booking_date": line.booking_date, "value_date": line.value_date, "amount": amount,
        "bank_reference": line.bank_reference[:255], "end_to_end_id": line.end_to_end_id[:140],
        "structured_reference": line.structured_reference[:140], "remittance": line.remittance,
        "counterparty_name": line.counterparty_name[:200], "counterparty_iban": line.counterparty_iban[:34],
        "counterparty_bic": line.counterparty_bic[:11], "transaction_code": line.bank_transaction_code[:50],
        "return_reason": line.return_reason[:10],
        "charges": line.charges.quantize(CENT) if line.charges is not None else None,
        "description": line.description,
    }  # fmt: skip


def _store(source: StatementImport, account: BankAccount, statement: ParsedStatement) -> None:
    """Insert the statement's lines not stored yet (zero-amount lines carry no money: not stored)."""
    lines = [line for line in statement.lines if line.amount != 0]
    keys = _keys(account, lines)
    existing: set[str] = set()
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        existing |= set(
            BankLine.objects.filter(account=account, natural_key__in=chunk).values_list(
                "natural_key", flat=True
            )
        )
    fresh = [
        _bank_line(account, key, line, at)
        for at, (key, line) in enumerate(zip(keys, lines, strict=True), start=1)
        if key not in existing
    ]
    if fresh:
        now = timezone.now()
        common = {
            "entity_id": account.entity_id, "account_id": account.pk, "statement_import_id": source.pk,
            "currency": account.currency, "created_at": now, "updated_at": now, "status": LineStatus.UNRECONCILED,
            "score": None, "reasons": [], "proposed_allocations": [], "rejected": [],
        }  # fmt: skip
        insert_ignoring_conflicts(
            BankLine, fresh, common=common
        )  # a concurrent import of the same lines: skipped
    source.new_lines = BankLine.objects.filter(statement_import=source).count() if fresh else 0
    source.duplicate_lines = len(lines) - source.new_lines


def _previous(entity: LegalEntity, sha256: str) -> list[StatementImport]:
    return list(
        StatementImport.objects.filter(entity=entity)
        .filter(sha256=sha256, error="")
        .select_related("account")
    )


def _check_size(content: bytes) -> None:
    if not content:
        raise ValidationFailed(_("The file is empty."), field="file", code=errors.EMPTY_FILE)
    limit = max_statement_bytes()
    if len(content) > limit:
        raise StatementFileTooLarge(
            _("The file is %(size)s bytes, over the %(limit)s bytes limit.")
            % {"size": len(content), "limit": limit},
            field="file",
        )


@transaction.atomic
def statement_import(
    *,
    entity: LegalEntity,
    by: Actor,
    filename: str,
    content: bytes,
    account: BankAccount | None = None,
    channel: str = Channel.CLI,
) -> ImportResult:
    """Import a statement file (camt.053/054, MT940, OFX, CFONB 120, or CSV with the account's mapping).

    Every statement of the file goes to the account it names (by IBAN or number), or to `account` when
    given (a statement naming another account is refused). Refused files write nothing.
    """
    authorization.authorize(by, Action.RECORD_PAYMENT, entity, resource="bank")
    if account is not None and account.entity_id != entity.pk:
        raise ValidationFailed(_("Unknown bank account."), field="account", code=errors.UNKNOWN_ACCOUNT)
    _check_size(content)
    sha256 = hashlib.sha256(content).hexdigest()
    filename = filename[-255:] or "statement"
    previous = _previous(entity, sha256)
    if previous:
        return ImportResult(filename=filename, sha256=sha256, imports=previous, already_imported=True)
    parsed = _parse(entity, content, filename, account)
    targets = [
        (statement, target or _account_for(entity, statement, account)) for statement, target in parsed
    ]
    user, _key = authorization.user_and_key(by)
    result = ImportResult(filename=filename, sha256=sha256)
    for statement, target in targets:
        if statement.currency and statement.currency.upper() != target.currency:
            raise ValidationFailed(
                _("The statement is in %(currency)s, the account %(account)s in %(account_currency)s.")
                % {"currency": statement.currency, "account": target, "account_currency": target.currency},
                field="file", code=errors.CURRENCY_MISMATCH,
            )  # fmt: skip
        source = StatementImport.objects.create(
            entity=entity, account=target, filename=filename, sha256=sha256, size=len(content),
            format=statement.format[:30], statement_id=statement.statement_id[:140],
            period_start=statement.period_start, period_end=statement.period_end, channel=channel,
            imported_by=user, imported_by_label=actor_label(by)[:200],
        )  # fmt: skip
        _store(source, target, statement)
        source.save(update_fields=["new_lines", "duplicate_lines", "updated_at"])
        apply_direct_debit_returns(source, by=by)
        audit_record(
            entity=entity, actor=by, action="bank_statement.imported", obj=source,
            after={"account": target.identifier, "filename": filename, "sha256": sha256, "format": source.format,
                   "new_lines": source.new_lines, "duplicate_lines": source.duplicate_lines},
        )  # fmt: skip
        result.imports.append(source)
    return result


@transaction.atomic
def statement_import_failed(
    *, entity: LegalEntity, by: Actor, filename: str, content: bytes, error: str, channel: str
) -> StatementImport:
    """Record a refused file where nobody saw the refusal (the watched folder): no line, just the reason."""
    failure = StatementImport.objects.create(
        entity=entity, filename=filename[-255:] or "statement", sha256=hashlib.sha256(content).hexdigest(),
        size=len(content), channel=channel, error=error[:4000] or "error", imported_by_label=actor_label(by)[:200],
    )  # fmt: skip
    audit_record(entity=entity, actor=by, action="bank_statement.import_failed", obj=failure,
                 after={"filename": failure.filename, "sha256": failure.sha256, "error": failure.error})  # fmt: skip
    return failure
