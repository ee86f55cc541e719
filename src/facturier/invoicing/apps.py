from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "facturier.invoicing"
    label = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self) -> None:
        from facturier.accounts.hooks import register_entity_setup
        from facturier.invoicing import integrity
        from facturier.invoicing.numbering import default_series_for

        register_entity_setup("invoicing.default_series", default_series_for)  # every new entity's series
        integrity.register()  # what `audit verify` and the checkpoints check of invoicing
