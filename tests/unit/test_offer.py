"""The course offer: filters and paging, course requests, organising sessions (issue 14, first section)."""

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import Activity, Course, Module, Notification, OutboxEmail, TrainerPosition, TrainingSession, User
from app.models.tutoring import TutorPosition
from app.services import catalogue, offer, timeline
from app.services.course_requests import (
    RequestForm,
    approve_request,
    my_requests,
    pending_page,
    refuse_request,
    request_course,
)
from app.services.errors import ErrorCode, PlumeError
from app.services.seed import seed_demo
from app.settings import reset_settings
from tests.factories import actor_for, make_learner, make_org, make_staff, make_trainer


def _org(db: Session):
    org = make_org(db, "Horizon")
    return org, actor_for(db, make_staff(db, org))


def _course(db: Session, staff, title: str, *, remote: str, in_person: str, categories: str = "", origin: str = ""):
    form = catalogue.CourseForm(
        title=title, remote_hours=remote, in_person_hours=in_person, categories=categories, origin=origin
    )
    return catalogue.create_course(db, staff, form)


def _titles(page) -> list[str]:
    return [row.title for row in page.items]


def test_hours_read_with_decimals_in_each_language() -> None:
    assert offer.hours_text(2.5) == "2,5 h"
    assert offer.hours_text(2.5, "en") == "2.5 h"
    assert offer.hours_text(3.0) == "3 h"
    assert offer.hours_text(1.25) == "1,25 h"


def test_modality_comes_from_the_hours() -> None:
    assert offer.modality_of(3, 0) == "distance"
    assert offer.modality_of(0, 7) == "presence"
    assert offer.modality_of(6, 3) == "hybrid"


def test_the_offer_filters_and_pages_in_sql(db: Session) -> None:
    _, staff = _org(db)
    _course(
        db, staff, "Algorithmique et programmation", remote="3", in_person="0", categories="Réseau", origin="Dgesco"
    )
    _course(
        db,
        staff,
        "Agir sur le harcèlement entre pairs",
        remote="6",
        in_person="3",
        categories="Simulation > Vie scolaire",
        origin="Dgesco",
    )
    _course(db, staff, "Équipe et délégation", remote="0", in_person="7", categories="Management", origin="Canopé")
    _course(db, staff, "Tableur", remote="2,5", in_person="3,5", categories="Bureautique", origin="Académie de Lyon")
    db.commit()
    every = offer.OfferFilters()
    assert offer.offer_page(db, staff, every).total == 4
    # Accents and case ignored, in the title, the categories or the origin.
    assert _titles(offer.offer_page(db, staff, offer.OfferFilters(query="EQUIPE"))) == ["Équipe et délégation"]
    assert _titles(offer.offer_page(db, staff, offer.OfferFilters(query="canope"))) == ["Équipe et délégation"]
    assert _titles(offer.offer_page(db, staff, offer.OfferFilters(category="simulation"))) == [
        "Agir sur le harcèlement entre pairs"
    ]
    assert _titles(offer.offer_page(db, staff, offer.OfferFilters(modality="distance"))) == [
        "Algorithmique et programmation"
    ]
    assert _titles(offer.offer_page(db, staff, offer.OfferFilters(modality="presence"))) == ["Équipe et délégation"]
    assert _titles(offer.offer_page(db, staff, offer.OfferFilters(modality="hybrid"))) == [
        "Agir sur le harcèlement entre pairs",
        "Tableur",
    ]
    assert _titles(offer.offer_page(db, staff, offer.OfferFilters(origin="dgesco"))) == [
        "Agir sur le harcèlement entre pairs",
        "Algorithmique et programmation",
    ]
    assert _titles(offer.offer_page(db, staff, offer.OfferFilters(max_remote_hours="2,5"))) == [
        "Équipe et délégation",
        "Tableur",
    ]
    assert _titles(offer.offer_page(db, staff, offer.OfferFilters(max_in_person_hours="3"))) == [
        "Agir sur le harcèlement entre pairs",
        "Algorithmique et programmation",
    ]
    page = offer.offer_page(db, staff, every, page=2, page_size=10)
    assert (page.page, page.pages, len(page.items)) == (1, 1, 4)  # past the end: the last page
    for bad, field in ((offer.OfferFilters(max_remote_hours="beaucoup"), "max_remote_hours"),):
        with pytest.raises(PlumeError) as err:
            offer.offer_page(db, staff, bad)
        assert err.value.field == field
    with pytest.raises(PlumeError):
        offer.offer_page(db, staff, offer.OfferFilters(modality="teleportation"))
    choices = offer.offer_choices(db, staff)
    assert choices.categories == ["Bureautique", "Management", "Réseau", "Simulation"]
    assert choices.origins == ["Académie de Lyon", "Canopé", "Dgesco"]


