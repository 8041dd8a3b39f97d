"""The live contract: topics read back, events typed on both ends, published only once their write commits."""

import ast
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.live import bus, contract
from app.live.contract import Certified, PeopleChanged, Topic
from app.models import Organisation
from app.services.db import get_engine, session_scope

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def received() -> Any:
    events: list[tuple[str, dict[str, Any]]] = []

    def dispatcher(topic: str, event: dict[str, Any]) -> None:
        events.append((topic, event))

    bus.install(dispatcher)
    yield events
    bus.uninstall(dispatcher)


def test_a_rolled_back_write_publishes_nothing_and_a_committed_one_publishes_once(db: Session, received: Any) -> None:
    del db  # the fixture points session_scope at a fresh database
    with pytest.raises(RuntimeError), session_scope() as tx:
        tx.add(Organisation(name="A", slug="a"))
        tx.flush()
        bus.notify(tx, contract.session_topic(1), PeopleChanged())
        raise RuntimeError  # the write rolls back: so does its announcement
    assert received == []
    with session_scope() as tx:
        tx.add(Organisation(name="B", slug="b"))
        tx.flush()
        bus.notify(tx, contract.session_topic(1), PeopleChanged())
        assert received == []  # not before the commit
    assert received == [("session:1", {"type": "people"})]
    with session_scope() as tx:
        tx.add(Organisation(name="C", slug="c"))  # a later commit of the same kind does not repeat it
    assert received == [("session:1", {"type": "people"})]


def test_a_retried_write_is_announced_once_and_an_abandoned_one_never(db: Session, received: Any) -> None:
    db.add(Organisation(name="A", slug="a"))
    db.commit()
    # First try: a conflicting write fails at flush and rolls back; the retry commits.
    for slug in ("a", "b"):
        db.add(Organisation(name="Again", slug=slug))
        bus.notify(db, contract.slot_topic(7), Certified(slot_id=7))
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            continue
        break
    assert received == [("attendance:7", {"type": "attendance", "op": "certified", "slot_id": 7})]
    # A session closed without commit drops what it queued, even if it is used again afterwards.
    with Session(get_engine()) as other:
        other.add(Organisation(name="D", slug="d"))
        other.flush()
        bus.notify(other, contract.slot_topic(8), Certified(slot_id=8))
        other.close()
        other.add(Organisation(name="E", slug="e"))
        other.commit()
    assert len(received) == 1


def _example(cls: type[contract.LiveEvent]) -> contract.LiveEvent:
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.default is not dataclasses.MISSING:
            continue
        values[field.name] = {"op": "added", "message": {"id": 1}, "online": [1, 2], "at": "09:05"}.get(
            field.name, 3 if field.name != "device" else False
        )
    return cls(**values)


@pytest.mark.parametrize("cls", contract.EVENTS, ids=lambda c: c.__name__)
def test_every_event_type_reads_back_as_itself(cls: type[contract.LiveEvent]) -> None:
    event = _example(cls)
    wire = event.wire()
    assert wire["type"] == cls.TYPE
    assert contract.parse(wire) == event


def test_wire_shapes_are_those_pages_already_read() -> None:
    assert contract.MySignature(slot_id=4).wire() == {
        "type": "attendance",
        "op": "mine",
        "kind": "signature",
        "slot_id": 4,
    }
    assert contract.ChatUnread(session_id=2, author_id=5).wire() == {
        "type": "chat",
        "op": "posted",
        "session_id": 2,
        "author_id": 5,
    }
    assert contract.parse({"type": "chat", "op": "posted"}) is None  # no event type has this shape
    assert contract.parse({"type": "nope"}) is None


def test_topics_read_back_as_built() -> None:
    assert contract.parse_topic(contract.session_topic(12)) == Topic("session", 12)
    assert contract.parse_topic(contract.followers_topic(12)) == Topic("followers", 12)
    assert contract.parse_topic(contract.chat_topic(12)) == Topic("chat", 12)
    assert contract.parse_topic(contract.chat_unread_topic(12)) == Topic("chat-unread", 12)
    assert contract.parse_topic(contract.slot_topic(7)) == Topic("slot", 7)
    assert contract.parse_topic(contract.slot_board_topic(7)) == Topic("slot-board", 7)
    assert contract.parse_topic(contract.slot_person_topic(7, 3)) == Topic("slot-person", 7, 3)
    assert contract.parse_topic(contract.person_topic(3)) == Topic("person", user_id=3)
    forged_names = ("session:abc", "session:", "unknown:1", "attendance:7:user:x", "attendance:7:x", "attendance:")
    for forged in (*forged_names, "session:²", "session:-1", "person:", "person:3:x", "session:" + "9" * 19):
        assert contract.parse_topic(forged) is None


def test_services_announce_only_contract_events() -> None:
    names = {cls.__name__ for cls in contract.EVENTS}
    for path in sorted((ROOT / "app" / "services").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "notify":
                if len(node.args) != 3:
                    continue  # another `notify` (e-mails) with other arguments
                event = node.args[2]
                assert isinstance(event, ast.Call), f"{path.name}:{node.lineno}"
                assert getattr(event.func, "id", getattr(event.func, "attr", "")) in names, f"{path.name}:{node.lineno}"


def test_a_savepoint_rolled_back_drops_only_what_it_announced(db: Session, received: Any) -> None:
    db.add(Organisation(name="A", slug="a"))
    db.flush()
    bus.notify(db, contract.session_topic(1), PeopleChanged())
    with pytest.raises(RuntimeError), db.begin_nested():
        db.add(Organisation(name="B", slug="b"))
        db.flush()
        bus.notify(db, contract.session_topic(2), PeopleChanged())
        raise RuntimeError
    with db.begin_nested():
        db.add(Organisation(name="C", slug="c"))
        db.flush()
        bus.notify(db, contract.session_topic(3), PeopleChanged())
    db.commit()
    assert [topic for topic, _ in received] == ["session:1", "session:3"]
