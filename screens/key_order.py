"""Keys in the order they were typed, however they arrive.

Over SSH a stalled link delivers keys in a burst: a name, Tab, a date, Tab, "4" can come in one
read. Textual hands each key to the widget that has focus by posting it to that widget's queue
and goes straight on to the next key; a Tab only moves the focus once it has travelled up to the
App's key bindings, by which time the keys after it have already gone to the old field (the date
typed into the name box). ``KeysInOrder`` holds each key until the one before it has been dealt
with all the way (by the field, by the containers it bubbled through, and by a binding such as
Tab or Enter), so every key goes to the field that has focus after the keys before it.

A key typed alone is not delayed: it is forwarded at once, and only a key that arrives while
another is still being handled waits, for as long as that one takes (usually well under a
millisecond; at most ``STEP_TIMEOUT`` per widget if a handler waits on a dialog).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

#: How long to wait for one widget to finish with a key before moving on regardless.
STEP_TIMEOUT = 1.0
#: Rounds of waiting for what a key set off (a message, a new screen) before the next key goes.
MAX_ROUNDS = 5


async def _drained(node: MessagePump) -> None:
    """Once ``node`` has handled every message queued for it so far."""
    finished = asyncio.get_running_loop().create_future()

    def done() -> None:
        if not finished.done():
            finished.set_result(None)

    if not node.is_running or not node.call_later(done):
        return
    try:
        await asyncio.wait_for(finished, STEP_TIMEOUT)
    except asyncio.TimeoutError:
        pass  # a handler waits on something (a dialog): go on rather than hold keys for ever


class KeysInOrder:
    """Mixed into an App before ``App``: raw keys are handed on one at a time, each after the
    previous one has been handled by every widget it reached."""

    _held_keys: deque[events.Key] | None = None
    _key_in_flight: events.Key | None = None
    _settling: asyncio.Task | None = None

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)  # type: ignore[misc]
            return
        if self._held_keys is None:
            self._held_keys = deque()
        if self._key_in_flight is not None:
            self._held_keys.append(event)  # the key before it is still on its way
            return
        await self._hand_on(event)

    async def _hand_on(self, event: events.Key) -> None:
        self._key_in_flight = event
        target = self.focused or self.screen  # type: ignore[attr-defined]
        await super().on_event(event)  # type: ignore[misc]  # a priority binding runs here, or the key is forwarded
        chain = self._chain_from(target) if event.is_forwarded else []
        self._settling = asyncio.create_task(self._settle(event, chain))  # kept: a task nobody holds may be collected

    def _chain_from(self, node: MessagePump | None) -> list[MessagePump]:
        """``node`` and its parents up to the screen: the widgets a key bubbles through."""
        chain: list[MessagePump] = []
        while node is not None and node is not self:
            chain.append(node)
            node = node._parent
        return chain

    async def _settle(self, event: events.Key, chain: list[MessagePump]) -> None:
        """Wait for each widget from the focused one up to the screen, then the App, to finish its
        queue, in turn (a key stopped nowhere bubbles on, so the parent's turn comes after the
        child's, and the App runs the key bindings last). What that posts (Ctrl+N's "new intake"
        from the records list, a new screen mounting) is waited for in another round, until the
        queues are empty; then the next key may go."""
        for _ in range(MAX_ROUNDS):
            for node in [*chain, self]:
                await _drained(node)
            await self._screen_work_done()
            chain = self._chain_from(self.focused or self.screen)  # type: ignore[attr-defined]
            if all(node._message_queue.empty() for node in [*chain, self]):
                break
        self.call_later(self._key_done, event)  # type: ignore[attr-defined]

    async def _screen_work_done(self) -> None:
        """A key may start work on the screen (Next builds and focuses the next page in an async
        worker): the keys after it belong to what that work shows, so they wait for it."""
        screen = self.screen  # type: ignore[attr-defined]
        for worker in list(self.workers):  # type: ignore[attr-defined]
            if worker._thread_worker or worker.is_finished:
                continue
            node = worker.node
            if node is screen or screen in getattr(node, "ancestors", ()):
                try:
                    await asyncio.wait_for(asyncio.shield(worker.wait()), STEP_TIMEOUT)
                except Exception:
                    pass  # failed or slow: its own handler says so; the keys go on

    async def _key_done(self, event: events.Key) -> None:
        if self._key_in_flight is not event:
            return
        self._key_in_flight = None
        if self._held_keys:
            await self._hand_on(self._held_keys.popleft())
