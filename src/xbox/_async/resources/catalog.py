"""catalog: the Microsoft Store's catalog, which is sent no Xbox Live token."""

from __future__ import annotations

from collections.abc import Sequence

from ..._api import catalog
from ...exceptions import MalformedResponse
from ...models.catalog import Product, SearchProduct
from ._base import AsyncResource

__all__ = ["AsyncCatalog"]


class AsyncCatalog(AsyncResource):
    """``xbl.catalog``: store products, look-ups and search, in the client's language."""

    async def products(self, big_ids: Sequence[str], *, template: str = "details",
                       errors: list[MalformedResponse] | None = None) -> list[Product]:
        """Products by store id (``"9WZDNCRFJ3TJ"``), 20 per request; ``template`` is
        ``"details"`` (everything) or ``"browse"`` (the short form)."""
        batch = catalog.products(big_ids, template, self._client.language)
        return await self._batch(batch, errors)

    async def lookup(self, value: str, *, id_type: str = "PackageFamilyName",
                     template: str = "details", limit: int = 25) -> list[Product]:
        """Products by another id: ``id_type`` is ``PackageFamilyName``, ``XboxTitleId``,
        ``LegacyXboxProductId`` or ``LegacyWindowsStoreProductId``."""
        request = catalog.lookup(value, id_type, template, limit, self._client.language)
        return await self._fetch(request)

    async def search(self, query: str, *, limit: int = 5,
                     platform: str = "windows.xbox") -> list[SearchProduct]:
        """Games and apps matching ``query`` (at most ``limit``), for ``platform``
        (``"windows.xbox"`` or ``"windows.desktop"``)."""
        return await self._fetch(catalog.search(query, limit, platform, self._client.language))
