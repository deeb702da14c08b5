from django.urls import URLPattern, URLResolver, path

from saleschannel.channel import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/amazon/order-change", views.order_change_notification, name="notification-order-change"),
]
