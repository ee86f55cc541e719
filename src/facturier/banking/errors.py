"""Named error codes of the banking services (stable: the API and the CLI report them as `code`)."""

INVALID_IBAN = "invalid_iban"
INVALID_BIC = "invalid_bic"
INVALID_CURRENCY = "invalid_currency"
ACCOUNT_EXISTS = "bank_account_exists"
ACCOUNT_IDENTIFIER_REQUIRED = "bank_account_identifier_required"
INVALID_CSV_MAPPING = "invalid_csv_mapping"
UNKNOWN_ACCOUNT = "unknown_bank_account"
CSV_MAPPING_MISSING = "csv_mapping_missing"
STATEMENT_UNREADABLE = "statement_unreadable"  # the parser's own code is given as `reason`
CURRENCY_MISMATCH = "statement_currency_mismatch"
FILE_TOO_LARGE = "statement_file_too_large"
EMPTY_FILE = "statement_empty"
