"""Learners ticked across the pages of a list: the mixin the tutoring centre and `Suivi des participants` share.

A list may hold 10,000 learners: the selection stays on the server, as the keys
of its rows (`_page_keys()`); the page gets a count and the ticks of its own
rows. Each list keeps its `toggle` handler (it cleans its own key) and says how
to read every key its filters show (`_every_key()`); a bulk action reads the
selection again from the database, never ids a browser sends.
"""

from __future__ import annotations

import reflex as rx

from state.guard import SIGNED_IN, policy


class PageSelection(rx.State, mixin=True):
    """The selection of a paged list: `Tout sélectionner`, a page's box, one row's box, `Effacer la sélection`."""

    selected_count: rx.Field[int] = rx.field(0)
    page_checked: rx.Field[list[str]] = rx.field(default_factory=list)
    page_selected: rx.Field[bool] = rx.field(False)
    notice: rx.Field[str] = rx.field("")
    _selected: set[str] = set()

    def _page_keys(self) -> list[str]:
        """The keys of the page's rows, in order."""
        raise NotImplementedError

    async def _every_key(self) -> set[str] | None:
        """The keys of every row of the list (on every page), or None when the list may not be read."""
        raise NotImplementedError

    def _sync_selection(self) -> None:
        """What the page shows of the selection: how many, and which of its rows."""
        keys = self._page_keys()
        self.selected_count = len(self._selected)
        self.page_checked = [key for key in keys if key in self._selected]
        self.page_selected = bool(keys) and len(self.page_checked) == len(keys)

    def _toggle(self, key: str) -> None:
        """Select or unselect one row of the page (a key the page does not show changes nothing)."""
        if key and key in self._page_keys():
            self._selected ^= {key}
            self.notice = ""
            self._sync_selection()

    @rx.event
    @policy(SIGNED_IN)
    def toggle_page(self) -> None:
        """Select every learner of the page (or unselect them when all are)."""
        keys = set(self._page_keys())
        if keys and keys <= self._selected:
            self._selected -= keys
        else:
            self._selected |= keys
        self.notice = ""
        self._sync_selection()

    @rx.event
    @policy(SIGNED_IN)
    async def select_all_pages(self) -> None:
        """Select every learner of the list (those its filter and search show), on every page."""
        keys = await self._every_key()
        if keys is not None:
            self._selected, self.notice = keys, ""
            self._sync_selection()

    @rx.event
    @policy(SIGNED_IN)
    def clear_selection(self) -> None:
        """Unselect everyone."""
        self._selected, self.notice = set(), ""
        self._sync_selection()