def test_the_offer_pages_at_the_requested_size(db: Session) -> None:
    _, staff = _org(db)
    for n in range(12):
        _course(db, staff, f"Parcours {n:02d}", remote="1", in_person="0")
    db.commit()
    first = offer.offer_page(db, staff, offer.OfferFilters(), page=1, page_size=10)
    second = offer.offer_page(db, staff, offer.OfferFilters(), page=2, page_size=10)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (12, 2, 10, 2)
    assert _titles(second) == ["Parcours 10", "Parcours 11"]


def test_only_staff_read_the_offer(db: Session) -> None:
    org, _ = _org(db)
    for person in (make_trainer(db, org), make_learner(db, org)):
        with pytest.raises(PlumeError) as err:
            offer.offer_page(db, actor_for(db, person), offer.OfferFilters())
        assert err.value.code == ErrorCode.NOT_FOUND


def test_the_split_follows_the_seed_rule() -> None:
    once = offer.propose_split(31, 15)
    assert (once.sessions, once.per_round, once.rounds, once.sizes) == (3, 3, 1, [11, 10, 10])
    twice = offer.propose_split("60", "12", "2")  # x = 5, run as 3 sessions twice (rounded up to y × n)
    assert (twice.sessions, twice.per_round, twice.rounds) == (6, 3, 2)
    assert sum(twice.sizes) == 60 and max(twice.sizes) <= 12
    exact = offer.propose_split(30, 10)
    assert exact.sizes == [10, 10, 10]
    for args, field in (
        ((0, 10), "participants"),
        (("trente", 10), "participants"),
        ((30, 0), "maximum"),
        ((30, "2.5"), "maximum"),
        ((30, 10, 0), "rounds"),
        ((1000, 1), "maximum"),  # 1,000 sessions: more than one click should make
    ):
        with pytest.raises(PlumeError) as err:
            offer.propose_split(*args)
        assert (err.value.code, err.value.field) == (ErrorCode.NUMBER_INVALID, field)


def test_organising_creates_drafts_with_the_template_wanting_two_people(db: Session) -> None:
    org, staff = _org(db)
    course = _course(db, staff, "Agir sur le harcèlement", remote="6", in_person="3")
    module = timeline.add_module(db, staff, course_id=course.id, title="Comprendre", phase="during")
    timeline.add_activity(db, staff, module.id or 0, kind="document", title="Les stéréotypes")
    db.commit()
    form = offer.OrganiseForm(
        course_id=course.id or 0,
        participants="31",
        maximum="15",
        short_name="Harcèlement",
        category="1er degré",
        starts_on="2027-01-11",
    )
    drafts = offer.organise_sessions(db, staff, form, today=date(2026, 11, 30))
    db.commit()
    assert [d.title for d in drafts] == [
        "Harcèlement — 1er degré — G1",
        "Harcèlement — 1er degré — G2",
        "Harcèlement — 1er degré — G3",
    ]
    assert {(d.status, d.staff_wanted, d.starts_on) for d in drafts} == {("draft", 2, date(2027, 1, 11))}
    assert [d.max_participants for d in drafts] == [11, 10, 10]
    for draft in drafts:  # ready to run: the template timeline is copied
        assert db.exec(select(Module.title).where(Module.session_id == draft.id)).all() == ["Comprendre"]
    ids = [d.id or 0 for d in drafts]
    assert catalogue.staffing_gaps(db, ids) == dict.fromkeys(ids, 2)
    trainer, tutor = make_trainer(db, org), make_trainer(db, org)
    db.add(TrainerPosition(session_id=ids[0], user_id=trainer.id or 0))
    db.add(TutorPosition(session_id=ids[0], user_id=tutor.id or 0))
    db.add(TrainerPosition(session_id=ids[1], user_id=trainer.id or 0))
    db.commit()
    assert catalogue.staffing_gaps(db, ids) == {ids[1]: 2, ids[2]: 2}


