"""Outgoing messages: written to the outbox first, then sent with retries."""

from __future__ import annotations

import base64
import json
import smtplib
import threading
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import OutboxEmail
from app.models.base import utcnow
from app.services.crypto import SecretDecryptError, decrypt_secret, encrypt_secret
from app.services.templates import Template, render
from app.settings import Settings, get_settings

MAX_ATTEMPTS = 6
# A worker that dies mid-send leaves its row "sending"; after the lease another worker takes it.
SEND_LEASE = timedelta(minutes=5)
# What the outbox shows in place of a one-time secret; only the recipient gets the real one.
MASKS = {"lien": "[lien personnel masqué]", "code": "[code personnel masqué]"}
SEAL_PURPOSE = "outbox-message"


@dataclass(frozen=True)
class SealedMessage:
    """A message carrying one-time secrets: a redacted copy to show, the real one to send."""

    shown: Template
    real: Template


def seal(template: Template, values: dict[str, str], *, secret_tags: tuple[str, ...]) -> SealedMessage:
    """Fill a template twice: with masks in place of the secrets, and for real.

    Args:
        template: The template.
        values: Tag values, secrets included.
        secret_tags: The tags whose values are one-time secrets (e.g. "lien", "code").

    Returns:
        The redacted and the real message.
    """
    masked = {**values, **{tag: MASKS.get(tag, "[masqué]") for tag in secret_tags}}
    return SealedMessage(shown=render(template, masked), real=render(template, values))


@dataclass(frozen=True)
class Delivered:
    """The text that actually leaves Plume for one outbox row."""

    subject: str
    body: str
    html: str


def delivered(row: OutboxEmail) -> Delivered:
    """Rebuild the message the recipient gets (the secret is put back only here).

    Args:
        row: An outbox row.

    Returns:
        Its real subject, body and HTML.

    Raises:
        SecretDecryptError: The sealed part was made under another secret key.
    """
    if not row.sealed:
        return Delivered(row.subject, row.body, row.body_html)
    real = json.loads(decrypt_secret(row.sealed, SEAL_PURPOSE))
    return Delivered(real["subject"], real["body"], real.get("html", ""))


def _seal_fields(message: Template | SealedMessage, html: str = "") -> tuple[Template, str]:
    if isinstance(message, Template):
        return message, ""
    payload = {"subject": message.real.subject, "body": message.real.body, "html": html}
    return message.shown, encrypt_secret(json.dumps(payload), SEAL_PURPOSE)


@dataclass(frozen=True)
class Attachment:
    """A file sent with an e-mail."""

    name: str
    content_type: str
    data: bytes


def enqueue_email(
    db: Session,
    *,
    to: str,
    message: Template | SealedMessage,
    kind: str,
    organisation_id: int | None = None,
    html: str = "",
    attachment: Attachment | None = None,
) -> OutboxEmail:
    """Put an e-mail in the outbox; the sender loop delivers it.

    Args:
        db: Database session.
        to: Recipient address.
        message: Filled subject and body; a `SealedMessage` when it carries a one-time secret
            (the outbox then keeps the redacted copy, and the real one encrypted).
        kind: Template kind, for the outbox page.
        organisation_id: The organisation sending, if any (None for personal messages).
        html: An HTML version of the body (buttons), sent beside the text; with a sealed
            message it is sealed too and never shown.
        attachment: A file to attach.

    Returns:
        The outbox row.
    """
    shown, sealed = _seal_fields(message, html)
    row = OutboxEmail(
        organisation_id=organisation_id,
        channel="email",
        kind=kind,
        to=to,
        subject=shown.subject,
        body=shown.body,
        body_html="" if sealed else html,
        sealed=sealed,
        attachment_name=attachment.name if attachment else "",
        attachment_type=attachment.content_type if attachment else "",
        attachment_data=base64.b64encode(attachment.data).decode() if attachment else "",
        status="pending",
    )
    db.add(row)
    return row


class SmsSender:
    """Sends a text message through the outbox.

    Without a gateway the SMS is kept in the outbox (status "stored"; the operator can
    read it with `plume show-message`); with `PLUME_SMS_GATEWAY_URL` it is queued for
    the sender loop.
    """

    def __init__(self, *, via_gateway: bool) -> None:
        """Choose the delivery.

        Args:
            via_gateway: Whether the sender loop posts it to the HTTP gateway.
        """
        self.status = "pending" if via_gateway else "stored"

    def send(self, db: Session, *, to: str, text: str | SealedMessage, organisation_id: int | None = None) -> None:
        """Write the SMS to the outbox.

        Args:
            db: Database session.
            to: Mobile number (E.164).
            text: The message; a `SealedMessage` (its body is sent) when it carries a code.
            organisation_id: The organisation concerned, if any (None for personal codes).
        """
        shown, sealed = _seal_fields(Template("", text) if isinstance(text, str) else text)
        db.add(
            OutboxEmail(
                organisation_id=organisation_id,
                channel="sms",
                kind="activation",
                to=to,
                body=shown.body,
                sealed=sealed,
                status=self.status,
            )
        )


