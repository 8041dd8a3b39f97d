import pytest
from sqlmodel import Session, select

from app.models import Invitation, Membership, OutboxEmail
from app.services import orgs
from app.services.errors import ErrorCode, PlumeError
from app.services.outbox import delivered
from tests.factories import actor_for, make_learner, make_org, make_staff, make_trainer, make_user


def _token_of_last_invitation(db: Session) -> str:
    mail = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "invitation")).all()[-1]
    return delivered(mail).body.split("jeton=")[1].split()[0]


def test_trainer_list_shows_the_three_statuses(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    make_trainer(db, org, first_name="Zoé", last_name="Accepted")
    invited = orgs.add_trainer(
        db, staff, first_name="Ivan", last_name="Invited", email="ivan@example.test", kind="external"
    )
    orgs.invite_trainer(db, staff, invited.id or 0)
    orgs.add_trainer(db, staff, first_name="Nina", last_name="Nomail", email="", kind="internal")
    db.commit()
    rows = orgs.list_trainers(db, staff)
    assert [(r.name, r.status) for r in rows] == [
        ("Zoé Accepted", "accepted"),
        ("Ivan Invited", "invited"),
        ("Nina Nomail", "not_invited"),
    ]


def test_inviting_without_an_email_is_refused_with_a_clear_code(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    inv = orgs.add_trainer(db, staff, first_name="Nina", last_name="Nomail", email="", kind="internal")
    with pytest.raises(PlumeError) as err:
        orgs.invite_trainer(db, staff, inv.id or 0)
    assert err.value.code == ErrorCode.EMAIL_REQUIRED
    orgs.set_trainer_email(db, staff, inv.id or 0, "nina@example.test")
    orgs.invite_trainer(db, staff, inv.id or 0)
    assert db.exec(select(OutboxEmail).where(OutboxEmail.to == "nina@example.test")).one()


def test_resend_rotates_the_link(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    inv = orgs.add_trainer(db, staff, first_name="Ivan", last_name="I", email="ivan@example.test", kind="external")
    orgs.invite_trainer(db, staff, inv.id or 0)
    first = _token_of_last_invitation(db)
    orgs.invite_trainer(db, staff, inv.id or 0)
    second = _token_of_last_invitation(db)
    assert first != second
    with pytest.raises(PlumeError):
        orgs.view_invitation(db, first)
    assert orgs.view_invitation(db, second).email == "ivan@example.test"


def test_existing_account_accepts_and_gains_the_organisation(db: Session) -> None:
    home, other = make_org(db, "Maison"), make_org(db, "Autre")
    person = make_trainer(db, other, email="ivan@example.test")
    staff = actor_for(db, make_staff(db, home))
    inv = orgs.add_trainer(db, staff, first_name="Ivan", last_name="I", email="ivan@example.test", kind="external")
    orgs.invite_trainer(db, staff, inv.id or 0)
    token = _token_of_last_invitation(db)
    assert orgs.view_invitation(db, token).account_exists
    assert orgs.accept_invitation(db, person.id or 0, token) == home.id
    db.commit()
    names = [c.name for c in orgs.my_organisations(db, actor_for(db, person))]
    assert names == ["Autre", "Maison"]
    with pytest.raises(PlumeError):
        orgs.accept_invitation(db, person.id or 0, token)


def test_invitation_for_another_address_is_refused(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    intruder = make_user(db, email="intruder@example.test")
    inv = orgs.add_trainer(db, staff, first_name="Ivan", last_name="I", email="ivan@example.test", kind="external")
    orgs.invite_trainer(db, staff, inv.id or 0)
    with pytest.raises(PlumeError) as err:
        orgs.accept_invitation(db, intruder.id or 0, _token_of_last_invitation(db))
    assert err.value.code == ErrorCode.INVITATION_EMAIL_MISMATCH
    assert db.exec(select(Membership).where(Membership.user_id == intruder.id)).all() == []


def test_staff_pages_are_not_found_for_others(db: Session) -> None:
    org, other = make_org(db), make_org(db)
    learner = actor_for(db, make_learner(db, org))
    foreign_staff = actor_for(db, make_staff(db, other))
    staff = actor_for(db, make_staff(db, org))
    inv = orgs.add_trainer(db, staff, first_name="A", last_name="B", email="ab@example.test", kind="external")
    with pytest.raises(PlumeError) as err:
        orgs.list_trainers(db, learner)
    assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError) as err:
        orgs.invite_trainer(db, foreign_staff, inv.id or 0)
    assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError):
        orgs.send_trainer_reset(db, foreign_staff, staff.user_id)


def test_duplicate_trainer_is_refused(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    make_trainer(db, org, email="dup@example.test")
    with pytest.raises(PlumeError) as err:
        orgs.add_trainer(db, staff, first_name="D", last_name="Up", email="dup@example.test", kind="external")
    assert err.value.code == ErrorCode.ALREADY_MEMBER
    assert db.exec(select(Invitation)).all() == []
