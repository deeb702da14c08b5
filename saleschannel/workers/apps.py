from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "saleschannel.workers"
    label = "workers"
    default_auto_field = "django.db.models.BigAutoField"
