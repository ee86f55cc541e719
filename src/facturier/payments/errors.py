"""Named error codes of the payments services (stable: the API returns them as `code`)."""

NOT_PAYABLE = "not_payable"
INVALID_AMOUNT = "invalid_amount"
OVERPAYMENT = "overpayment"
OVER_ALLOCATION = "over_allocation"
CURRENCY_MISMATCH = "currency_mismatch"
WRONG_CUSTOMER = "wrong_customer"
ALREADY_REVERSED = "already_reversed"
