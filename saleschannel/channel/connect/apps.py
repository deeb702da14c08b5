from django.apps import AppConfig


class ConnectConfig(AppConfig):
    name = "saleschannel.channel.connect"
    label = "connect"
    default_auto_field = "django.db.models.BigAutoField"
