from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data set; an app only for its `load_demo` command (no models)."""

    name = "facturier.demo"
    label = "demo"
    verbose_name = "Demo data"
