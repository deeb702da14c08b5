"""The web: the dashboard, the REST API, the notification endpoint and the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("saleschannel.api.urls")),
    path("", include("saleschannel.channel.urls")),
    path("accounts/connect/", include("saleschannel.dashboard.urls_connect")),
    path("", include("saleschannel.dashboard.urls")),
    path("", include("saleschannel.dashboard.urls_outbox")),  # the order view's shipping actions
]

# Under /api/ a JSON 404, elsewhere the dashboard's page.
handler404 = "saleschannel.api.errors.page_not_found"
