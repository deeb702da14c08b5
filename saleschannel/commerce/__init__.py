"""The embedded store core: stores, catalog, inventory, customers, sales. It knows nothing of Amazon.

The public API, as the Amazon channel calls it. Names and keyword arguments that other code relies on (more may be added and types refined, but these names stay: the Amazon channel calls them):

- stores: models `Website(code unique, name)`, `Store(code unique, name, website FK)`. services `stores_init() -> None` (idempotent: website `base`, store `default`, source `default`, stock `Default Stock` linked to the website and the source, the order statuses with `pending` the default of `new`, `processing` of `processing`, etc.), `store_create(*, code, name, website=None) -> Store`.
- catalog: model `Product(sku unique, name, price Decimal, status "enabled"|"disabled", manage_stock bool)`; services `product_create(*, sku, name, price, manage_stock=True, enabled=True, qty=None) -> Product`; selectors `products_by_sku(skus) -> dict[str, Product]`.
- inventory: models `Source(code, name, enabled)`, `Stock(name)` linked to websites and sources, `SourceItem(source, sku, quantity Decimal, status in/out of stock)`, `Reservation(stock, sku, quantity signed Decimal (negative while held), event_type, object_type, object_id, event_key unique, created_at)` append-only. selectors `stock_for_store(*, store) -> Stock`, `salable_quantity(*, stock, sku) -> Decimal`, `salable_quantities(*, stock, skus) -> dict[str, Decimal]`, `open_reservations(*, object_type, object_id) -> dict[str, Decimal]`. services:
  - `reservation_append(*, stock, lines: Sequence[tuple[str, Decimal]], event_type: str, object_type: str, object_id: str, event_key: str, check_salable: bool = True) -> bool`: under one lock (PostgreSQL row locks in SKU order; SQLite's serialized writes) checks salable quantity of every line whose product manages stock and appends one negative reservation per such SKU (lines of one SKU summed); raises `InsufficientStock(sku, salable, requested)` and appends nothing when a line is short; returns False and changes nothing when `event_key` was used before (a replay). SKUs with no product or whose product does not manage stock are skipped.
  - `reservation_compensate(*, stock, object_type, object_id, event_type, event_key, lines=None) -> bool`: appends positive entries that bring the open reservations of that object (all, or only the given (sku, qty) lines) back to zero; idempotent by event_key.
  - `reservation_transfer(*, stock, from_object: tuple[str, str], to_object: tuple[str, str], event_key: str) -> bool`: moves the open reservations of one object (object_type, object_id) to another, net change zero (used when an Amazon order's pending reservation becomes its store order's reservation).
  - `source_item_set(*, source, sku, quantity) -> SourceItem`; `reservations_cleanup() -> int` (removes zero-sum groups but keeps their event keys, e.g. in a `UsedEventKey` table, so a replay still cannot reserve twice).
  - signal `saleschannel.commerce.inventory.signals.salable_increased` (kwargs `stock`, `skus`), sent on transaction commit whenever salable quantity may have risen (source quantity raised, a reservation compensated).
  - errors in `saleschannel.commerce.inventory.errors`: `InsufficientStock`.
- customers: model `Customer(website, email, firstname, lastname)` (email unique per website ignoring case, enforced by the database), `CustomerAddress`; service `customer_get_or_create(*, website, email, firstname, lastname) -> tuple[Customer, bool]` (safe under concurrency).
- sales: models `OrderStatus(code unique, label, state, is_default)`, `Order(store, number (unique per store), state, status FK or code, customer nullable, customer_is_guest, customer_email, customer_firstname, customer_lastname, currency, subtotal, shipping_amount, tax_amount, discount_amount, gift_wrap_amount, cod_fee_amount, delivery_tip_amount, other_amount, grand_total, payment_method, is_invoiced, external_channel, external_account, external_id (the triple unique across orders when set), created_at)`, `OrderItem(order, sku, name, product nullable, qty_ordered, qty_shipped, qty_canceled, price (unit), tax_amount, discount_amount, row_total, external_line_id)`, `OrderAddress(order, address_type "billing"|"shipping", firstname, lastname, company, street (lines joined by newline), city, region, postcode, country_id, telephone: all optional)`, `OrderStatusHistory(order, state, status, comment, created_at)`. Plain dataclasses `OrderLine`, `AddressData`, `OrderTotals`, `ExternalRef(channel, account, external_id)` in `saleschannel.commerce.sales.services` (or a `types` module) as inputs. services:
  - `order_number_next(*, store) -> str` ("000000001", unique under concurrent writers, from a per-store sequence row);
  - `order_create(*, store, number, lines, status=None, customer=None, email, firstname, lastname, billing=None, shipping=None, currency, totals, payment_method="amazon", is_invoiced=False, external=None, comment="") -> Order` (status None = default status of state `new`; the state is the state the status is assigned to; raises `OrderNumberTaken` / `ExternalRefTaken` turned from IntegrityError, leaving nothing behind);
  - `order_transition(*, order, state, status=None, comment="") -> Order` (one place for state changes; raises `IllegalTransition` naming both states); `order_cancel(*, order, comment="") -> Order` (compensates the order's open reservations, object_type "order", object_id = str(order.pk)).
  - errors in `saleschannel.commerce.sales.errors`.
- Reservation object types: a store order's reservations use object_type `"order"`, object_id `str(order.pk)`; an Amazon order's pending reservation (R12) uses object_type `"amazon_order"`, object_id = the AmazonOrderId.

Where each name lives, and what was added beside the contract (each module's docstring gives the final signatures):

- ``stores.services``: ``stores_init``, ``store_create``; ``stores.selectors``: ``store_get(*, code=None)``, ``store_default()``.
- ``catalog.services``: ``product_create``; ``catalog.selectors``: ``products_by_sku``, ``product_get(*, sku)``.
- ``inventory.selectors`` (also importable from ``inventory.services``): ``stock_for_store``, ``salable_quantity``,
  ``salable_quantities``, ``open_reservations(*, object_type, object_id, stock=None)``, ``stock_figures(*, stock, skus)``
  (quantity, reserved, salable), ``stock_shortages(*, stock, lines, available=None)`` (the managed lines that are
  short; ``available`` adds an order's own pending reservation, R8). ``salable_quantity`` is the ledger's figure for
  any SKU; whether a product manages stock is answered by ``stock_shortages`` and ``reservation_append``.
- ``inventory.services``: ``reservation_append``, ``reservation_compensate``, ``reservation_transfer``,
  ``source_item_set(*, source, sku, quantity, status=None)`` (``source`` a Source, its code, or None for the default),
  ``reservations_cleanup``, and ``shipment_deduct(*, stock, source, object_type, object_id, lines, event_key)``: a
  shipment deducts the source quantity and releases as much of the object's reservation, as one event.
- ``customers.services``: ``customer_get_or_create``.
- ``sales.services``: ``order_number_next``, ``order_create``, ``order_transition``, ``order_cancel``,
  ``order_reserve(*, order, check_salable=True)`` (event key ``order:<pk>:place``), ``order_status_create``,
  ``order_statuses_init``; the input dataclasses live in ``sales.types`` and are re-exported by ``sales.services``.
  Entering ``canceled`` or ``closed`` releases what the order still holds. ``sales.selectors``: ``orders_list``,
  ``order_statuses(*, states=None)``.
- Every refusal is a ``saleschannel.commerce.errors.CommerceError``; a refused value is an ``InvalidInput`` with
  ``field`` and ``value``.
"""
