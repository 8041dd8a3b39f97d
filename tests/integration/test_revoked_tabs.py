"""A revoked tab stays dark: after sign-out elsewhere, a disabled account, a password reset or a removal
from the session, an open tab receives no more live events and its page states are emptied."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from sqlmodel import select

from app.models import Enrolment, Membership, Organisation, User
from app.services import auth
from state.attendance import AttendanceState
from state.chat import ChatState
from state.session import SessionState
from tests.attendance_setup import live_slot, trainer_email
from tests.live import handler, signed_in_tab, tab, var
from tests.wsclient import ReflexClient

DRAWING = "100,100 300,200 500,120 700,260"
_serial = itertools.count(1)


def _new_learner(server: Any, tag: str) -> str:
    """A fresh learner of Horizon Formation with the demo password (other tests' accounts stay untouched)."""
    email = f"sombre-{tag}-{time.time_ns()}-{next(_serial)}@demo.plume.test"
    with server.session() as db:
        model = db.exec(select(User).where(User.email == "learner1@demo.plume.test")).one()
        org = db.exec(select(Organisation).where(Organisation.name == "Horizon Formation")).one()
        user = User(
            email=email,
            first_name="Lou",
            last_name=tag.capitalize(),
            password_hash=model.password_hash,
            phone=model.phone,
            phone_verified_at=model.phone_verified_at,
        )
        db.add(user)
        db.flush()
        db.add(Membership(user_id=user.id or 0, organisation_id=org.id or 0, is_learner=True))
        db.commit()
    return email


def _user_id(server: Any, email: str) -> int:
    with server.session() as db:
        return db.exec(select(User.id).where(User.email == email)).one() or 0


async def _join(client: ReflexClient, session_id: int) -> list[dict[str, Any]]:
    return await client.call(handler(ChatState, "load"), path=f"/sessions/{session_id}")


async def _post(client: ReflexClient, session_id: int, body: str) -> None:
    await client.call(
        handler(ChatState, "send"),
        {"form_data": {"body": body, "client_id": f"dark-{time.time_ns()}"}},
        path=f"/sessions/{session_id}",
    )


async def _second_tab(server: Any, email: str) -> tuple[ReflexClient, ReflexClient]:
    """Two tabs of one signed-in session (both handshakes carry its cookie)."""
    first = await signed_in_tab(server.url, email)
    second = await tab(server.url, first.session, device=first.device)
    return first, second


def _dark(messages: list[dict[str, Any]], secret: str) -> None:
    assert secret not in json.dumps(messages, ensure_ascii=False)


async def test_a_tab_signed_out_from_another_tab_hears_no_more_chat(server) -> None:
    mine, classmate = _new_learner(server, "moi"), _new_learner(server, "voisin")
    room, _ = live_slot(server.session(), title=f"Salle sombre {time.time_ns()}", learners=[mine, classmate])
    first, second = await _second_tab(server, mine)
    other = await signed_in_tab(server.url, classmate)
    for client in (first, second, other):
        assert var(await _join(client, room), ChatState, "chat_found") is True
    await _post(other, room, "avant la déconnexion")
    assert "avant la déconnexion" in json.dumps(await first.drain(), ensure_ascii=False)
    # The second tab signs out: its own pages are emptied at once.
    out = await second.call(handler(SessionState, "sign_out"), path=f"/sessions/{room}")
    assert var(out, ChatState, "fresh") == [] and var(out, SessionState, "signed_in") is False
    await _post(other, room, "secret après la déconnexion")
    received = await first.drain(quiet=1.0)
    _dark(received, "secret après la déconnexion")
    assert var(received, ChatState, "fresh") == [] and var(received, ChatState, "chat_found") is False
    assert var(received, SessionState, "user_email") == ""
    # Dark for good: the next message sends nothing at all.
    await _post(other, room, "encore un secret")
    assert await first.drain(quiet=1.0) == []
    for client in (first, second, other):
        await client.close()


async def test_a_learner_removed_from_the_session_hears_no_more_chat(server) -> None:
    mine, classmate = _new_learner(server, "retire"), _new_learner(server, "reste")
    room, _ = live_slot(server.session(), title=f"Salle retrait {time.time_ns()}", learners=[mine, classmate])
    removed, other = await signed_in_tab(server.url, mine), await signed_in_tab(server.url, classmate)
    for client in (removed, other):
        await _join(client, room)
    await _post(other, room, "message visible")
    assert "message visible" in json.dumps(await removed.drain(), ensure_ascii=False)
    with server.session() as db:
        row = db.exec(
            select(Enrolment).where(Enrolment.session_id == room, Enrolment.user_id == _user_id(server, mine))
        ).one()
        db.delete(row)
        db.commit()
    await _post(other, room, "secret après le retrait")
    received = await removed.drain(quiet=1.0)
    _dark(received, "secret après le retrait")
    assert var(received, ChatState, "fresh") == [] and var(received, ChatState, "chat_found") is False
    await _post(other, room, "encore un secret")
    assert await removed.drain(quiet=1.0) == []
    for client in (removed, other):
        await client.close()


async def _board_goes_dark(server: Any, revoke: Any) -> None:
    learner = _new_learner(server, "signe")
    session_id, slot_id = live_slot(server.session(), title=f"Émargement sombre {time.time_ns()}", learners=[learner])
    trainer = await signed_in_tab(server.url, trainer_email(session_id))
    board = await trainer.call(handler(AttendanceState, "load"), path=f"/emargement/{slot_id}")
    uid = str(_user_id(server, learner))
    assert uid in {r["id"] for r in var(board, AttendanceState, "roster") or []}
    with server.session() as db:
        revoke(db, db.exec(select(User).where(User.email == trainer_email(session_id))).one())
        db.commit()
    student = await signed_in_tab(server.url, learner)
    await student.call(handler(AttendanceState, "load"), path=f"/emargement/{slot_id}")
    await student.call(
        handler(AttendanceState, "confirm_signature"),
        {"form_data": {"strokes": DRAWING, "key": f"dark-key-{time.time_ns()}"}},
        path=f"/emargement/{slot_id}",
    )
    received = await trainer.drain(quiet=1.5)
    signed_at = var(received, AttendanceState, "signed_at")
    assert not signed_at or uid not in signed_at
    assert var(received, AttendanceState, "roster") == []
    for client in (trainer, student):
        await client.close()


async def test_a_disabled_account_board_hears_no_more_signatures(server) -> None:
    def disable(db: Any, user: User) -> None:
        user.is_active = False
        db.add(user)

    await _board_goes_dark(server, disable)


async def test_a_password_reset_darkens_the_open_board(server) -> None:
    await _board_goes_dark(server, lambda db, user: auth.revoke_all_sessions(db, user.id or 0))
