"""Stock to Amazon (``spec/stock-to-amazon.md``): the stock settings, the offers, what is due.

- ``rules``: PURE, the desired quantity (T4) and the order of pushes (T6).
- ``models``: ``StockSettings``, ``Offer``, ``StockPush``, ``StockFeed``.
- ``services``: writes (``stock_settings_update``, ``offer_push_record``, ...), the pusher
  (``offers_push``), discovery (``offers_discover``) and feeds (``stock_feed_send``, ``stock_feed_check``).
- ``ratelimit``: the seller's and the application's patch buckets (T8, C50).
- ``notifications``: Amazon's listings notifications (T12).
- ``selectors``: reads (``due_offers``, ``push_plan``, ``offers_list``).
"""
