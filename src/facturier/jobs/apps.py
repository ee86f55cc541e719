from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "facturier.jobs"
    label = "jobs"
    verbose_name = "Jobs and events"