def test_organising_in_rounds_spaces_the_starts(db: Session) -> None:
    _, staff = _org(db)
    course = _course(db, staff, "Tableur", remote="2", in_person="0")
    form = offer.OrganiseForm(
        course_id=course.id or 0, participants="40", maximum="10", rounds="2", starts_on="2027-01-11"
    )
    drafts = offer.organise_sessions(db, staff, form, today=date(2026, 11, 30))
    assert [d.starts_on for d in drafts] == [date(2027, 1, 11)] * 2 + [date(2027, 1, 18)] * 2
    assert drafts[0].title == "Tableur — G1"


def test_only_staff_organise_and_only_their_courses(db: Session) -> None:
    org, staff = _org(db)
    other_org = make_org(db, "Ailleurs")
    other = actor_for(db, make_staff(db, other_org))
    course = _course(db, staff, "Tableur", remote="2", in_person="0")
    form = offer.OrganiseForm(course_id=course.id or 0, participants="10", maximum="5")
    for actor in (other, actor_for(db, make_trainer(db, org))):
        with pytest.raises(PlumeError) as err:
            offer.organise_sessions(db, actor, form, today=date(2026, 11, 30))
        assert err.value.code == ErrorCode.NOT_FOUND
    assert db.exec(select(TrainingSession)).all() == []


def test_a_trainer_requests_a_course_and_staff_approve_it(db: Session) -> None:
    org, staff = _org(db)
    trainer_user = make_trainer(db, org)
    trainer = actor_for(db, trainer_user)
    form = RequestForm(
        title="Agir sur le harcèlement entre pairs",
        origin="Dgesco",
        remote_hours="6",
        in_person_hours="2,5",
        pedagogical_lead="IEN Kourou 1",
    )
    row = request_course(db, trainer, form)
    db.commit()
    assert (row.status, row.in_person_hours) == ("pending", 2.5)
    assert [r.title for r in pending_page(db, staff).items] == ["Agir sur le harcèlement entre pairs"]
    approved = approve_request(db, staff, row.id or 0)
    db.commit()
    course = db.get(Course, approved.course_id)
    assert course is not None
    assert (course.title, course.origin, course.in_person_hours) == (form.title, "Dgesco", 2.5)
    assert pending_page(db, staff).items == []
    mine = my_requests(db, trainer).items
    assert [(r.status, r.course_id) for r in mine] == [("approved", course.id)]
    told = db.exec(select(Notification).where(Notification.user_id == trainer_user.id)).all()
    assert [n.kind for n in told] == ["course_request_approved"]
    mail = db.exec(select(OutboxEmail).where(OutboxEmail.to == trainer_user.email)).one()
    assert "mis à disposition" in mail.subject
    with pytest.raises(PlumeError):  # answered once
        refuse_request(db, staff, row.id or 0, "non")


def test_approving_reuses_a_course_of_the_same_title(db: Session) -> None:
    org, staff = _org(db)
    existing = _course(db, staff, "Équipe et délégation", remote="0", in_person="7")
    trainer = actor_for(db, make_trainer(db, org))
    row = request_course(db, trainer, RequestForm(title="equipe ET délégation", pedagogical_lead="Mme Smith"))
    assert approve_request(db, staff, row.id or 0).course_id == existing.id
    assert len(db.exec(select(Course)).all()) == 1


def test_staff_refuse_with_a_reason_and_the_trainer_reads_it(db: Session) -> None:
    org, staff = _org(db)
    trainer_user = make_trainer(db, org)
    trainer = actor_for(db, trainer_user)
    row = request_course(db, trainer, RequestForm(title="Parcours X", pedagogical_lead="IEN"))
    with pytest.raises(PlumeError) as err:
        refuse_request(db, staff, row.id or 0, "   ")
    assert (err.value.code, err.value.field) == (ErrorCode.REASON_REQUIRED, "reason")
    refuse_request(db, staff, row.id or 0, "Parcours déjà proposé sous un autre nom")
    db.commit()
    assert [(r.status, r.reason) for r in my_requests(db, trainer).items] == [
        ("refused", "Parcours déjà proposé sous un autre nom")
    ]
    mail = db.exec(select(OutboxEmail).where(OutboxEmail.to == trainer_user.email)).one()
    assert "Parcours déjà proposé" in mail.body


