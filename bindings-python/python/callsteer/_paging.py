"""Pagers shaped like azure-core's ``ItemPaged`` / ``AsyncItemPaged``, so that code written for
the official SDK (``for p in conn.list_participants()``, ``async for p in ...``,
``.by_page(continuation_token)``) runs unchanged, without importing azure-core.

Each page is one request; the continuation token is the service's ``nextLink``, handed back to
the Rust core, which refuses one that points at another host before sending any credential.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, Callable, Generic, Optional, TypeVar

T = TypeVar("T")

_Page = tuple[list[Any], Optional[str]]


class PageIterator(Iterator[Iterator[T]], Generic[T]):
    """Iterates pages; ``continuation_token`` is where the next page starts (``None`` at the end)."""

    def __init__(
        self, get_page: Callable[[Optional[str]], _Page], continuation_token: Optional[str] = None
    ) -> None:
        self._get_page = get_page
        self.continuation_token = continuation_token
        self._done = False

    def __iter__(self) -> PageIterator[T]:
        return self

    def __next__(self) -> Iterator[T]:
        if self._done:
            raise StopIteration
        items, next_link = self._get_page(self.continuation_token)
        self.continuation_token = next_link
        self._done = not next_link
        return iter(items)


class ItemPaged(Iterator[T], Generic[T]):
    """Iterates items across pages; ``by_page()`` gives the pages themselves."""

    def __init__(self, get_page: Callable[[Optional[str]], _Page]) -> None:
        self._get_page = get_page
        self._items: Optional[Iterator[T]] = None

    def by_page(self, continuation_token: Optional[str] = None) -> PageIterator[T]:
        return PageIterator(self._get_page, continuation_token)

    def __iter__(self) -> ItemPaged[T]:
        return self

    def __next__(self) -> T:
        if self._items is None:
            self._items = itertools.chain.from_iterable(self.by_page())
        return next(self._items)

    def __repr__(self) -> str:
        return "<callsteer ItemPaged>"


class AsyncList(AsyncIterator[T], Generic[T]):
    """One page of an ``AsyncItemPaged``: its items, already fetched."""

    def __init__(self, items: list[T]) -> None:
        self._items = iter(items)

    def __aiter__(self) -> AsyncList[T]:
        return self

    async def __anext__(self) -> T:
        try:
            return next(self._items)
        except StopIteration:
            raise StopAsyncIteration from None


class AsyncPageIterator(AsyncIterator[AsyncIterator[T]], Generic[T]):
    """Iterates pages asynchronously; ``continuation_token`` as in :class:`PageIterator`."""

    def __init__(
        self,
        get_page: Callable[[Optional[str]], Awaitable[_Page]],
        continuation_token: Optional[str] = None,
    ) -> None:
        self._get_page = get_page
        self.continuation_token = continuation_token
        self._done = False

    def __aiter__(self) -> AsyncPageIterator[T]:
        return self

    async def __anext__(self) -> AsyncIterator[T]:
        if self._done:
            raise StopAsyncIteration
        items, next_link = await self._get_page(self.continuation_token)
        self.continuation_token = next_link
        self._done = not next_link
        return AsyncList(items)


class AsyncItemPaged(AsyncIterator[T], Generic[T]):
    """Iterates items across pages with ``async for``; ``by_page()`` gives the pages."""

    def __init__(self, get_page: Callable[[Optional[str]], Awaitable[_Page]]) -> None:
        self._get_page = get_page
        self._pages: Optional[AsyncPageIterator[T]] = None
        self._page: Optional[AsyncIterator[T]] = None

    def by_page(self, continuation_token: Optional[str] = None) -> AsyncPageIterator[T]:
        return AsyncPageIterator(self._get_page, continuation_token)

    def __aiter__(self) -> AsyncItemPaged[T]:
        return self

    async def __anext__(self) -> T:
        while True:
            if self._page is None:
                if self._pages is None:
                    self._pages = self.by_page()
                self._page = await self._pages.__anext__()
            try:
                return await self._page.__anext__()
            except StopAsyncIteration:
                self._page = None

    def __repr__(self) -> str:
        return "<callsteer AsyncItemPaged>"


__all__ = ["AsyncItemPaged", "AsyncList", "AsyncPageIterator", "ItemPaged", "PageIterator"]
