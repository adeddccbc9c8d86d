"""displaycatalog.mp.microsoft.com: store products and search results (PascalCase keys).

A product is a deep tree (localized and market properties, SKUs, availabilities); the
parts scripts use are typed here, everything else stays in ``.raw`` and as extra fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from .base import PASCAL_CASE, WireDateTime, WireModel, XboxModel

__all__ = ["Product", "ProductAlternateId", "ProductLocalizedProperties", "ProductMarketProperties",
           "ProductProperties", "SearchProduct", "StoreImage"]


class _Pascal(WireModel):
    model_config = PASCAL_CASE


class StoreImage(_Pascal):
    uri: str | None = None
    image_purpose: str | None = None
    width: int | None = None
    height: int | None = None
    file_size_in_bytes: int | None = None
    background_color: str | None = None
    caption: str | None = None


class ProductLocalizedProperties(_Pascal):
    product_title: str | None = None
    short_title: str | None = None
    publisher_name: str | None = None
    developer_name: str | None = None
    short_description: str | None = None
    product_description: str | None = None
    images: list[StoreImage] = Field(default_factory=list)
    language: str | None = None
    markets: list[str] = Field(default_factory=list)


class ProductMarketProperties(_Pascal):
    original_release_date: WireDateTime | None = None
    minimum_user_age: int | None = None
    markets: list[str] = Field(default_factory=list)


class ProductProperties(_Pascal):
    package_family_name: str | None = None
    category: str | None = None
    categories: list[str] | None = None
    publisher_id: str | None = None
    xbox_live_tier: str | None = None
    xbox_live_gold_required: bool | None = None


class ProductAlternateId(_Pascal):
    id_type: str | None = None
    value: str | None = None


class Product(XboxModel):
    """A store product (a game, an app). ``product_id`` (the "big id", ``9WZDNCRFJ3TJ``) is
    its identity; ``title``, ``publisher``, ``price`` and friends read the first localized,
    market and availability entries, the ones the store answers for your language."""

    model_config = PASCAL_CASE
    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("product_id", "product_id"), ("title", "title"))

    product_id: str
    product_family: str | None = None
    product_kind: str | None = None
    product_type: str | None = None
    localized_properties: list[ProductLocalizedProperties] = Field(default_factory=list)
    market_properties: list[ProductMarketProperties] = Field(default_factory=list)
    properties: ProductProperties | None = None
    alternate_ids: list[ProductAlternateId] = Field(default_factory=list)
    display_sku_availabilities: list[Any] = Field(default_factory=list)

    def _localized(self) -> ProductLocalizedProperties | None:
        return self.localized_properties[0] if self.localized_properties else None

    @property
    def title(self) -> str | None:
        found = self._localized()
        return found.product_title if found else None

    @property
    def publisher(self) -> str | None:
        found = self._localized()
        return found.publisher_name if found else None

    @property
    def developer(self) -> str | None:
        found = self._localized()
        return found.developer_name if found else None

    @property
    def description(self) -> str | None:
        """The short description, else the long one."""
        found = self._localized()
        return (found.short_description or found.product_description or None) if found else None

    @property
    def pfn(self) -> str | None:
        """The package family name (apps and modern games have one)."""
        return self.properties.package_family_name if self.properties else None

    @property
    def released(self) -> datetime | None:
        market = self.market_properties[0] if self.market_properties else None
        return market.original_release_date if market else None

    def alternate_id(self, id_type: str) -> str | None:
        """The product's id of another kind (``XboxTitleId``, ``LegacyXboxProductId``...)."""
        wanted = id_type.lower()
        return next((a.value for a in self.alternate_ids
                     if a.id_type and a.id_type.lower() == wanted), None)

    def _price(self) -> dict[str, Any]:
        for sku in self.display_sku_availabilities:
            for availability in (sku.get("Availabilities") or []) if isinstance(sku, dict) else []:
                data = availability.get("OrderManagementData") if isinstance(availability, dict) \
                    else None
                price = data.get("Price") if isinstance(data, dict) else None
                if isinstance(price, dict):
                    return price
        return {}

    @property
    def price(self) -> float | None:
        """The list price of the first offer (0.0: free), in :attr:`currency`."""
        value = self._price().get("ListPrice")
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
            else None

    @property
    def currency(self) -> str | None:
        value = self._price().get("CurrencyCode")
        return value if isinstance(value, str) and value else None


class SearchProduct(XboxModel):
    """One product found by a store search: id, title, type (``Game``, ``Durable`` for an
    add-on, ``Application``) and an icon."""

    model_config = PASCAL_CASE
    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("product_id", "product_id"), ("title", "title"))

    product_id: str
    title: str | None = None
    type: str | None = None
    icon: str | None = None
    image_type: str | None = None
    width: int | None = None
    height: int | None = None
    background_color: str | None = None
    platform_properties: list[Any] = Field(default_factory=list)
