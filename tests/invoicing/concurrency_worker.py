"""A separate OS process that issues invoices, for the numbering concurrency test.

Usage: python -m tests.invoicing.concurrency_worker <start-at-epoch> <invoice-id> [<invoice-id> ...]
Prints one line per attempt: `<id> issued <number>` or `<id> refused <code>`.
"""

import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from facturier.common.errors import BusinessError
    from facturier.invoicing.models import Document
    from facturier.invoicing.services import invoice_issue

    start_at, ids = float(sys.argv[1]), sys.argv[2:]
    time.sleep(max(0.0, start_at - time.time()))  # all workers start together
    for invoice_id in ids:
        try:
            invoice = invoice_issue(invoice=Document.objects.get(pk=invoice_id), by=None)
            print(f"{invoice_id} issued {invoice.number}", flush=True)
        except BusinessError as error:
            print(f"{invoice_id} refused {error.code}", flush=True)


if __name__ == "__main__":
    main()
