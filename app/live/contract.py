"""The live contract: every topic a page can follow and every event a service (or a tab) announces on one.

Topics. One pattern per kind of topic (`_PATTERNS`): a builder fills it in and
`parse_topic` reads a name back with it (`app.services.topics.may_follow`
re-checks access from it before every push):

| topic                         | builder               | who follows it                              |
|-------------------------------|-----------------------|---------------------------------------------|
| `session:<id>`                | `session_topic`       | a session's page, desks, tutoring centre    |
| `followers:<id>`              | `followers_topic`     | those who see every learner's progress      |
| `chat:<id>`                   | `chat_topic`          | the session's open chat panels (presence)   |
| `chat-unread:<id>`            | `chat_unread_topic`   | home cards showing the room's unread count  |
| `attendance:<slot>`           | `slot_topic`          | everyone with the slot's page open          |
| `attendance:<slot>:board`     | `slot_board_topic`    | the slot's board viewers (trainers, staff)  |
| `attendance:<slot>:user:<id>` | `slot_person_topic`   | one person's own tabs on the slot's page    |
| `person:<id>`                 | `person_topic`        | one person's own home tabs (their progress) |

Events. One frozen dataclass per event type; `TYPE` (and `OP` when fixed) name it
on the wire. A service builds one and calls `app.live.bus.notify(db, topic,
event)`; the bus carries `event.wire()` (a small JSON-able dict: ids and what
changed, never private data), the shape a fan-out between workers would carry;
a subscribing page gets it back typed with `parse(wire)`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

Wire = dict[str, Any]

# --- Topics ------------------------------------------------------------------------------------

TopicKind = Literal["session", "followers", "chat", "chat-unread", "slot", "slot-board", "slot-person", "person"]

# One pattern per kind of topic: the builders below fill it, `parse_topic` reads it back.
_PATTERNS: dict[TopicKind, str] = {
    "session": "session:{id}",
    "followers": "followers:{id}",
    "chat": "chat:{id}",
    "chat-unread": "chat-unread:{id}",
    "slot": "attendance:{id}",
    "slot-board": "attendance:{id}:board",
    "slot-person": "attendance:{id}:user:{user_id}",
    "person": "person:{user_id}",
}
_ID, _USER_ID = "(?P<id>[0-9]{1,18})", "(?P<user_id>[0-9]{1,18})"
_READERS: dict[TopicKind, re.Pattern[str]] = {
    kind: re.compile(re.escape(pattern).replace(r"\{id\}", _ID).replace(r"\{user_id\}", _USER_ID))
    for kind, pattern in _PATTERNS.items()
}


@dataclass(frozen=True)
class Topic:
    """A topic name read back: its kind, the session or slot it is about, and the person for a personal topic."""

    kind: TopicKind
    id: int = 0
    user_id: int = 0

    @property
    def name(self) -> str:
        """The topic's name on the bus (what a builder returns)."""
        return _PATTERNS[self.kind].format(id=self.id, user_id=self.user_id)


def session_topic(session_id: int) -> str:
    """A training session's open pages (timeline, people, status, documents, hand-ins, polls)."""
    return Topic("session", session_id).name


def followers_topic(session_id: int) -> str:
    """Those who see every learner's progress in a session (`SessionRole.sees_everything`): each one's progress."""
    return Topic("followers", session_id).name


def chat_topic(session_id: int) -> str:
    """The session's open chat panels (messages, typing, presence)."""
    return Topic("chat", session_id).name


def chat_unread_topic(session_id: int) -> str:
    """Pages that show the room's unread count (home cards)."""
    return Topic("chat-unread", session_id).name


def slot_topic(slot_id: int) -> str:
    """Everyone with the slot's attendance page open (certification reaches them all)."""
    return Topic("slot", slot_id).name


def slot_board_topic(slot_id: int) -> str:
    """The slot's board viewers: its trainers, staff and tutors."""
    return Topic("slot-board", slot_id).name


def slot_person_topic(slot_id: int, user_id: int) -> str:
    """One person's own tabs on the slot's attendance page."""
    return Topic("slot-person", slot_id, user_id).name


def person_topic(user_id: int) -> str:
    """One person's own tabs on the pages that show their own progress (home)."""
    return Topic("person", user_id=user_id).name


def parse_topic(name: str) -> Topic | None:
    """Read a topic name back (the inverse of the builders above).

    Args:
        name: e.g. "session:12", "attendance:7:board", "person:3".

    Returns:
        The topic, or None for a name no builder makes.
    """
    for kind, reader in _READERS.items():
        if (found := reader.fullmatch(name)) is not None:
            return Topic(kind, **{key: int(number) for key, number in found.groupdict().items()})
    return None


