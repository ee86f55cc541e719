"""What the REST API must remember between requests: the responses of idempotent POSTs."""

from django.db import models


class IdempotencyRecord(models.Model):
    """The response given to a POST carrying an `Idempotency-Key`, kept so a retry gets it again.

    Scoped to the API key that sent it: two clients may pick the same key without meeting. The row is
    written in the same transaction as the effect of the request, so a retry sees either both or neither.
    """

    api_key = models.ForeignKey("accounts.ApiKey", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    status_code = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="one_response_per_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} -> {self.status_code}"
