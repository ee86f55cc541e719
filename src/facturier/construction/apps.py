from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConstructionConfig(AppConfig):
    name = "facturier.construction"
    label = "construction"
    verbose_name = _("Construction contracts")
