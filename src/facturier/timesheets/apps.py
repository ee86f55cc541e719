from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimesheetsConfig(AppConfig):
    name = "facturier.timesheets"
    label = "timesheets"
    verbose_name = _("Time and expenses")

    def ready(self) -> None:
        # Billing is below this app: it learns about approved time through its source registry.
        from facturier.billing.sources import register_source
        from facturier.timesheets.source import TimeSource

        register_source(TimeSource())