# --- Events ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LiveEvent:
    """An event announced on a topic; subclasses are the event types."""

    TYPE: ClassVar[str] = ""
    OP: ClassVar[str] = ""  # the fixed `op` on the wire; "" when the event has no op or carries its own

    def wire(self) -> Wire:
        """The event as the bus carries it.

        Returns:
            {"type": TYPE, "op": OP (when fixed), **fields}.
        """
        out: Wire = {"type": self.TYPE}
        if self.OP:
            out["op"] = self.OP
        out.update((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))
        return out


# Session pages (topic `session:<id>`).


@dataclass(frozen=True, kw_only=True)
class ModuleMoved(LiveEvent):
    """A module changed place on the timeline."""

    TYPE: ClassVar[str] = "timeline"
    OP: ClassVar[str] = "module_moved"
    module_id: int | None


@dataclass(frozen=True, kw_only=True)
class TimelineChanged(LiveEvent):
    """The timeline changed: `op` is the action (add_module, configure, add_activity, ...)."""

    TYPE: ClassVar[str] = "timeline"
    op: str


@dataclass(frozen=True, kw_only=True)
class PeopleChanged(LiveEvent):
    """The session's trainers, learners or tutors changed."""

    TYPE: ClassVar[str] = "people"


@dataclass(frozen=True, kw_only=True)
class StatusChanged(LiveEvent):
    """The session moved to another status."""

    TYPE: ClassVar[str] = "status"
    status: str


@dataclass(frozen=True, kw_only=True)
class DocumentsChanged(LiveEvent):
    """A module's documents changed."""

    TYPE: ClassVar[str] = "documents"
    op: Literal["added", "renamed", "deleted"]
    module_id: int | None


@dataclass(frozen=True, kw_only=True)
class ProgressChanged(LiveEvent):
    """A learner's progress on an activity changed (to those who follow the learners, topic `followers:<id>`)."""

    TYPE: ClassVar[str] = "progress"
    activity_id: int | None
    user_id: int


@dataclass(frozen=True, kw_only=True)
class MyProgress(LiveEvent):
    """The person's own progress in a session changed (to their own tabs, topic `person:<id>`)."""

    TYPE: ClassVar[str] = "progress"
    OP: ClassVar[str] = "mine"
    session_id: int
    activity_id: int | None


@dataclass(frozen=True, kw_only=True)
class MissionHandedIn(LiveEvent):
    """A learner handed in a mission."""

    TYPE: ClassVar[str] = "progress"
    OP: ClassVar[str] = "handed_in"
    activity_id: int | None
    user_id: int


@dataclass(frozen=True, kw_only=True)
class PollAnswered(LiveEvent):
    """A learner answered a poll."""

    TYPE: ClassVar[str] = "poll"
    activity_id: int | None


@dataclass(frozen=True, kw_only=True)
class EvaluationAnswered(LiveEvent):
    """A learner submitted an evaluation's questionnaire (nobody named: a quality evaluation is anonymous)."""

    TYPE: ClassVar[str] = "evaluation"
    OP: ClassVar[str] = "answered"
    activity_id: int
    user_id: int | None = None  # who, for a graded evaluation's results page; never for a quality evaluation


@dataclass(frozen=True, kw_only=True)
class EvaluationStarted(LiveEvent):
    """A learner started an attempt at a graded evaluation (never announced for a quality evaluation)."""

    TYPE: ClassVar[str] = "evaluation"
    OP: ClassVar[str] = "started"
    activity_id: int
    user_id: int


# Chat (topics `chat:<id>` and `chat-unread:<id>`).


@dataclass(frozen=True, kw_only=True)
class ChatPosted(LiveEvent):
    """A message was posted (the room's panels show it as is)."""

    TYPE: ClassVar[str] = "chat"
    OP: ClassVar[str] = "posted"
    message: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class ChatChanged(LiveEvent):
    """A message was edited or removed."""

    TYPE: ClassVar[str] = "chat"
    OP: ClassVar[str] = "changed"
    message: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class ChatUnread(LiveEvent):
    """A message was posted: one more unread for everyone but its author (no content)."""

    TYPE: ClassVar[str] = "chat"
    OP: ClassVar[str] = "posted"
    session_id: int
    author_id: int


@dataclass(frozen=True, kw_only=True)
class ChatTyping(LiveEvent):
    """Someone is typing (not stored: published by their tab at once)."""

    TYPE: ClassVar[str] = "chat"
    OP: ClassVar[str] = "typing"
    user_id: int


