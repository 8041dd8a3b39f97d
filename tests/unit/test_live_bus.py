from sqlmodel import Session

from app.live import bus
from app.models import Organisation


def test_events_are_delivered_after_commit_only(db: Session) -> None:
    received: list[tuple[str, dict]] = []

    def dispatcher(topic: str, event: dict) -> None:
        received.append((topic, event))

    bus.install(dispatcher)
    try:
        db.add(Organisation(name="A", slug="a"))
        bus.notify(db, "session:1", {"op": "moved"})
        assert received == []
        db.commit()
        assert received == [("session:1", {"op": "moved"})]
        db.add(Organisation(name="B", slug="b"))
        bus.notify(db, "session:1", {"op": "lost"})
        db.rollback()
        db.commit()
        assert received == [("session:1", {"op": "moved"})]
    finally:
        bus.uninstall(dispatcher)