def test_requests_are_checked_and_kept_to_their_organisation(db: Session) -> None:
    org, _ = _org(db)
    trainer = actor_for(db, make_trainer(db, org))
    for form, field in (
        (RequestForm(title=" ", pedagogical_lead="IEN"), "title"),
        (RequestForm(title="X", remote_hours="deux", pedagogical_lead="IEN"), "remote_hours"),
        (RequestForm(title="X", in_person_hours="-1", pedagogical_lead="IEN"), "in_person_hours"),
        (RequestForm(title="X"), "pedagogical_lead"),
    ):
        with pytest.raises(PlumeError) as err:
            request_course(db, trainer, form)
        assert err.value.field == field
    with pytest.raises(PlumeError) as err:
        request_course(db, actor_for(db, make_learner(db, org)), RequestForm(title="X", pedagogical_lead="IEN"))
    assert err.value.code == ErrorCode.NOT_FOUND
    row = request_course(db, trainer, RequestForm(title="X", pedagogical_lead="IEN"))
    other = actor_for(db, make_staff(db, make_org(db, "Ailleurs")))
    for decide in (lambda a: approve_request(db, a, row.id or 0), lambda a: refuse_request(db, a, row.id or 0, "non")):
        with pytest.raises(PlumeError) as err:
            decide(other)
        assert err.value.code == ErrorCode.NOT_FOUND
        with pytest.raises(PlumeError):
            decide(trainer)  # a trainer does not answer their own request
    assert pending_page(db, other).items == []


@pytest.fixture
def files_dir(db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "files"
    monkeypatch.setenv("PLUME_FILES_DIR", str(directory))
    reset_settings()
    return directory


def test_each_demo_course_has_a_template_a_session_copies(db: Session, files_dir: Path) -> None:
    seed_demo(db)
    db.commit()
    courses = db.exec(select(Course)).all()
    assert len(courses) == 6
    for course in courses:
        assert course.origin and course.in_person_hours + course.remote_hours > 0
        modules = db.exec(select(Module).where(Module.course_id == course.id, Module.session_id.is_(None))).all()
        kinds = set(
            db.exec(select(Activity.kind).where(Activity.module_id.in_([m.id for m in modules]))).all()  # type: ignore[union-attr]
        )
        assert len(modules) >= 3 and len(kinds) >= 8, course.title
    staff = actor_for(db, db.exec(select(User).where(User.email == "staff@demo.plume.test")).one())
    rgpd = next(c for c in courses if c.short_title == "RGPD")
    drafts = offer.organise_sessions(
        db, staff, offer.OrganiseForm(course_id=rgpd.id or 0, participants="24", maximum="12"), today=date(2026, 11, 30)
    )
    for draft in drafts:
        copied = db.exec(select(Module).where(Module.session_id == draft.id)).all()
        assert sorted(m.title for m in copied)[0] == "Après la formation" and len(copied) == 4


def test_course_requests_are_paged_in_sql(db: Session) -> None:
    org, staff = _org(db)
    trainer = actor_for(db, make_trainer(db, org))
    for n in range(23):
        request_course(db, trainer, RequestForm(title=f"Parcours {n:02d}", pedagogical_lead="IEN"))
    db.commit()
    first = my_requests(db, trainer, 1, 10)
    assert (first.page, first.pages, first.total, len(first.items)) == (1, 3, 23, 10)
    assert first.items[0].title == "Parcours 22"  # newest first
    last = my_requests(db, trainer, 7, 10)  # past the end: the last page
    assert (last.page, [r.title for r in last.items]) == (3, ["Parcours 02", "Parcours 01", "Parcours 00"])
    waiting = pending_page(db, staff, 3, 10)
    assert (waiting.total, [r.title for r in waiting.items]) == (23, ["Parcours 20", "Parcours 21", "Parcours 22"])
    for bad in ((0, 10), (1, 7), ("1", 10)):
        with pytest.raises(PlumeError) as err:
            my_requests(db, trainer, *bad)
        assert err.value.code == ErrorCode.INVALID_INPUT
    with pytest.raises(PlumeError) as err:
        pending_page(db, trainer)
    assert err.value.code == ErrorCode.NOT_FOUND
