"""Outbox attachments: listed with their message, downloaded by the staff who see it, never for a sealed message."""

from __future__ import annotations

import httpx
import pytest
from icalendar import Calendar
from sqlmodel import Session

from app.api.routes import build_api
from app.models import User
from app.services import home, outbox
from app.services.auth import open_session
from app.services.errors import ErrorCode, PlumeError
from app.services.templates import Template
from tests.factories import actor_for, make_org, make_staff, make_trainer

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//FR\r\nBEGIN:VEVENT\r\nUID:x@plume.test\r\nSUMMARY:R\xc3\xa9union\r\nDTSTAMP:20261130T070000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"


def _messages(db: Session):  # the test's rows
    org = make_org(db)
    ics = outbox.Attachment("votre-session.ics", "text/calendar", ICS)
    plain = outbox.enqueue_email(
        db,
        to="a@example.test",
        message=Template("Confirmation", "Bonjour"),
        kind="x",
        organisation_id=org.id,
        attachment=ics,
    )
    sealed = outbox.enqueue_email(
        db,
        to="b@example.test",
        message=outbox.seal(
            Template("Invitation", "Ouvrez {lien}"), {"lien": "https://p.test/?jeton=S3CRET"}, secret_tags=("lien",)
        ),
        kind="invitation",
        organisation_id=org.id,
        attachment=ics,
    )
    bare = outbox.enqueue_email(db, to="c@example.test", message=Template("S", "B"), kind="x", organisation_id=org.id)
    db.commit()
    return org, plain, sealed, bare


def test_the_list_names_the_attachment_and_hides_a_sealed_ones(db: Session) -> None:
    org, plain, sealed, bare = _messages(db)
    rows = {r.id: r for r in home.list_outbox(db, actor_for(db, make_staff(db, org)))}
    assert (rows[plain.id].attachment_name, rows[plain.id].attachment_url) == (
        "votre-session.ics",
        f"/api/outbox/{plain.id}/attachment",
    )
    assert not rows[plain.id].attachment_hidden
    assert (rows[sealed.id].attachment_url, rows[sealed.id].attachment_hidden) == ("", True)
    assert (rows[bare.id].attachment_name, rows[bare.id].attachment_url, rows[bare.id].attachment_hidden) == (
        "",
        "",
        False,
    )


def test_staff_download_the_attachment_others_get_not_found(db: Session) -> None:
    org, plain, sealed, bare = _messages(db)
    staff = actor_for(db, make_staff(db, org))
    assert home.outbox_attachment(db, staff, plain.id or 0) == outbox.Attachment(
        "votre-session.ics", "text/calendar", ICS
    )
    for actor, outbox_id in (
        (staff, sealed.id or 0),
        (staff, bare.id or 0),
        (staff, 999_999),
        (actor_for(db, make_trainer(db, org)), plain.id or 0),
        (actor_for(db, make_staff(db, make_org(db))), plain.id or 0),
    ):
        with pytest.raises(PlumeError) as err:
            home.outbox_attachment(db, actor, outbox_id)
        assert err.value.code == ErrorCode.NOT_FOUND


def _cookie(db: Session, user: User) -> dict[str, str]:
    signed = open_session(db, user)
    db.commit()
    return {"Cookie": f"plume_session={signed.token}"}


async def test_the_route_sends_the_ics_to_staff_and_the_same_404_to_everyone_else(db: Session) -> None:
    org, plain, sealed, _bare = _messages(db)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api()), base_url="http://plume.test")
    url = f"/api/outbox/{plain.id}/attachment"
    response = await client.get(url, headers=_cookie(db, make_staff(db, org)))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.headers["content-disposition"] == 'attachment; filename="votre-session.ics"'
    assert response.headers["x-content-type-options"] == "nosniff"
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == "Réunion"
    bodies = set()
    staff_cookie = _cookie(db, make_staff(db, org))
    for path, headers in (
        (url, {}),
        (url, _cookie(db, make_trainer(db, org))),
        (url, _cookie(db, make_staff(db, make_org(db)))),
        (url, {"Cookie": "plume_session=forged"}),
        (f"/api/outbox/{sealed.id}/attachment", staff_cookie),
        ("/api/outbox/999999/attachment", staff_cookie),
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 404, (path, headers)
        bodies.add(response.text)
    assert bodies == {"Introuvable"}
    assert b"S3CRET" not in response.content
