"""Local development and demo: the default settings module of the `facturier` command."""

from config.settings.base import *  # noqa: F403

DEBUG = True
