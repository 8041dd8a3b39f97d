"""The audit trail stores what fits its columns, whatever a caller (or a forged event) hands it."""

from __future__ import annotations

from sqlmodel import Session

from app.models import AuditRecord
from app.services import audit


def test_a_long_target_is_cut_to_its_column(db: Session) -> None:
    email = "x" * 250 + "@example.fr"  # a forged sign-in's e-mail: PostgreSQL refuses more than the column holds
    row = audit.record(db, "auth.sign_in_failed", target=email, ip="203.0.113.9" * 10)
    db.commit()
    stored = db.get(AuditRecord, row.id)
    assert stored is not None
    assert stored.target == email[:200]
    assert len(stored.ip) == 64
