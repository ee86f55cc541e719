from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "facturier.common"
    label = "common"
