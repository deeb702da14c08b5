from django.apps import AppConfig


class ChannelConfig(AppConfig):
    name = "saleschannel.channel"
    label = "channel"
    verbose_name = "Amazon sales channel"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # R9: a rise in salable quantity wakes the waiting Amazon orders of that stock.
        from saleschannel.channel.services.imports.importer import salable_increased_receiver
        from saleschannel.commerce.inventory.signals import salable_increased

        salable_increased.connect(salable_increased_receiver, dispatch_uid="channel-wake-waiting-orders")
