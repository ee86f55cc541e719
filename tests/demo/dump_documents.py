"""Run in a fresh process: migrate a fresh database, load the demo at a given scale, print its documents.

Used by the determinism test: two runs on two fresh databases must print the same lines.
Usage: python tests/demo/dump_documents.py SCALE [INSTANT]   (DATABASE_URL and FACTURIER_DATA_DIR from the
environment; INSTANT, an ISO date-time, sets the clock so both runs count back from the same day even when
midnight passes between them)
"""

import datetime as dt
import json
import os
import sys
from contextlib import nullcontext

import time_machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from facturier.demo.loader import load_demo  # noqa: E402
from facturier.invoicing.models import Document  # noqa: E402
from facturier.payments.selectors import with_settlement  # noqa: E402

call_command("migrate", "--no-input", "-v", "0")
with time_machine.travel(dt.datetime.fromisoformat(sys.argv[2])) if len(sys.argv) > 2 else nullcontext():
    load_demo(scale=float(sys.argv[1]))
fields = ("entity__name", "kind", "type_code", "number", "status", "customer__code", "issue_date", "due_date",
          "tax_exclusive", "tax_total", "tax_inclusive", "prepaid", "payable", "paid_amount", "vat_breakdown")  # fmt: skip
for row in (
    with_settlement(Document.objects.all())
    .order_by("entity__name", "kind", "number", "tax_inclusive")
    .values_list(*fields)
):
    print(json.dumps(row, default=str))
