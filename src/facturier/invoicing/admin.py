"""Admin for superusers: documents, read-only (they change through their lifecycle services, and an
issued invoice never changes at all)."""

from django.contrib import admin

from facturier.common.admin import ReadOnlyAdmin
from facturier.invoicing.models import Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "kind",
        "type_code",
        "status",
        "entity",
        "customer",
        "issue_date",
        "tax_inclusive",
    )
    list_filter = ("entity", "kind", "status")
    search_fields = ("number", "customer__name")
    date_hierarchy = "issue_date"
    list_select_related = ("entity", "customer")
