"""The REST API under /api/v1/: token or session authentication; staff read, managers change."""

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import IsAuthenticated

from saleschannel.api import stock_views, views
from saleschannel.api.permissions import DashboardRole

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts", views.AccountList.as_view(), name="api-accounts"),
    path("accounts/<int:pk>", views.AccountDetail.as_view(), name="api-account"),
    path("accounts/<int:pk>/settings", views.AccountSettings.as_view(), name="api-account-settings"),
    path("accounts/<int:pk>/stock-settings", stock_views.AccountStockSettings.as_view(),
         name="api-account-stock-settings"),
    path("accounts/<int:pk>/offers", stock_views.AccountOffers.as_view(), name="api-account-offers"),
    path("accounts/<int:pk>/offers/<path:sku>/retry", stock_views.OfferRetry.as_view(), name="api-offer-retry"),
    path("accounts/<int:pk>/sync", views.AccountSync.as_view(), name="api-account-sync"),
    path("sync-requests/<int:pk>", views.SyncRequestDetail.as_view(), name="api-sync-request"),
    path("amazon-orders", views.AmazonOrderList.as_view(), name="api-amazon-orders"),
    path("amazon-orders/<int:pk>", views.AmazonOrderDetail.as_view(), name="api-amazon-order"),
    path("amazon-orders/<int:pk>/import", views.AmazonOrderImport.as_view(), name="api-amazon-order-import"),
    path("amazon-orders/<int:pk>/retry", views.AmazonOrderRetry.as_view(), name="api-amazon-order-retry"),
    path("orders", views.StoreOrderList.as_view(), name="api-orders"),
    path("orders/<int:pk>", views.StoreOrderDetail.as_view(), name="api-order"),
    path("products", views.ProductList.as_view(), name="api-products"),
    path("stock/<path:sku>", views.StockDetail.as_view(), name="api-stock"),
    # The schema holds no data, but like every route here it needs a signed-in staff user.
    path("schema", SpectacularJSONAPIView.as_view(permission_classes=[IsAuthenticated, DashboardRole]),
         name="api-schema"),
]
