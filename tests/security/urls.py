"""The project's routes plus the order view's shipping actions, which the shipping app serves
under the order pages: the walk checks them too."""

from django.urls import include, path

from saleschannel.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("", include("saleschannel.channel.outbox.urls"))]
