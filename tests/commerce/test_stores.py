import pytest

from saleschannel.commerce.errors import InvalidInput, NotFound
from saleschannel.commerce.inventory.models import Source, Stock
from saleschannel.commerce.inventory.selectors import stock_for_store
from saleschannel.commerce.sales.models import OrderStatus
from saleschannel.commerce.stores.errors import StoreCodeTaken
from saleschannel.commerce.stores.models import Store, Website
from saleschannel.commerce.stores.selectors import store_get
from saleschannel.commerce.stores.services import store_create, stores_init

pytestmark = pytest.mark.django_db


def test_init_makes_the_default_website_store_source_stock_and_statuses(store_defaults):
    assert store_defaults.code == "default"
    assert store_defaults.website.code == "base"
    stock = stock_for_store(store=store_defaults)
    assert stock.name == "Default Stock"
    assert list(stock.sources.values_list("code", flat=True)) == ["default"]
    defaults = dict(OrderStatus.objects.filter(is_default=True).values_list("state", "code"))
    assert defaults == {"new": "pending", "processing": "processing", "complete": "complete", "closed": "closed",
                        "canceled": "canceled", "holded": "holded"}


def test_init_again_changes_nothing(store_defaults):
    counts = [m.objects.count() for m in (Website, Store, Source, Stock, OrderStatus)]
    stores_init()
    assert [m.objects.count() for m in (Website, Store, Source, Stock, OrderStatus)] == counts


def test_init_keeps_a_default_status_the_merchant_chose(store_defaults):
    OrderStatus.objects.filter(code="pending").update(is_default=False)
    OrderStatus.objects.create(code="received", label="Received", state="new", is_default=True)
    stores_init()
    assert OrderStatus.objects.get(state="new", is_default=True).code == "received"


def test_store_create_puts_the_store_in_the_default_website(store_defaults):
    store = store_create(code="de_store", name="German")
    assert store.website == store_defaults.website
    assert stock_for_store(store=store) == stock_for_store(store=store_defaults)


@pytest.mark.parametrize("code", ["", "De", "1abc", "a-b", "a" * 33, "a b"])
def test_store_create_refuses_a_bad_code_by_name(store_defaults, code):
    with pytest.raises(InvalidInput) as info:
        store_create(code=code, name="X")
    assert info.value.field == "code"
    assert Store.objects.count() == 1


def test_store_create_refuses_a_taken_code(store_defaults):
    with pytest.raises(StoreCodeTaken):
        store_create(code="default", name="Again")


def test_store_get_names_the_missing_store(store_defaults):
    with pytest.raises(NotFound, match="nope"):
        store_get(code="nope")
