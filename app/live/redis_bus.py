"""Live changes across workers: a Redis stream every worker reads, and the subscriptions kept in Redis.

With several backend workers a tab's socket may be on any of them, and may move
to another when it reconnects. So, when `REDIS_URL` is set:

- A committed event (and a non-stored one: typing, presence) is appended to one
  Redis stream (`XADD`, trimmed to its last few thousand entries). Every worker
  reads the stream from where it last stopped (`XREAD`), so each one hears each
  event once, in commit order, and a reader that lost its connection for a moment
  resumes without a gap. (A stream rather than PUBLISH: a message published while
  a subscriber reconnects is lost for it.)
- Which tabs follow which topic (with which states, and who is in the tab for
  presence) is kept in Redis: one hash per topic (token → the user and the state names, tab-separated)
  and one set per tab (its topics), changed by Lua scripts so that "replace the
  tab's topics" is one atomic round trip. Any worker can then find the tabs of a
  topic (one `HGETALL`) and deliver to those whose socket it holds.

Writes never wait on Redis: the bus's `after_commit` hook runs in whichever thread
committed (often a database worker thread), and a tab follows topics from inside
an event handler on the event loop. Both only append to a queue that one writer
thread sends in order, in pipelines; while Redis is down the writer keeps the queue
(bounded: the oldest are dropped past `BACKLOG`, with a warning) and retries, so an
event committed during a Redis restart is delivered once Redis is back. The reader
calls `resumed` after an outage before it reads on, so the worker can write back
what its tabs followed (a restarted Redis comes back empty) before the events
queued meanwhile are delivered.

No Reflex here: `state/live.py` decides which tabs are this worker's.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import logging
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.live.contract import Wire

log = logging.getLogger("plume.live.redis")

PREFIX = "plume:live:"
STREAM_LENGTH = 10_000  # entries kept (approximately): far more than a reader lags behind
BACKLOG = 50_000  # writes kept while Redis is down
RETRY_S = 0.2  # between attempts while Redis is down
BATCH = 500  # writes sent in one pipeline
READ_BLOCK_MS = 1_000
SEEN = 4_096  # event ids remembered (a pipeline resent after a lost reply may append an event twice)

# Follow: KEYS none (standalone Redis); ARGV prefix, token, replace, state, user, presence, topics...
# Returns the presence topics the tab left (when replacing).
_FOLLOW = """
local prefix, token, replace, state, user, presence = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local tab, present = prefix .. 'tab:' .. token, prefix .. 'presence'
local left = {}
if replace == '1' then
  for _, topic in ipairs(redis.call('SMEMBERS', tab)) do
    redis.call('HDEL', prefix .. 'topic:' .. topic, token)
    if redis.call('SISMEMBER', present, topic) == 1 then table.insert(left, topic) end
  end
  redis.call('DEL', tab)
end
for i = 7, #ARGV do
  local topic = ARGV[i]
  local key = prefix .. 'topic:' .. topic
  local value = redis.call('HGET', key, token)
  if value then
    local cut = string.find(value, '\\t', 1, true)
    local who, states = string.sub(value, 1, cut - 1), string.sub(value, cut)
    if not string.find(states .. '\\t', '\\t' .. state .. '\\t', 1, true) then states = states .. '\\t' .. state end
    if user ~= '0' then who = user end
    value = who .. states
  else
    value = user .. '\\t' .. state
  end
  redis.call('HSET', key, token, value)
  redis.call('SADD', tab, topic)
  if presence == '1' then redis.call('SADD', present, topic) end
end
return left
"""

# Forget a tab (ARGV prefix, token), or one of its topics (ARGV prefix, token, topic).
# Returns the presence topics it left.
_FORGET = """
local prefix, token = ARGV[1], ARGV[2]
local tab, present = prefix .. 'tab:' .. token, prefix .. 'presence'
local topics = ARGV[3] and {ARGV[3]} or redis.call('SMEMBERS', tab)
local left = {}
for _, topic in ipairs(topics) do
  redis.call('HDEL', prefix .. 'topic:' .. topic, token)
  redis.call('SREM', tab, topic)
  if redis.call('SISMEMBER', present, topic) == 1 then table.insert(left, topic) end
