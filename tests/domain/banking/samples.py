"""The real statement files of ../shared/datasets/bank_statements, and which of them must be refused."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SHARED

ROOT = SHARED / "datasets" / "bank_statements"
SKIP_REASON = "../shared not present: the bank statement samples are only in the team workspace"
_NOT_SAMPLES = {".pdf", ".csv", ".json", ".pydata", ".xsd"}

# Files the parsers must refuse, with the StatementError code, and why.
REFUSED: dict[str, str] = {
    # genkgo: deliberately broken (no statement where one is required)
    "camt/genkgo-camt/camt053.v2.wrong.xml": "no_statement",
    # pennylane-cfonb: the structural error each file is named after
    "cfonb120/pennylane-cfonb/end_of_statement_without_beginning.txt": "malformed",
    "cfonb120/pennylane-cfonb/invalid_date.txt": "malformed",
    "cfonb120/pennylane-cfonb/new_statement_without_previous_ended.txt": "malformed",
    "cfonb120/pennylane-cfonb/operation.txt": "malformed",  # a lone 04 without its 01/07 statement
    "cfonb120/pennylane-cfonb/operation_already_defined.txt": "malformed",
    "cfonb120/pennylane-cfonb/operation_detail_without_operation.txt": "malformed",
    "cfonb120/pennylane-cfonb/operation_out_of_statement.txt": "malformed",
    "cfonb120/pennylane-cfonb/operation_unstarted.txt": "malformed",
    # the 240-character transfer format, not a statement
    "cfonb120/silarhi-cfonb-parser/cfonb.240-complex-test.txt": "unknown_format",
    # MT940 tag snippets of other parsers' unit tests: no :20: field, so not a statement file
    "mt940/WoLpH-mt940/betterplace/amount_formats.sta": "unknown_format",
    "mt940/WoLpH-mt940/betterplace/currency_in_25.sta": "unknown_format",
    "mt940/WoLpH-mt940/betterplace/empty_86.sta": "unknown_format",
    "mt940/WoLpH-mt940/betterplace/empty_entry_date.sta": "unknown_format",
    "mt940/WoLpH-mt940/betterplace/empty_line.sta": "unknown_format",
    "mt940/WoLpH-mt940/betterplace/missing_crlf_at_end.sta": "unknown_format",
    "mt940/WoLpH-mt940/cmxl/account_balance_credit.sta": "unknown_format",
    "mt940/WoLpH-mt940/cmxl/account_balance_debit.sta": "unknown_format",
    "mt940/WoLpH-mt940/cmxl/account_identification_iban.sta": "unknown_format",
    "mt940/WoLpH-mt940/cmxl/account_identification_legacy.sta": "unknown_format",
    "mt940/WoLpH-mt940/cmxl/available_balance.sta": "unknown_format",
    "mt940/WoLpH-mt940/cmxl/closing_balance.sta": "unknown_format",
    "mt940/WoLpH-mt940/cmxl/reference.sta": "unknown_format",
    "mt940/WoLpH-mt940/cmxl/statement_details.sta": "unknown_format",
    "mt940/WoLpH-mt940/cmxl/statement_line.sta": "unknown_format",
    "mt940/WoLpH-mt940/cmxl/statement_number.sta": "unknown_format",
    "mt940/WoLpH-mt940/self-provided/sparkassen.sta": "unknown_format",
    "mt940/WoLpH-mt940/self-provided/empty_non_swift.sta": "unknown_format",
    "mt940/WoLpH-mt940/self-provided/invalid_statement.sta": "unknown_format",
    # betterplace: an :86: turned into a second :25: after the lines
    "mt940/WoLpH-mt940/betterplace/sepa_snippet_broken.sta": "malformed",
    # ofxparse fail_nice: a transaction without date, a month 20
    "ofx/jseutter-ofxparse/fail_nice/date_missing.ofx": "malformed",
    "ofx/jseutter-ofxparse/fail_nice/decimal_error.ofx": "malformed",
    # OFX answers that hold no bank statement: empty, sign-on only, errors, investment accounts
    "ofx/jseutter-ofxparse/bank_small.ofx": "no_statement",
    "ofx/jseutter-ofxparse/account_listing_aggregation.ofx": "no_statement",
    "ofx/jseutter-ofxparse/error_message.ofx": "no_statement",
    "ofx/jseutter-ofxparse/signon_fail.ofx": "no_statement",
    "ofx/jseutter-ofxparse/signon_success.ofx": "no_statement",
    "ofx/jseutter-ofxparse/signon_success_no_message.ofx": "no_statement",
    "ofx/jseutter-ofxparse/fidelity-savings.ofx": "no_statement",
    "ofx/jseutter-ofxparse/fidelity.ofx": "no_statement",
    "ofx/jseutter-ofxparse/investment_401k.ofx": "no_statement",
    "ofx/jseutter-ofxparse/investment_medium.ofx": "no_statement",
    "ofx/jseutter-ofxparse/td_ameritrade.ofx": "no_statement",
    "ofx/jseutter-ofxparse/tiaacref.ofx": "no_statement",
    "ofx/jseutter-ofxparse/vanguard.ofx": "no_statement",
    "ofx/jseutter-ofxparse/vanguard401k.ofx": "no_statement",
    "ofx/csingley-ofxtools/invstmtrs.ofx": "no_statement",
    "ofx/csingley-ofxtools/profrs.ofx": "no_statement",
}


def sample_files() -> list[Path]:
    """Every statement sample (not licences, specs, schemas or expected outputs); [] without ../shared."""
    if not ROOT.is_dir():
        return []
    return sorted(
        path
        for sub in ("camt", "mt940", "ofx", "cfonb120")
        for path in (ROOT / sub).rglob("*")
        if path.is_file()
        and path.suffix not in _NOT_SAMPLES
        and not path.name.upper().startswith(("LICENSE", "COPYING"))
    )


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()
