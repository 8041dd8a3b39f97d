from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.models import Activity, Module
from app.services import activities, home
from app.services.errors import ErrorCode, PlumeError
from app.services.progress import learner_progress
from app.services.sessions.view import session_view
from tests.factories import (
    actor_for,
    assign_tutor,
    make_learner,
    make_member,
    make_org,
    make_session,
    make_staff,
    make_trainer,
)


def _setup(db: Session):
    org = make_org(db)
    staff, trainer, learner, other = (
        make_staff(db, org),
        make_trainer(db, org),
        make_learner(db, org),
        make_learner(db, org),
    )
    today = home.paris_today()
    session = make_session(
        db, org, start=today, end=today + timedelta(days=1), trainers=(trainer,), learners=(learner, other)
    )
    first = Module(session_id=session.id, title="Module 1", position=0)
    second = Module(session_id=session.id, title="Module 2", position=1, opening_rule="after_previous")
    db.add_all([first, second])
    db.flush()
    doc = Activity(module_id=first.id or 0, kind="document", title="Lire le programme", position=0)
    video = Activity(module_id=first.id or 0, kind="video", title="Vidéo", position=1)
    poll = Activity(module_id=second.id or 0, kind="poll", title="Sondage", position=0)
    db.add_all([doc, video, poll])
    db.commit()
    return org, staff, trainer, learner, other, session, first, second, doc, video, poll


def test_progress_and_after_previous_opening(db: Session) -> None:
    _, _, _, learner, _, session, _first, _second, doc, video, poll = _setup(db)
    actor = actor_for(db, learner)
    view = session_view(db, actor, session.id or 0)
    assert [(m.title, m.locked, m.done, m.total) for m in view.modules] == [
        ("Module 1", False, 0, 2),
        ("Module 2", True, 0, 1),
    ]
    assert view.progress == 0
    with pytest.raises(PlumeError):
        activities.activity_detail(db, actor, poll.id or 0)
    activities.mark_done(db, actor, doc.id or 0)
    activities.mark_done(db, actor, doc.id or 0)
    db.commit()
    assert learner_progress(db, session.id or 0, learner.id or 0).percent == 33
    activities.mark_done(db, actor, video.id or 0)
    db.commit()
    view = session_view(db, actor, session.id or 0)
    assert [(m.locked, m.done, m.total) for m in view.modules] == [(False, 2, 2), (False, 0, 1)]
    assert view.progress == 67


def test_poll_votes_results_and_rules(db: Session) -> None:
    _, staff, trainer, learner, other, _session, _first, _second, doc, video, poll = _setup(db)
    staff_actor = actor_for(db, staff)
    with pytest.raises(PlumeError) as err:
        activities.configure(db, staff_actor, poll.id or 0, {"question": "Quand ?", "options": "Lundi"})
    assert err.value.field == "options"
    activities.configure(db, staff_actor, poll.id or 0, {"question": "Quand ?", "options": "Lundi\nMardi\nJeudi"})
    with pytest.raises(PlumeError):
        activities.configure(db, actor_for(db, trainer), poll.id or 0, {"question": "X", "options": "a\nb"})
    db.commit()
    voters = [actor_for(db, learner), actor_for(db, other)]
    for voter in voters:
        for a in (doc, video):
            activities.mark_done(db, voter, a.id or 0)
    with pytest.raises(PlumeError):
        activities.vote(db, voters[0], poll.id or 0, [0, 1])
    with pytest.raises(PlumeError):
        activities.vote(db, voters[0], poll.id or 0, [7])
    activities.vote(db, voters[0], poll.id or 0, [1])
    activities.vote(db, voters[1], poll.id or 0, [0])
    activities.vote(db, voters[1], poll.id or 0, [1])
    db.commit()
    detail = activities.activity_detail(db, actor_for(db, trainer), poll.id or 0)
    assert (detail.results, detail.votes) == ([0, 2, 0], 2)
    assert [p.done for p in detail.learners] == [True, True]
    with pytest.raises(PlumeError):
        activities.vote(db, actor_for(db, trainer), poll.id or 0, [0])


def test_only_enrolled_learners_mark_done_and_only_simple_kinds(db: Session) -> None:
    org, _, trainer, _, _, session, first, _, doc, _, _ = _setup(db)
    live = Activity(module_id=first.id or 0, kind="in_person", title="Journée", position=5)
    db.add(live)
    db.commit()
    stranger = make_learner(db, org)
    with pytest.raises(PlumeError) as err:
        activities.mark_done(db, actor_for(db, stranger), doc.id or 0)
    assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError):
        activities.mark_done(db, actor_for(db, trainer), doc.id or 0)
    tutor_user = make_member(db, org, "tutor")
    assign_tutor(db, session, tutor_user)
    tutor = actor_for(db, tutor_user)
    detail = activities.activity_detail(db, tutor, live.id or 0)
    assert detail.sees_everything and not detail.can_mark_done and len(detail.learners) == 2


def test_video_link_must_be_https(db: Session) -> None:
    _, staff, *_rest = _setup(db)
    video = _rest[-2]
    with pytest.raises(PlumeError) as err:
        activities.configure(db, actor_for(db, staff), video.id or 0, {"url": "javascript:alert(1)"})
    assert (err.value.code, err.value.field) == (ErrorCode.LINK_INVALID_URL, "url")


def test_staff_attach_an_mp4_to_a_video_activity(db: Session, tmp_path, monkeypatch) -> None:
    import json

    from app.models import Document
    from app.settings import reset_settings

    monkeypatch.setenv("PLUME_FILES_DIR", str(tmp_path / "files"))
    reset_settings()
    _, staff, trainer, *_rest = _setup(db)
    video = _rest[-2]
    mp4 = b"\x00\x00\x00\x18ftypmp42" + bytes(64)
    with pytest.raises(PlumeError) as err:
        activities.attach_video(db, actor_for(db, staff), video.id or 0, "cours.mp4", b"%PDF-1.4 not a video")
    assert err.value.code == ErrorCode.VIDEO_TYPE
    with pytest.raises(PlumeError):
        activities.attach_video(db, actor_for(db, trainer), video.id or 0, "cours.mp4", mp4)
    activities.attach_video(db, actor_for(db, staff), video.id or 0, "cours.mp4", mp4)
    db.commit()
    document = db.exec(select(Document).where(Document.name == "cours.mp4")).one()
    assert document.content_type == "video/mp4"
    assert json.loads(db.get(Activity, video.id).settings_json)["url"] == f"/api/documents/{document.id}"
