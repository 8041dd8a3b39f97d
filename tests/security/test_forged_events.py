"""Forged events: every handler, as an anonymous tab and as a learner of the other organisation.

Handlers are enumerated from the State classes, so a handler added tomorrow is
covered (and one added without a policy fails `test_every_handler_has_a_policy`).
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import uuid
from typing import Any

import pytest
import reflex as rx
from sqlalchemy import inspect as inspect_database
from sqlalchemy import text
from sqlmodel import Session, select

import app.app  # noqa: F401  # registers every State class
from app.models import Invitation, Membership, Organisation, OutboxEmail, User
from app.models.base import utcnow
from app.services import auth
from app.services.crypto import hash_password
from state.guard import REFUSAL_LIMIT, handler_policies, payload_fits, policy_for
from tests.live import signed_in_tab, tab
from tests.wsclient import ReflexClient

IGNORED_TABLES = {"auditrecord", "loginattempt", "alembic_version"}
# The server's background sender delivers queued mail while the sweep runs: what it writes on a row is
# not a handler's doing (a new message, or any other column changed, still counts).
SENDER_COLUMNS = {"outboxemail": ("status", "attempts", "last_error", "next_attempt_at", "sent_at")}
# A person's own rows (their calendar feed, their unavailabilities): theirs to change; everyone else's still count.
OWN_ROWS = {"calendar_feed": "user_id", "unavailability": "user_id"}
FORM_KEYS = (
    "email",
    "password",
    "first_name",
    "last_name",
    "pseudonym",
    "phone",
    "code",
    "subject",
    "body",
    "new_email",
    "current",
    "new",
    "confirm",
    "totp_code",
    "totp_password",
    "totp_off_code",
    "totp_start_password",
    "email_password",
    "email_code",
    "kind",
    "query",
    "comment",
    "score",
    "feedback",
    "level_0",
    "level_1",
    "level_2",
    "level_3",
    "activity_id",
    "monitored",
    "expected_on",
    "required",
    "text",
)
HOSTILE = [None, [], {"nested": {"x": 1}}, -1, 2**70, "<script>alert(1)</script>", "' OR 1=1 --", "A" * 10_000, True]
LAST = ("sign_out",)


def _handlers() -> list[str]:
    names = [n for n, p in handler_policies().items() if not n.endswith(".setvar") and p is not None]
    framework = (
        "hydrate",
        "set_is_hydrated",
        "on_load_internal",
        "update_vars_internal",
        "handle_frontend_exception",
        "hydrate_and_load",
    )
    ours = [n for n in names if n.rpartition(".")[2] not in framework]
    return sorted(ours, key=lambda n: n.rpartition(".")[2] in LAST)


def test_every_handler_has_a_policy() -> None:
    missing = [n for n, p in handler_policies().items() if p is None and not n.endswith(".setvar")]
    assert missing == [], f"handlers without a policy: {missing}"
    assert len(_handlers()) >= 30


def test_unknown_and_builtin_setters_are_denied() -> None:
    assert policy_for("reflex___state____state.state___session____session_state.setvar") is None
    assert policy_for("reflex___state____state.nope.handler") is None
    assert policy_for("garbage") is None


def test_payload_must_fit_the_signature() -> None:
    name = next(n for n in _handlers() if n.endswith("trainers_state.invite"))
    assert payload_fits(name, {"invitation_id": "1"})
    assert not payload_fits(name, {})
    assert not payload_fits(name, {"invitation_id": 1, "actor": 2})
    assert not payload_fits(name, ["invitation_id"])


def _payloads(name: str, foreign_ids: list[Any]) -> list[dict[str, Any]]:
    cls = rx.State.get_class_substate(name.rpartition(".")[0])
    fn = cls.event_handlers[name.rpartition(".")[2]].fn
    params = list(inspect.signature(fn).parameters)[1:]
    variants: list[Any] = [{}, ["not", "a", "dict"], {"unexpected": 1}]
    for value in [*HOSTILE, *foreign_ids]:
        payload: dict[str, Any] = {}
        for param in params:
            payload[param] = {key: value for key in FORM_KEYS} if param == "form_data" else value
        variants.append(payload)
    # Each distinct payload once: a handler without parameters gets `{}` for every value, and the foreign
    # ids often coincide (the demo's first invitation, message and staff member may all be number 1).
    return list({json.dumps(v, sort_keys=True): v for v in variants}.values())


def _snapshot(db: Session, *, exclude_user: int | None) -> dict[str, str]:
    out = {}
    tables = inspect_database(db.get_bind()).get_table_names()  # SQLite or PostgreSQL
    for table in tables:
        if table in IGNORED_TABLES:
            continue
        rows = db.exec(text(f'SELECT * FROM "{table}" ORDER BY 1')).all()  # type: ignore[call-overload]
        kept = []
        for row in rows:
            data = dict(row._mapping)
            for column in SENDER_COLUMNS.get(table, ()):
                data.pop(column, None)
            if exclude_user is not None and (
                (table == "user" and data.get("id") == exclude_user)
                or (table == "authsession" and data.get("user_id") == exclude_user)
                or (table in OWN_ROWS and data.get(OWN_ROWS[table]) == exclude_user)
            ):
                continue
            kept.append(json.dumps(data, default=str, sort_keys=True))
        out[table] = hashlib.sha256("\n".join(kept).encode()).hexdigest() + f":{len(kept)}"
    return out


def _secrets(db: Session, own_user: int | None) -> list[str]:
    """Values no client may receive (a person's own TOTP secret is shown to them when they set it up)."""
    found = ["$argon2"]
    for table, column in (
        ("authsession", "token_hash"),
        ("usertoken", "token_hash"),
        ("invitation", "token_hash"),
        ("phoneactivation", "code_hash"),
    ):
        found += [r[0] for r in db.exec(text(f'SELECT "{column}" FROM "{table}"')).all()]  # type: ignore[call-overload]
    query = select(User.totp_secret)
    if own_user is not None:
        query = query.where(User.id != own_user)
    found += [s for s in db.exec(query).all() if s]
    return found


def _other_org_learner(server) -> tuple[str, int, list[str]]:
    """A learner of L'Atelier only, and what they must never see of Horizon."""
    email = f"forger-{uuid.uuid4().hex[:8]}@example.test"
    with server.session() as db:
        atelier = db.exec(select(Organisation).where(Organisation.slug == "atelier-competences")).one()
        horizon = db.exec(select(Organisation).where(Organisation.slug == "horizon-formation")).one()
        user = User(
            email=email,
            first_name="Fau",
            last_name="Saire",
            password_hash=hash_password("forged events 2026"),
            phone="+33611111111",
            phone_verified_at=utcnow(),
        )
        db.add(user)
        db.flush()
        db.add(Membership(user_id=user.id or 0, organisation_id=atelier.id or 0, is_learner=True))
        db.commit()
        horizon_only = [
            "staff@demo.plume.test",
            "claire.fontaine@demo.plume.test",
            "tutor@demo.plume.test",
            "julien.perrin@demo.plume.test",
            "learner1@demo.plume.test",
        ]
        assert horizon.id is not None
        return email, user.id or 0, horizon_only


def _foreign_ids(server) -> list[Any]:
    with server.session() as db:
        horizon = db.exec(select(Organisation).where(Organisation.slug == "horizon-formation")).one()
        inv = db.exec(select(Invitation.id).where(Invitation.organisation_id == horizon.id)).first()
        outbox = db.exec(select(OutboxEmail.id)).first()
        staff = db.exec(select(User.id).where(User.email == "staff@demo.plume.test")).one()
    ids = [horizon.id, inv, outbox, staff]
    return [i for i in ids if i is not None] + [str(i) for i in ids if i is not None] + ["invitation", "fr", "en"]


def _still_signed_in(server, token: str) -> bool:
    with server.session() as db:
        actor = auth.resolve_actor(db, token)
    return actor is not None and actor.fully_signed_in


@pytest.mark.parametrize("who", ["anonymous", "learner_of_other_organisation"])
async def test_forged_events_change_nothing_and_leak_nothing(server, who: str) -> None:
    foreign = _foreign_ids(server)
    if who == "anonymous":
        own_user, own_email, forbidden_text = None, "", ["@demo.plume.test"]
    else:
        own_email, own_user, forbidden_text = _other_org_learner(server)

    signed_in: list[ReflexClient] = []  # the outsider's last real sign-in: later tabs carry its cookie

    async def connect() -> ReflexClient:
        if not own_email:
            client = await tab(server.url)
        elif signed_in and _still_signed_in(server, signed_in[-1].session):
            client = await tab(server.url, signed_in[-1].session, device=signed_in[-1].device)
        else:  # (a handler may have ended the session: sign in again, as a real outsider would)
            client = await signed_in_tab(server.url, own_email, "forged events 2026")
            signed_in.append(client)
        await client.drain(quiet=0.1)  # `tab` waited for its hydration already
        return client

    async def the_next(opening: asyncio.Task[ReflexClient]) -> ReflexClient:
        client = await opening
        if own_email and not _still_signed_in(server, client.session):  # ended since it opened
            await client.close()
            client = await connect()
        return client

    # The gate drops a socket after REFUSAL_LIMIT refused events in a minute: each handler's whole batch
    # goes through one connection that stays below it (a new tab of the same browser when the next would
    # not, opened while the current one works).
    client, sent = await connect(), 0
    opening = asyncio.create_task(connect())
    failures: list[str] = []
    before: dict[str, str] = {}
    for name in _handlers():
        batch = _payloads(name, foreign)
        if sent + len(batch) >= REFUSAL_LIMIT:
            await client.close()
            client, sent, before = await the_next(opening), 0, {}
            opening = asyncio.create_task(connect())
        if not before:  # else the previous handler's `after`: nothing ran in between
            with server.session() as db:
                before = _snapshot(db, exclude_user=own_user)
        for payload in batch:
            await client.emit(name, payload, path="/accueil", query={"jeton": "x", "invitation": "x"})
        sent += len(batch)
        messages = await client.drain(quiet=0.25)
        if not client.sio.connected:
            failures.append(f"{name}: the socket was dropped before its batch was checked")
        with server.session() as db:
            after = _snapshot(db, exclude_user=own_user)
            secrets = _secrets(db, own_user)
        changed = [t for t in before if before[t] != after.get(t)]
        if changed:
            failures.append(f"{name} changed {changed}")
        before = after
        blob = json.dumps(messages)
        if own_email:
            blob = blob.replace(own_email, "")
        leaked = [s for s in [*secrets, *forbidden_text] if s and s in blob]
        if leaked:
            failures.append(f"{name} leaked {leaked[:3]}")
    for done in (client, await opening):
        await done.close()
    assert failures == []


async def test_forged_setvar_cannot_sign_a_tab_in(server) -> None:
    from state.session import SessionState

    client = await tab(server.url)
    name = f"{SessionState.get_full_name()}.setvar"
    messages = await client.call(name, {"var_name": "signed_in", "value": True}, path="/accueil")
    assert all(SessionState.get_full_name() not in (m.get("delta") or {}) for m in messages)
    await client.close()


async def test_the_snapshot_sees_a_real_change(server) -> None:
    """Positive control: the same harness notices when an allowed handler writes."""
    from state.staff import TrainersState
    from tests.live import handler

    staff = await signed_in_tab(server.url, "staff@demo.plume.test")
    with server.session() as db:
        before = _snapshot(db, exclude_user=None)
    await staff.call(
        handler(TrainersState, "add"),
        {"form_data": {"first_name": "Contrôle", "last_name": "Positif", "email": "", "kind": "internal"}},
        path="/formateurs",
    )
    with server.session() as db:
        after = _snapshot(db, exclude_user=None)
    assert before["invitation"] != after["invitation"]
    await staff.close()
