"""A company's reconciliation rules are shown and changed from the command line, checked and audited, and
the engine reads them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from facturier.audit.models import AuditEvent
from facturier.banking.models import ReconciliationModel
from facturier.banking.reconciliation_inputs import rules_of
from facturier.cli import main


@pytest.mark.django_db
def test_the_rules_are_shown_then_changed_and_the_engine_reads_them(entity, capsys):
    # given a company that never set its rules: the defaults are shown
    assert main(["reconciliation", "rules", "--entity", entity.siren]) == 0
    shown = capsys.readouterr().out
    assert "fee-tolerance: 5.00" in shown
    assert "writeoff-account: 658" in shown
    assert not ReconciliationModel.objects.exists()
    # when the finance manager allows 2.50 of bank fees to account 6278 and writes off nothing
    code = main(["reconciliation", "rules", "--entity", entity.siren, "--fee-tolerance", "2.50",
                 "--fee-account", "6278", "--writeoff-tolerance", "0"])  # fmt: skip
    # then the rules are stored, shown, audited with before and after, and used by the next run
    assert code == 0
    assert "fee-account: 6278" in capsys.readouterr().out
    rules = rules_of(entity)
    assert (rules.fee_tolerance, rules.fee_account, rules.writeoff_tolerance) == (
        Decimal("2.50"), "6278", Decimal("0"),
    )  # fmt: skip
    event = AuditEvent.objects.get(action="bank_reconciliation.rules_changed")
    assert (event.before["fee_account"], event.after["fee_account"]) == ("627", "6278")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "option",
    [
        ["--fee-tolerance", "-1"],
        ["--fee-tolerance", "1.234"],
        ["--fee-tolerance", "lots"],
        ["--writeoff-account", "65x"],
        ["--auto-threshold", "1.5"],
        ["--propose-threshold", "0.99"],  # more confidence than an automatic match needs (0.95)
        ["--max-items-in-sum", "50"],
        ["--max-items-in-sum", "many"],
    ],
)
def test_a_bad_rule_is_refused_and_nothing_changes(entity, capsys, option):
    assert main(["reconciliation", "rules", "--entity", entity.siren, *option]) == 1
    error = capsys.readouterr().err
    assert "[invalid_" in error, error  # the reason, with its stable code
    assert not ReconciliationModel.objects.exists()
    assert not AuditEvent.objects.filter(action="bank_reconciliation.rules_changed").exists()