def sms_sender() -> SmsSender:
    """The SMS sender chosen by settings.

    Returns:
        A sender through the gateway when `PLUME_SMS_GATEWAY_URL` is set, else one that keeps SMS in the outbox.
    """
    return SmsSender(via_gateway=bool(get_settings().sms_gateway_url))


def _send_email(settings: Settings, row: OutboxEmail) -> None:
    real = delivered(row)
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = formataddr(("", row.to))
    msg["Subject"] = real.subject
    msg["Message-ID"] = make_msgid(domain="plume.local")
    msg.set_content(real.body)
    if real.html:
        msg.add_alternative(real.html, subtype="html")
    if row.attachment_name:
        maintype, _, subtype = (row.attachment_type or "application/octet-stream").partition("/")
        msg.add_attachment(
            base64.b64decode(row.attachment_data),
            maintype=maintype,
            subtype=subtype,
            filename=row.attachment_name,
            # Text attachments (.ics) are UTF-8: say so, or accents in a title arrive garbled.
            params={"charset": "utf-8"} if maintype == "text" else {},
        )
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(msg)


def _send_sms(settings: Settings, row: OutboxEmail) -> None:
    payload = json.dumps({"to": row.to, "text": delivered(row).body}).encode()
    request = urllib.request.Request(  # noqa: S310  # the URL is the operator's setting
        settings.sms_gateway_url,
        data=payload,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
        if response.status >= 300:
            msg = f"gateway answered {response.status}"
            raise OSError(msg)


def _claim_next(db: Session, now: datetime) -> int | None:
    """Take the next due message for this worker (committed): its lease starts now.

    On PostgreSQL the row is picked with `FOR UPDATE SKIP LOCKED`, so workers claiming at the same
    instant each get a different row without waiting on each other; SQLite (which drops the clause)
    runs one writer at a time, so the update's own condition settles it there.

    Args:
        db: Database session.
        now: The current instant.

    Returns:
        The claimed row's id, or None when nothing is due.
    """
    due = (
        select(OutboxEmail.id)
        .where(col(OutboxEmail.status).in_(("pending", "sending")), col(OutboxEmail.next_attempt_at) <= now)
        .order_by(col(OutboxEmail.id))
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = db.execute(
        update(OutboxEmail)
        .where(col(OutboxEmail.id) == due)
        .values(status="sending", next_attempt_at=now + SEND_LEASE)
        .returning(col(OutboxEmail.id))
    ).scalar_one_or_none()
    db.commit()
    return claimed


def deliver_pending(db: Session, *, limit: int = 50, stop: threading.Event | None = None) -> int:
    """Send what is due; failures are retried with exponential backoff.

    Without an SMTP host the e-mails stay in the outbox (status "stored").
    Each row is claimed with a lease before it is sent (`_claim_next`), so two workers
    never send it at once and a crash mid-send only delays it until the lease ends.

    Args:
        db: Database session (committed row by row).
        limit: At most this many messages per call.
        stop: Set when the worker shuts down: the message being sent is finished, no other is taken.

    Returns:
        How many messages were sent.
    """
    settings = get_settings()
    now = utcnow()
    sent = 0
    for _ in range(limit):
        if stop is not None and stop.is_set():
            break
        row_id = _claim_next(db, now)
        if row_id is None:
            break
        row = db.get(OutboxEmail, row_id, populate_existing=True)  # the session may hold an older copy
        if row is None:
            continue
        row.attempts += 1
        try:
            if row.channel == "sms":
                _send_sms(settings, row)
            elif not settings.smtp_host:
                row.status = "stored"
                db.add(row)
                db.commit()
                continue
            else:
                _send_email(settings, row)
        except (OSError, smtplib.SMTPException, SecretDecryptError) as exc:
            row.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
            else:
                row.status = "pending"
                row.next_attempt_at = utcnow() + timedelta(seconds=30 * 2 ** (row.attempts - 1))
        else:
            row.status, row.sent_at, row.last_error = "sent", utcnow(), ""
            sent += 1
        db.add(row)
        db.commit()
    return sent


def retry(db: Session, *, outbox_id: int, organisation_id: int) -> bool:
    """Put a failed message of the organisation back in the queue.

    Args:
        db: Database session.
        outbox_id: The message.
        organisation_id: The staff member's organisation.

    Returns:
        True if it was requeued.
    """
    row = db.get(OutboxEmail, outbox_id)
    if row is None or row.organisation_id != organisation_id or row.status not in ("failed", "stored"):
        return False
    if row.channel == "email" and not get_settings().smtp_host:
        return False
    row.status, row.next_attempt_at, row.attempts = "pending", utcnow(), 0
    db.add(row)
    return True