end
return left
"""


@dataclass(frozen=True)
class Follower:
    """A tab following a topic, as read from Redis."""

    states: tuple[str, ...]  # the following states' full names
    user_id: int  # who is in the tab (0: not said)


@dataclass(frozen=True)
class Follow:
    """One tab following topics with one state (what `follow` writes, and `restore` writes back)."""

    token: str
    topics: tuple[str, ...]
    state: str
    user_id: int = 0
    presence: bool = False


def _decode(raw: bytes) -> Follower:
    who, *states = raw.decode().split("\t")
    return Follower(tuple(states), int(who or 0))


def _client_options() -> dict[str, Any]:
    # Fail fast and let our own loops retry: redis-py's default retries back off for seconds.
    return {"socket_connect_timeout": 1.0, "socket_timeout": 5.0, "health_check_interval": 10}


class RedisSubscriptions:
    """The Redis side of live updates for one worker process: its writer thread and its stream reader."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = PREFIX,
        on_presence_left: Callable[[str], None] | None = None,
    ) -> None:
        """Connect lazily to Redis (nothing is sent before `start` / `listen`).

        Args:
            url: The `redis://` URL.
            prefix: Start of every key (tests use their own).
            on_presence_left: Called from the writer thread with each presence topic a tab left.
        """
        self.prefix = prefix
        self.stream = prefix + "events"
        self._on_presence_left = on_presence_left
        self._sync = redis.Redis.from_url(url, retry=Retry(NoBackoff(), 0), **_client_options())
        self._async = aioredis.Redis.from_url(url, retry=AsyncRetry(NoBackoff(), 0), **_client_options())
        self._follow = self._sync.register_script(_FOLLOW)
        self._forget = self._sync.register_script(_FORGET)
        self._follow_now = self._async.register_script(_FOLLOW)
        self._queue: collections.deque[tuple[str, tuple[Any, ...]]] = collections.deque()
        self._ready = threading.Condition()
        self._closing = False
        self._thread: threading.Thread | None = None
        self._ids = itertools.count()
        self._origin = uuid.uuid4().hex[:12]
        self._seen: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._dropped = 0
        self._busy = False  # the writer holds a batch it has not sent yet

    # --- Writes (any thread; never blocks on Redis) --------------------------------------------

    def start(self) -> None:
        """Start the writer thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._write_loop, name="plume-live-redis", daemon=True)
            self._thread.start()

    def dispatch(self, topic: str, event: Wire) -> None:
        """Send an event to every worker (a `app.live.bus` dispatcher: called after commit, from any thread).

        Args:
            topic: The topic.
            event: Its wire form.
        """
        self._put("event", (topic, json.dumps(event, separators=(",", ":")), f"{self._origin}:{next(self._ids)}"))

    def follow(self, follow: Follow, *, replace: bool = False) -> None:
        """Record that a tab follows topics with one of its states.

        Args:
            follow: The tab, its topics and state.
            replace: Drop the tab's other topics first (the page it left).
        """
        self._put("follow", (*self._follow_args(follow, replace=replace),))

    def forget(self, token: str) -> None:
        """Forget a tab (it left, or is connected nowhere).

        Args:
            token: The tab's client token.
        """
        self._put("forget", (self.prefix, token))

    def leave(self, token: str, topic: str) -> None:
        """Stop one topic for a tab.

        Args:
            token: The tab's client token.
            topic: The topic.
        """
        self._put("forget", (self.prefix, token, topic))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every write queued so far has been sent (tests, shutdown).

        Args:
            timeout: Seconds at most.

        Returns:
            True when the queue was emptied in time.
        """
        deadline = time.monotonic() + timeout
        with self._ready:
            while (self._queue or self._busy) and time.monotonic() < deadline:
                self._ready.wait(0.05)
            return not (self._queue or self._busy)

    def close(self) -> None:
        """Stop the writer thread (after sending what it can within a few seconds)."""
        self.flush()
        with self._ready:
            self._closing = True
            self._ready.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._sync.close()

    def _follow_args(self, follow: Follow, *, replace: bool) -> list[str]:
        flags = ("1" if replace else "0", follow.state, str(follow.user_id or 0), "1" if follow.presence else "0")
        return [self.prefix, follow.token, *flags, *follow.topics]

    def _put(self, kind: str, args: tuple[Any, ...]) -> None:
        with self._ready:
            self._queue.append((kind, args))
            if len(self._queue) > BACKLOG:
                self._queue.popleft()
                self._dropped += 1
                if self._dropped == 1 or self._dropped % 1000 == 0:
                    log.warning("Redis unreachable: %d live writes dropped (oldest first)", self._dropped)
            self._ready.notify()

    def _take(self) -> list[tuple[str, tuple[Any, ...]]] | None:
        with self._ready:
            while not self._queue and not self._closing:
                self._ready.wait()
            if not self._queue:
                return None
            self._busy = True
            return [self._queue.popleft() for _ in range(min(BATCH, len(self._queue)))]

    def _write_loop(self) -> None:
        down = False
        while (batch := self._take()) is not None:
            while True:
                try:
                    self._send(batch)
                except redis.RedisError as exc:
                    if not down:
                        log.warning("Redis unreachable for live updates (%s): keeping them until it is back", exc)
                        down = True
                    with self._ready:
                        if self._closing:
                            self._busy = False
                            return
                    time.sleep(RETRY_S)
                    continue
                if down:
                    log.warning("Redis reachable again: live updates resume")
                    down = False
                break
            with self._ready:
                self._busy = False
                self._ready.notify_all()

    def _send(self, batch: Sequence[tuple[str, tuple[Any, ...]]]) -> None:
        pipe = self._sync.pipeline(transaction=False)
        for kind, args in batch:
            if kind == "event":
                topic, event, event_id = args
                pipe.xadd(self.stream, {"t": topic, "e": event, "i": event_id}, maxlen=STREAM_LENGTH, approximate=True)
            elif kind == "follow":
                self._follow(args=list(args), client=pipe)
            else:
                self._forget(args=list(args), client=pipe)
        results = pipe.execute()
        if self._on_presence_left is None:
            return
        for (kind, _), result in zip(batch, results, strict=True):
            if kind != "event":
                for topic in result:
                    self._on_presence_left(topic.decode() if isinstance(topic, bytes) else str(topic))

    # --- Reads (the worker's event loop) -------------------------------------------------------

    async def tabs(self, topic: str) -> dict[str, Follower]:
        """The tabs following a topic, on every worker (one round trip).

        Args:
            topic: The topic.

        Returns:
            Token → its states and user.
        """
        # (redis-py types its commands for both clients at once: this one's are awaitable.)
        raw = await cast("Awaitable[dict[bytes, bytes]]", self._async.hgetall(self.prefix + "topic:" + topic))
        return {token.decode(): _decode(value) for token, value in raw.items()}

    async def present(self, topic: str) -> list[int]:
        """Who has a presence topic open, on any worker (connection not checked).

        Args:
            topic: The topic.

        Returns:
            User ids, sorted.
        """
        return sorted({f.user_id for f in (await self.tabs(topic)).values() if f.user_id})

    async def records(self, keys: Sequence[str]) -> list[bytes | None]:
        """Several keys' values at once (the connection records of tabs, to tell which are gone).

        Args:
            keys: The keys.

        Returns:
            Their values, None where absent.
        """
        if not keys:
            return []
        return list(await self._async.mget(keys))

    async def restore(self, follows: Iterable[Follow]) -> None:
        """Write subscriptions back at once (after Redis came back empty), before reading on.

        Args:
            follows: What this worker's tabs follow.
        """
        pipe = self._async.pipeline(transaction=False)
        count = 0
        for follow in follows:
            await self._follow_now(args=self._follow_args(follow, replace=False), client=pipe)
            count += 1
        if count:
            await pipe.execute()

    async def listen(
        self, deliver: Callable[[str, Wire], None], resumed: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """Read every event from now on, for ever (the worker's subscriber task; cancel to stop).

        Redis being down is logged once and retried every `RETRY_S`; when it answers
        again `resumed` runs before the events queued meanwhile are read.

        Args:
            deliver: Called on the event loop with each event's topic and wire form, in order.
            resumed: Awaited after an outage (write back what this worker's tabs follow).
        """
        last: str | None = None
        down = False
        while True:
            try:
                if last is None:
                    seconds, micros = await self._async.time()
                    last = f"{seconds * 1000 + micros // 1000}-0"  # from now: earlier events found no tab here
                if down:
                    await cast("Awaitable[bool]", self._async.ping())
                    log.warning("Redis reachable again: reading live updates")
                    if resumed is not None:
                        await resumed()
                    down = False
                reply = await self._async.xread({self.stream: last}, count=BATCH, block=READ_BLOCK_MS)
            except (redis.RedisError, OSError) as exc:
                if not down:
                    log.warning("Redis unreachable for live updates (%s): retrying", exc)
                    down = True
                await asyncio.sleep(RETRY_S)
                continue
            for _stream, entries in reply or ():
                for entry_id, fields in entries:
                    last = entry_id.decode()
                    self._hear(fields, deliver)

    def _hear(self, fields: dict[bytes, bytes], deliver: Callable[[str, Wire], None]) -> None:
        event_id = fields.get(b"i", b"").decode()
        if event_id in self._seen:
            return
        self._seen[event_id] = None
        if len(self._seen) > SEEN:
            self._seen.popitem(last=False)
        try:
            topic, event = fields[b"t"].decode(), json.loads(fields[b"e"])
        except (KeyError, ValueError):
            log.warning("malformed live event in Redis: %r", fields)
            return
        deliver(topic, event)

    async def aclose(self) -> None:
        """Close the reader's connections (the writer: `close`)."""
        await self._async.aclose()
