from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "facturier.invoicing"
    label = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self) -> None:
        from facturier.accounts.signals import entity_created
        from facturier.invoicing import integrity

        entity_created.connect(_default_series, dispatch_uid="invoicing.default_series")
        integrity.register()  # what `audit verify` and the checkpoints check of invoicing


def _default_series(sender: Any, *, entity: Any, **kwargs: Any) -> None:
    """Every new legal entity gets the default numbering series (accounts.signals.entity_created)."""
    from facturier.invoicing.numbering import default_series_for

    default_series_for(entity)
