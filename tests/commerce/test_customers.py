import pytest
from django.db import IntegrityError, transaction

from saleschannel.commerce.customers.models import Customer
from saleschannel.commerce.customers.services import customer_address_add, customer_get_or_create
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.sales.types import AddressData
from saleschannel.commerce.stores.models import Website

pytestmark = pytest.mark.django_db


def test_one_customer_per_email_per_website_ignoring_case(store_defaults):
    website = store_defaults.website
    first, created = customer_get_or_create(website=website, email="Ann@Example.com", firstname="Ann", lastname="Lee")
    again, created_again = customer_get_or_create(website=website, email="ann@example.COM", firstname="A",
                                                  lastname="L")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert (again.firstname, again.email) == ("Ann", "Ann@Example.com")


def test_the_same_email_in_another_website_is_another_customer(store_defaults):
    other = Website.objects.create(code="eu", name="EU")
    a, _ = customer_get_or_create(website=store_defaults.website, email="a@x.io", firstname="", lastname="")
    b, created = customer_get_or_create(website=other, email="A@x.io", firstname="", lastname="")
    assert created and a.pk != b.pk


def test_the_database_refuses_a_second_email_differing_only_in_case(store_defaults):
    Customer.objects.create(website=store_defaults.website, email="a@x.io")
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(website=store_defaults.website, email="A@X.IO")


@pytest.mark.parametrize("email", ["", "no-at", "@x.io", "a@", "a b@x.io"])
def test_a_bad_email_is_refused_by_name(store_defaults, email):
    with pytest.raises(InvalidInput) as info:
        customer_get_or_create(website=store_defaults.website, email=email, firstname="", lastname="")
    assert info.value.field == "email"
    assert not Customer.objects.exists()


def test_address_book_keeps_one_default_of_each_kind(store_defaults):
    customer, _ = customer_get_or_create(website=store_defaults.website, email="a@x.io", firstname="", lastname="")
    first = customer_address_add(customer=customer, address=AddressData(city="Lyon", country_id="FR"),
                                 default_billing=True, default_shipping=True)
    second = customer_address_add(customer=customer, address=AddressData(street="1 Rue\nBât B"),
                                  default_shipping=True)
    first.refresh_from_db()
    assert (first.is_default_billing, first.is_default_shipping) == (True, False)
    assert (second.is_default_shipping, second.street) == (True, "1 Rue\nBât B")
    with pytest.raises(InvalidInput) as info:
        customer_address_add(customer=customer, address=AddressData(country_id="FRA"))
    assert info.value.field == "address country_id"
    assert customer.addresses.count() == 2
