"""Attendance over real websockets: signing moves the learner on the trainer's board; forged events change nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from sqlmodel import col, select

from app.models import AttendanceRecord, User
from app.services.auth import DEVICE_COOKIE, SESSION_COOKIE
from state.attendance import AttendanceState
from tests.attendance_setup import live_slot, trainer_email
from tests.live import fresh_ip, handler, signed_in_tab, var
from tests.wsclient import ReflexClient

DRAWING = "100,100 300,200 500,120 700,260"
NAME = AttendanceState.get_full_name()


def _records(server: Any, slot_id: int) -> list[tuple[str, int | None, int]]:
    with server.session() as db:
        rows = db.exec(
            select(AttendanceRecord).where(AttendanceRecord.slot_id == slot_id).order_by(col(AttendanceRecord.seq))
        ).all()
        return [(r.kind, r.subject_user_id, r.recorded_by_id) for r in rows]


def _user_id(server: Any, email: str) -> int:
    with server.session() as db:
        return db.exec(select(User.id).where(User.email == email)).one() or 0


async def _open(tab: ReflexClient, slot_id: int) -> list[dict[str, Any]]:
    return await tab.call(handler(AttendanceState, "load"), path=f"/emargement/{slot_id}")


def _ids(rows: list[dict[str, Any]] | None) -> set[str]:
    return {r["id"] for r in rows or []}


async def test_a_learner_signature_reaches_the_trainer_board_live(server) -> None:
    learner_email = "learner14@demo.plume.test"
    session_id, slot_id = live_slot(server.session(), title="Émargement en direct", learners=[learner_email])
    uid = str(_user_id(server, learner_email))
    trainer = await signed_in_tab(server.url, trainer_email(session_id))
    board = await _open(trainer, slot_id)
    assert uid in _ids(var(board, AttendanceState, "roster")) and not var(board, AttendanceState, "signed_at")
    learner = await signed_in_tab(server.url, learner_email)
    page = await _open(learner, slot_id)
    view = var(page, AttendanceState, "view")
    assert view["can_sign"] and not view["sees_board"]
    assert var(page, AttendanceState, "roster") in (None, [])  # a learner never receives the class list
    form = {"form_data": {"strokes": DRAWING, "key": "idem-key-0001"}}
    await learner.emit(handler(AttendanceState, "confirm_signature"), form, path=f"/emargement/{slot_id}")
    await learner.emit(handler(AttendanceState, "confirm_signature"), form, path=f"/emargement/{slot_id}")
    pushed = await trainer.until(
        lambda m: uid in ((m.get("delta") or {}).get(NAME, {}).get("signed_at_rx_state_") or {})
    )
    assert var(pushed, AttendanceState, "signed_count") == 1
    assert var(pushed, AttendanceState, "roster") is None  # only the small map of signing times travels
    replies = await learner.drain()
    assert var(replies, AttendanceState, "view")["signed"]
    assert _records(server, slot_id) == [("signature", int(uid), int(uid))]
    await trainer.close()
    await learner.close()


async def test_forged_attendance_events_change_nothing(server) -> None:
    mine, other = "learner18@demo.plume.test", "learner19@demo.plume.test"
    session_id, slot_id = live_slot(server.session(), title="Émargement — tentatives", learners=[mine])
    _, foreign_slot = live_slot(server.session(), title="Émargement — autre session", learners=[other])
    mine_id, other_id = _user_id(server, mine), _user_id(server, other)
    learner = await signed_in_tab(server.url, mine)
    await _open(learner, slot_id)
    path = f"/emargement/{slot_id}"
    # Board actions are for trainers and staff: the gate drops them.
    for name, payload in (
        ("open_dialog", {"kind": "sign_as", "user_id": str(mine_id)}),
        ("confirm_sign_as", {"form_data": {"strokes": DRAWING, "key": "k" * 12, "reason": "x"}}),
        ("save_mark", {"form_data": {"comment": "absent"}}),
        ("certify", {}),
        ("show_qr", {}),
        ("keep_qr_fresh", {}),
    ):
        await learner.call(handler(AttendanceState, name), payload, path=path)
    # Signing someone else's slot, in another session: not found.
    await _open(learner, foreign_slot)
    refused = await learner.call(
        handler(AttendanceState, "confirm_signature"),
        {"form_data": {"strokes": DRAWING, "key": "k" * 12}},
        path=f"/emargement/{foreign_slot}",
    )
    assert var(refused, AttendanceState, "sign_error") == "Introuvable."
    # A malformed drawing is refused with a message, nothing stored.
    await _open(learner, slot_id)
    bad = await learner.call(
        handler(AttendanceState, "confirm_signature"), {"form_data": {"strokes": "<svg onload=x>", "key": 7}}, path=path
    )
    assert var(bad, AttendanceState, "sign_error") == "Saisie invalide."
    assert _records(server, slot_id) == [] and _records(server, foreign_slot) == []
    # The trainer signs and certifies; the learner can no longer sign, nor can a forged sign-as.
    trainer = await signed_in_tab(server.url, trainer_email(session_id))
    await _open(trainer, slot_id)
    await trainer.call(
        handler(AttendanceState, "confirm_signature"), {"form_data": {"strokes": DRAWING, "key": "t" * 12}}, path=path
    )
    certified = await trainer.call(handler(AttendanceState, "certify"), path=path)
    assert var(certified, AttendanceState, "view")["certified"]
    late = await learner.call(
        handler(AttendanceState, "confirm_signature"), {"form_data": {"strokes": DRAWING, "key": "k" * 12}}, path=path
    )
    assert "certifiée" in var(late, AttendanceState, "sign_error")
    await trainer.call(handler(AttendanceState, "open_dialog"), {"kind": "sign_as", "user_id": str(mine_id)}, path=path)
    await trainer.call(
        handler(AttendanceState, "confirm_sign_as"),
        {"form_data": {"strokes": DRAWING, "key": "s" * 12, "reason": "après coup"}},
        path=path,
    )
    trainer_id = _user_id(server, trainer_email(session_id))
    assert _records(server, slot_id) == [("signature", trainer_id, trainer_id), ("certification", None, trainer_id)]
    # Another session's learner cannot even see this sheet.
    outsider = await signed_in_tab(server.url, other)
    seen = await _open(outsider, slot_id)
    assert var(seen, AttendanceState, "found") is False
    assert other_id not in {r[1] for r in _records(server, slot_id)}
    for tab in (learner, trainer, outsider):
        await tab.close()
    await asyncio.sleep(0)


async def test_a_qr_code_scanned_in_the_room_is_recorded_with_the_signature(server) -> None:
    scanned, forged = "learner27@demo.plume.test", "learner28@demo.plume.test"
    session_id, slot_id = live_slot(server.session(), title="Émargement — QR", learners=[scanned, forged])
    path = f"/emargement/{slot_id}"
    trainer = await signed_in_tab(server.url, trainer_email(session_id))
    await _open(trainer, slot_id)
    shown = await trainer.call(handler(AttendanceState, "show_qr"), path=path)
    url = var(shown, AttendanceState, "qr_url")
    assert var(shown, AttendanceState, "qr_open") and url.startswith(f"{server.url}{path}?qr=")
    assert var(shown, AttendanceState, "qr_image").startswith("data:image/svg+xml;base64,")
    code = url.rsplit("=", 1)[-1]
    for email, query in ((scanned, {"qr": code}), (forged, {"qr": "0" * 20})):
        tab = await signed_in_tab(server.url, email)
        await tab.call(handler(AttendanceState, "load"), path=path, query=query)
        await tab.call(
            handler(AttendanceState, "confirm_signature"),
            {"form_data": {"strokes": DRAWING, "key": "q" * 12}},
            path=path,
            query=query,
        )
        await tab.close()
    with server.session() as db:
        proofs = {
            r.subject_user_id: r.qr_verified
            for r in db.exec(select(AttendanceRecord).where(AttendanceRecord.slot_id == slot_id)).all()
        }
    assert proofs == {_user_id(server, scanned): True, _user_id(server, forged): False}
    hidden = await trainer.call(handler(AttendanceState, "hide_qr"), path=path)
    assert var(hidden, AttendanceState, "qr_open") is False
    await trainer.close()


async def test_a_qr_scan_proves_presence_on_its_own_slot_only(server) -> None:
    learner_email = "learner20@demo.plume.test"
    session_a, slot_a = live_slot(server.session(), title="Émargement — QR salle A", learners=[learner_email])
    _, slot_b = live_slot(server.session(), title="Émargement — QR salle B", learners=[learner_email])
    trainer = await signed_in_tab(server.url, trainer_email(session_a))
    await _open(trainer, slot_a)
    shown = await trainer.call(handler(AttendanceState, "show_qr"), path=f"/emargement/{slot_a}")
    code = var(shown, AttendanceState, "qr_url").rsplit("=", 1)[-1]
    # One tab: the learner scans room A's code, then opens and signs slot B without scanning anything.
    tab = await signed_in_tab(server.url, learner_email)
    await tab.call(handler(AttendanceState, "load"), path=f"/emargement/{slot_a}", query={"qr": code})
    await _open(tab, slot_b)
    await tab.call(
        handler(AttendanceState, "confirm_signature"),
        {"form_data": {"strokes": DRAWING, "key": "b" * 12}},
        path=f"/emargement/{slot_b}",
    )
    # Back on slot A, within the scan's validity: that signature is QR-verified.
    await _open(tab, slot_a)
    await tab.call(
        handler(AttendanceState, "confirm_signature"),
        {"form_data": {"strokes": DRAWING, "key": "a" * 12}},
        path=f"/emargement/{slot_a}",
    )
    uid = _user_id(server, learner_email)
    with server.session() as db:
        proofs = {
            r.slot_id: r.qr_verified
            for r in db.exec(
                select(AttendanceRecord).where(
                    AttendanceRecord.subject_user_id == uid, col(AttendanceRecord.slot_id).in_((slot_a, slot_b))
                )
            ).all()
        }
    assert proofs == {slot_a: True, slot_b: False}
    await tab.close()
    await trainer.close()


async def test_a_signature_sent_before_the_page_load_is_signed_once_the_load_is_done(server) -> None:
    first, second = "learner29@demo.plume.test", "learner30@demo.plume.test"
    _, slot_id = live_slot(server.session(), title="Émargement — reconnexion", learners=[first, second])
    path = f"/emargement/{slot_id}"
    form = {"form_data": {"strokes": DRAWING, "key": "r" * 12}}
    # A page that reconnects on a fresh state retries its signature before its load has run.
    tab = await signed_in_tab(server.url, first)
    early = await tab.call(handler(AttendanceState, "confirm_signature"), form, path=path)
    assert not var(early, AttendanceState, "sign_error")  # queued, not "Introuvable."
    assert _records(server, slot_id) == []
    await tab.emit(handler(AttendanceState, "load"), path=path)
    signed = await tab.until(lambda m: ((m.get("delta") or {}).get(NAME, {}).get("view_rx_state_") or {}).get("signed"))
    assert var(signed, AttendanceState, "view")["signed"] and not var(signed, AttendanceState, "sign_error")
    # The page's own retry after its load carries the same key: still one signature.
    await tab.call(handler(AttendanceState, "confirm_signature"), form, path=path)
    uid = _user_id(server, first)
    assert _records(server, slot_id) == [("signature", uid, uid)]
    await tab.close()
    # A reconnecting page on a fresh state: its boot event (hydrate, then the route's on_load) and, right behind
    # it, the retried signature, which may be handled before the page's load: it waits for it either way.
    signed_in = await signed_in_tab(server.url, second)
    await signed_in.close()
    fresh = ReflexClient(
        server.url,
        headers={
            "X-Forwarded-For": fresh_ip(),
            "Cookie": f"{DEVICE_COOKIE}={signed_in.device}; {SESSION_COOKIE}={signed_in.session}",
        },
    )
    await fresh.connect()
    await fresh.emit(f"{rx.State.get_full_name()}.hydrate_and_load", path=path)
    await fresh.emit(handler(AttendanceState, "confirm_signature"), form, path=path)
    replies = await fresh.until(
        lambda m: ((m.get("delta") or {}).get(NAME, {}).get("view_rx_state_") or {}).get("signed")
    )
    assert var(replies, AttendanceState, "view")["signed"] and not var(replies, AttendanceState, "sign_error")
    other = _user_id(server, second)
    assert _records(server, slot_id) == [("signature", uid, uid), ("signature", other, other)]
    await fresh.close()
