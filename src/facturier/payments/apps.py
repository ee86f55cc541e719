from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "facturier.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from facturier.invoicing.receivables_port import register_receivables_port
        from facturier.payments.receivables_port import PORT

        register_receivables_port(PORT)  # bank reconciliation settles through it (banking is a sibling)
