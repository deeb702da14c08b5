"""The dashboard's pages; every one of them needs a signed-in staff user."""

from django.urls import URLPattern, URLResolver, path

from saleschannel.dashboard.views import (
    accounts,
    amazon_orders,
    auth,
    catalog,
    logs,
    orders,
    password,
    settings,
    stock,
)

app_name = "dashboard"

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/", password.password_change, name="password_change"),
    path("", accounts.home, name="home"),
    path("accounts/<int:pk>/", accounts.store_dashboard, name="store_dashboard"),
    path("accounts/<int:pk>/settings/", settings.order_settings, name="order_settings"),
    path("accounts/<int:pk>/stock-settings/", stock.stock_settings, name="stock_settings"),
    path("accounts/<int:pk>/offers/", stock.offers, name="offers"),
    path("accounts/<int:pk>/offers/<path:sku>/retry/", stock.offer_retry_view, name="offer_retry"),
    path("accounts/<int:pk>/sync/", accounts.sync_now, name="sync_now"),
    path("amazon-orders/", amazon_orders.amazon_orders, name="amazon_orders"),
    path("amazon-orders/<int:pk>/", amazon_orders.amazon_order, name="amazon_order"),
    path("amazon-orders/<int:pk>/import/", amazon_orders.amazon_order_import, name="amazon_order_import"),
    path("amazon-orders/<int:pk>/retry/", amazon_orders.amazon_order_retry, name="amazon_order_retry"),
    path("amazon-orders/<int:pk>/address/", amazon_orders.amazon_order_address, name="amazon_order_address"),
    path("orders/", orders.orders, name="orders"),
    path("orders/<int:pk>/", orders.order, name="order"),
    path("products/", catalog.products, name="products"),
    path("products/<path:sku>/", catalog.product, name="product"),
    path("logs/errors/", logs.communication_errors, name="errors"),
    path("logs/sync/", logs.sync_log, name="sync_log"),
    path("logs/outbox/", logs.outbox, name="outbox"),
]
