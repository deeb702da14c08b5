"""Amazon's marketplaces as the website authorization workflow needs them.

Each marketplace belongs to a selling region (its SP-API endpoint) and has a Seller
Central host, where the selling partner signs in and approves the application.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The path of Seller Central's consent page, appended to the marketplace's host.
CONSENT_PATH = "/apps/authorize/consent"


@dataclass(frozen=True)
class Marketplace:
    marketplace_id: str
    country: str
    name: str
    region: str
    seller_central: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.country})"


_EUROPE = "https://sellercentral-europe.amazon.com"

MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("ATVPDKIKX0DER", "US", "Amazon.com", "na", "https://sellercentral.amazon.com"),
    Marketplace("A2EUQ1WTGCTBG2", "CA", "Amazon.ca", "na", "https://sellercentral.amazon.ca"),
    Marketplace("A1AM78C64UM0Y8", "MX", "Amazon.com.mx", "na", "https://sellercentral.amazon.com.mx"),
    Marketplace("A2Q3Y263D00KWC", "BR", "Amazon.com.br", "na", "https://sellercentral.amazon.com.br"),
    Marketplace("A1F83G8C2ARO7P", "UK", "Amazon.co.uk", "eu", _EUROPE),
    Marketplace("A1PA6795UKMFR9", "DE", "Amazon.de", "eu", _EUROPE),
    Marketplace("A13V1IB3VIYZZH", "FR", "Amazon.fr", "eu", _EUROPE),
    Marketplace("APJ6JRA9NG5V4", "IT", "Amazon.it", "eu", _EUROPE),
    Marketplace("A1RKKUPIHCS9HS", "ES", "Amazon.es", "eu", _EUROPE),
    Marketplace("A28R8C7NBKEWEA", "IE", "Amazon.ie", "eu", "https://sellercentral.amazon.ie"),
    Marketplace("AMEN7PMS3EDWL", "BE", "Amazon.com.be", "eu", "https://sellercentral.amazon.com.be"),
    Marketplace("A1805IZSGTT6HS", "NL", "Amazon.nl", "eu", "https://sellercentral.amazon.nl"),
    Marketplace("A2NODRKZP88ZB9", "SE", "Amazon.se", "eu", "https://sellercentral.amazon.se"),
    Marketplace("A1C3SOZRARQ6R3", "PL", "Amazon.pl", "eu", "https://sellercentral.amazon.pl"),
    Marketplace("A33AVAJ2PDY3EV", "TR", "Amazon.com.tr", "eu", "https://sellercentral.amazon.com.tr"),
    Marketplace("AE08WJ6YKNBMC", "ZA", "Amazon.co.za", "eu", "https://sellercentral.amazon.co.za"),
    Marketplace("ARBP9OOSHTCHU", "EG", "Amazon.eg", "eu", "https://sellercentral.amazon.eg"),
    Marketplace("A17E79C6D8DWNP", "SA", "Amazon.sa", "eu", "https://sellercentral.amazon.sa"),
    Marketplace("A2VIGQ35RCS4UG", "AE", "Amazon.ae", "eu", "https://sellercentral.amazon.ae"),
    Marketplace("A21TJRUUN4KGV", "IN", "Amazon.in", "eu", "https://sellercentral.amazon.in"),
    Marketplace("A19VAU5U5O7RUS", "SG", "Amazon.sg", "fe", "https://sellercentral.amazon.sg"),
    Marketplace("A39IBJ37TRP1C6", "AU", "Amazon.com.au", "fe", "https://sellercentral.amazon.com.au"),
    Marketplace("A1VC38T7YXB528", "JP", "Amazon.co.jp", "fe", "https://sellercentral.amazon.co.jp"),
)

_BY_ID = {m.marketplace_id: m for m in MARKETPLACES}


def marketplace_get(marketplace_id: str) -> Marketplace | None:
    """The marketplace with this id, or None when Amazon has no such marketplace."""
    return _BY_ID.get(marketplace_id)


def marketplace_choices() -> list[tuple[str, str]]:
    """(id, label) pairs for a form, in the table's order (North America, Europe, Far East)."""
    return [(m.marketplace_id, m.label) for m in MARKETPLACES]
