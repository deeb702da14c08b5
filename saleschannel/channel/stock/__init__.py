"""Stock to Amazon (``spec/stock-to-amazon.md``): the stock settings, the offers, what is due.

- ``rules``: PURE, the desired quantity (T4) and the order of pushes (T6).
- ``models``: ``StockSettings``, ``Offer``, ``StockPush``.
- ``services``: writes (``stock_settings_update``, ``offer_push_record``, ...).
- ``selectors``: reads (``due_offers``, ``push_plan``, ``offers_list``).
"""
