from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransmissionConfig(AppConfig):
    name = "facturier.transmission"
    label = "transmission"
    verbose_name = _("Transmission")
    default_auto_field = "django.db.models.BigAutoField"