@dataclass(frozen=True, kw_only=True)
class Presence(LiveEvent):
    """Who has a presence topic open (coalesced by `state/live.py`)."""

    TYPE: ClassVar[str] = "presence"
    OP: ClassVar[str] = "presence"
    online: list[int]


# Attendance (topics `attendance:<slot>`, `:board`, `:user:<id>`).


@dataclass(frozen=True, kw_only=True)
class Signed(LiveEvent):
    """Someone signed the slot's sheet (to its board)."""

    TYPE: ClassVar[str] = "attendance"
    OP: ClassVar[str] = "signed"
    slot_id: int
    user_id: int
    at: str
    device: bool


@dataclass(frozen=True, kw_only=True)
class MySignature(LiveEvent):
    """The person's own signature was recorded (to their own tabs)."""

    TYPE: ClassVar[str] = "attendance"
    OP: ClassVar[str] = "mine"
    kind: Literal["signature"] = "signature"
    slot_id: int


@dataclass(frozen=True, kw_only=True)
class MineChanged(LiveEvent):
    """Something about the person on the sheet changed: a mark or a correction (to their own tabs)."""

    TYPE: ClassVar[str] = "attendance"
    OP: ClassVar[str] = "mine"
    slot_id: int


@dataclass(frozen=True, kw_only=True)
class Certified(LiveEvent):
    """The sheet was certified (to everyone on the slot's page, and its board)."""

    TYPE: ClassVar[str] = "attendance"
    OP: ClassVar[str] = "certified"
    slot_id: int


@dataclass(frozen=True, kw_only=True)
class SheetChanged(LiveEvent):
    """The board changed: `op` is mark or correction."""

    TYPE: ClassVar[str] = "attendance"
    op: str
    slot_id: int


# What each kind of topic carries (a page's `live_events` is drawn from these).
SESSION_EVENTS: tuple[type[LiveEvent], ...] = (
    ModuleMoved,
    TimelineChanged,
    PeopleChanged,
    StatusChanged,
    DocumentsChanged,
    MissionHandedIn,
    PollAnswered,
)
# On `followers:<id>`: every learner's progress, for those who see it (a learner hears their own as `MyProgress`).
FOLLOWER_EVENTS: tuple[type[LiveEvent], ...] = (ProgressChanged,)
# Also on `followers:<id>`, apart: only an evaluation's results page hears it (not every follower's page).
EVALUATION_EVENTS: tuple[type[LiveEvent], ...] = (EvaluationAnswered, EvaluationStarted)
CHAT_EVENTS: tuple[type[LiveEvent], ...] = (ChatPosted, ChatChanged, ChatTyping, Presence)
CHAT_UNREAD_EVENTS: tuple[type[LiveEvent], ...] = (ChatUnread,)
SLOT_EVENTS: tuple[type[LiveEvent], ...] = (Signed, MySignature, MineChanged, Certified, SheetChanged)
PERSON_EVENTS: tuple[type[LiveEvent], ...] = (MyProgress,)

# Fixed-op types first: an event with its own `op` field never claims a fixed op's wire shape.
EVENTS: tuple[type[LiveEvent], ...] = (
    ModuleMoved,
    MyProgress,
    MissionHandedIn,
    EvaluationAnswered,
    EvaluationStarted,
    ChatPosted,
    ChatChanged,
    ChatUnread,
    ChatTyping,
    Presence,
    Signed,
    MySignature,
    MineChanged,
    Certified,
    TimelineChanged,
    PeopleChanged,
    StatusChanged,
    DocumentsChanged,
    ProgressChanged,
    PollAnswered,
    SheetChanged,
)


def _wire_keys(cls: type[LiveEvent]) -> frozenset[str]:
    return frozenset({"type", *(("op",) if cls.OP else ()), *(f.name for f in dataclasses.fields(cls))})


_SHAPES = tuple((cls, _wire_keys(cls)) for cls in EVENTS)


def parse(wire: Mapping[str, Any]) -> LiveEvent | None:
    """An event as carried by the bus, typed again (the exact shape of one event type).

    Args:
        wire: What `LiveEvent.wire()` made.

    Returns:
        The event, or None for a shape no event type has.
    """
    keys = frozenset(wire)
    for cls, shape in _SHAPES:
        if wire.get("type") == cls.TYPE and (not cls.OP or wire.get("op") == cls.OP) and keys == shape:
            try:
                return cls(**{f.name: wire[f.name] for f in dataclasses.fields(cls)})
            except TypeError:
                return None
    return None
