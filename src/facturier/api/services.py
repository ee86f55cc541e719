"""Housekeeping of what the API stores for itself."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from facturier.api.models import IdempotencyRecord

# A client retries within minutes; a day leaves room for a client that was down overnight.
IDEMPOTENCY_RETENTION = dt.timedelta(hours=24)


@transaction.atomic
def idempotency_purge(*, older_than: dt.timedelta = IDEMPOTENCY_RETENTION) -> int:
    """Forget the stored responses older than `older_than`; a retry after that runs again. Returns the count."""
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
