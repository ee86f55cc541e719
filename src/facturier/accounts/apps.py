from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "facturier.accounts"
    label = "accounts"
    verbose_name = _("Legal entities and users")

    def ready(self) -> None:
        from facturier.audit.registry import register_entity_lister

        register_entity_lister(_entity_ids)  # the checkpoints cover every legal entity


def _entity_ids() -> list[object]:
    from facturier.accounts.models import LegalEntity

    return list(LegalEntity.objects.values_list("pk", flat=True))
