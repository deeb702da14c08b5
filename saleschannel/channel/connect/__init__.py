"""Connecting Amazon accounts the way merchants do: Amazon's website authorization workflow.

A manager presses "Connect Amazon account", picks the marketplace and is sent to that
marketplace's Seller Central with the application id and a single-use ``state``; there
the seller signs in and approves, and Amazon sends the browser back to
``/accounts/connect/callback/`` with ``state``, ``selling_partner_id`` and
``spapi_oauth_code``. The code is exchanged at Login with Amazon for a refresh token,
which is stored encrypted on the account (created with import disabled, R1; or, when the
seller and marketplace are known, updated and cleared of "needs reconnecting", C29).

Setting it up for real Amazon: register the application in the Solution Provider Portal
with the redirect URI ``https://<your host>/accounts/connect/callback/``, then give the
installation its application id, LWA client id and secret, either in the environment
(see ``config.py``) or under Admin › Application settings. While the application is in
draft, ``version=beta`` is sent (the "draft" setting). For a local run, point the Seller
Central base URL, the token URL and the SP-API endpoint at the sandbox, which plays the
consent page and both LWA grants.

Modules: ``models`` (ApplicationSettings, AuthorizationState), ``config``,
``marketplaces``, ``services`` (authorization_start, authorization_complete,
account_disconnect), ``selectors``. Its pages, templates and template tags (banner,
button, connection link) are the dashboard's: ``dashboard.views.connect``,
``dashboard/templates/connect/``, ``dashboard.templatetags.connect``, mounted at
``/accounts/connect/`` (``dashboard.urls_connect``, namespace ``connect``).
"""
