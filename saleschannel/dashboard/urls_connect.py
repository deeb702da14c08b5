"""Connecting Amazon accounts through Amazon's website (mounted at /accounts/connect/)."""

from django.urls import URLPattern, URLResolver, path

from saleschannel.dashboard.views import connect as views

app_name = "connect"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.connect_start, name="start"),
    path("callback/", views.connect_callback, name="callback"),
    path("<int:pk>/", views.connection, name="connection"),
    path("<int:pk>/reconnect/", views.reconnect, name="reconnect"),
    path("<int:pk>/disconnect/", views.disconnect, name="disconnect"),
]
