"""Routes of the order view's shipping actions (included by the project's URLs)."""

from django.urls import path

from saleschannel.dashboard.views import outbox as views

app_name = "outbox"
urlpatterns = [
    path("orders/<int:pk>/ship/", views.order_ship, name="order_ship"),
    path("outbox/<int:pk>/resend/", views.message_resend, name="message_resend"),
]
