"""The import of Amazon orders: record each snapshot, evaluate it by the rules, act on the store.

- ``recording``: one snapshot kept (``amazon_order_record``), its status events and import periods;
- ``snapshot``: the stored JSON read back as an order, and the fields a list shows;
- ``importer``: the evaluation by the rules (R7-R21) and what it does: create the store order,
  reserve or release, cancel; by hand, after a settings change, when stock rises;
- ``storeorder``: the store order made from an Amazon order;
- ``reconcile``: Amazon's packages of an imported order recorded as the store's shipments.
"""
