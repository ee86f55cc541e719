from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "facturier.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from facturier.billing.sources import register_source
        from facturier.projects.billing import MilestoneSource

        register_source(MilestoneSource())
