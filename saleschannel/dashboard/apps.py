from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "saleschannel.dashboard"
    label = "dashboard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from saleschannel.dashboard import sessions  # noqa: F401  (connects the sign-in receiver)
