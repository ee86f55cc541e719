"""Direct-debit returns read from a statement: the collection's payment is reversed, the invoice owed again.

A returned or rejected SEPA collection (an R-transaction) arrives as a bank line carrying an ISO reason
code and the end-to-end id Facturier wrote in its pain.008 file. The import hands each new such line to
`payments.sepa_collections.handle_direct_debit_return` in the import's own transaction, so a statement
is never stored without its returns applied; the line is then reconciled (it is the money that left).
A return whose end-to-end id is not one of our collections stays unreconciled for the clerk.
"""

from __future__ import annotations

from facturier.accounts.actor import Actor
from facturier.banking.models import BankLine, LineStatus, StatementImport
from facturier.common.errors import NotFound
from facturier.payments.sepa_collections import handle_direct_debit_return, known_end_to_end_ids


def apply_direct_debit_returns(source: StatementImport, *, by: Actor) -> int:
    """Apply the returns among the lines `source` stored; how many were ours."""
    applied = 0
    returns = (
        BankLine.objects.filter(statement_import=source, status=LineStatus.UNRECONCILED, amount__lt=0)
        .exclude(return_reason="")
        .exclude(end_to_end_id="")
    )
    lines = list(returns)
    # a bank's statement holds returns of other creditors' debits too: one query finds ours
    ours = known_end_to_end_ids(source.entity, {line.end_to_end_id for line in lines})
    for line in lines:
        if line.end_to_end_id.strip() not in ours:
            continue
        try:
            collection = handle_direct_debit_return(
                entity=source.entity, end_to_end_id=line.end_to_end_id, reason=line.return_reason, by=by
            )
        except NotFound:
            continue
        line.status = LineStatus.AUTO
        line.score = 1
        line.reasons = [
            {
                "code": "direct_debit_returned",
                "params": {"invoice": collection.document.number, "reason": collection.return_reason},
            }
        ]
        line.save(update_fields=["status", "score", "reasons", "updated_at"])
        applied += 1
    return applied
