"""The project's routes with the shipping actions of the order view."""

from django.urls import include, path

from saleschannel.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("", include("saleschannel.channel.outbox.urls"))]
