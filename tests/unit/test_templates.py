import pytest
from sqlmodel import Session, select

from app.models import OutboxEmail
from app.services import outbox, templates
from app.services.errors import ErrorCode, PlumeError
from tests.factories import make_org, make_staff


def test_unknown_tags_are_refused_with_the_valid_list(db: Session) -> None:
    org = make_org(db)
    staff = make_staff(db, org)
    with pytest.raises(PlumeError) as err:
        templates.save_template(
            db,
            organisation_id=org.id or 0,
            user_id=staff.id or 0,
            kind="invitation",
            language="fr",
            subject="Bonjour {prenom}",
            body="Lien : {lien} {societe}",
        )
    assert err.value.code == ErrorCode.TEMPLATE_UNKNOWN_TAG
    assert err.value.field == "body"
    assert err.value.params["unknown"] == "{societe}"
    assert err.value.params["valid"] == "{prenom}, {nom}, {organisation}, {lien}"


def test_saved_template_is_used_and_can_be_reset(db: Session) -> None:
    org = make_org(db)
    staff = make_staff(db, org)
    templates.save_template(
        db,
        organisation_id=org.id or 0,
        user_id=staff.id or 0,
        kind="invitation",
        language="fr",
        subject="Rejoignez {organisation}",
        body="Cliquez : {lien}",
    )
    db.commit()
    tpl = templates.get_template(db, org.id, "invitation", "fr")
    filled = templates.render(tpl, {"organisation": "Horizon", "lien": "https://x"})
    assert (filled.subject, filled.body) == ("Rejoignez Horizon", "Cliquez : https://x")
    templates.reset_template(db, organisation_id=org.id or 0, kind="invitation", language="fr")
    db.commit()
    assert templates.get_template(db, org.id, "invitation", "fr") == templates.DEFAULTS["fr"]["invitation"]


def test_empty_fields_are_refused(db: Session) -> None:
    org = make_org(db)
    with pytest.raises(PlumeError) as err:
        templates.save_template(
            db, organisation_id=org.id or 0, user_id=0, kind="invitation", language="fr", subject="  ", body="x"
        )
    assert (err.value.code, err.value.field) == (ErrorCode.TEMPLATE_EMPTY, "subject")


def test_defaults_only_use_known_tags() -> None:
    for table in templates.DEFAULTS.values():
        for kind, tpl in table.items():
            assert templates.unknown_tags(kind, tpl.subject + tpl.body) == []


def test_a_subject_filled_with_long_values_fits_its_column(db: Session) -> None:
    """PostgreSQL refuses a value longer than its column where SQLite keeps it: the filled subject is cut."""
    org = make_org(db)
    tpl = templates.Template("Rappel : {session} — {session} ({organisation})", "Bonjour {prenom}")
    filled = templates.render(tpl, {"session": "Parcours " + "é" * 190, "organisation": "Horizon", "prenom": "Ana"})
    assert len(filled.subject) == templates.SUBJECT_MAX
    outbox.enqueue_email(db, to="ana@example.test", message=filled, kind="reminder", organisation_id=org.id)
    db.commit()
    assert db.exec(select(OutboxEmail.subject)).one() == filled.subject
