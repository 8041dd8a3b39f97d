from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app.models import Activity, Document, Module
from app.services import activities, documents, home
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
    with pytest.raises(PlumeError) as err:  # a learner of the session may not
        activities.configure(db, actor_for(db, learner), poll.id or 0, {"question": "X", "options": "a\nb"})
    assert err.value.code == ErrorCode.NOT_FOUND
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
    activities.attach_video(db, actor_for(db, staff), video.id or 0, "cours.mp4", mp4)
    db.commit()
    document = db.exec(select(Document).where(Document.name == "cours.mp4")).one()
    assert document.content_type == "video/mp4"
    # The video is the activity's, served through its gate: not a module document (issue 13).
    url = f"/api/activities/{video.id}/files/{document.id}"
    assert json.loads(db.get(Activity, video.id).settings_json)["url"] == url
    assert document.module_id is None
    assert documents.list_for_module(db, actor_for(db, staff), video.module_id) == []
    # The session's trainer may replace it; the first one is then deleted.
    activities.attach_video(db, actor_for(db, trainer), video.id or 0, "cours2.mp4", mp4)
    db.commit()
    db.refresh(document)
    assert document.deleted_at is not None


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


@pytest.fixture
def files_dir(db: Session, tmp_path, monkeypatch):
    from app.settings import reset_settings

    directory = tmp_path / "activity-files"
    monkeypatch.setenv("PLUME_FILES_DIR", str(directory))
    reset_settings()
    return directory


def test_a_document_activity_holds_its_own_files(db: Session, files_dir) -> None:
    org, _staff, trainer, learner, _other, _session, first, _second, doc, video, _poll = _setup(db)
    batch = activities.add_files(db, actor_for(db, trainer), doc.id or 0, [("Programme.pdf", PDF), ("Plan.png", PNG)])
    db.commit()
    assert [d.name for d in batch.stored] == ["Programme.pdf", "Plan.png"] and batch.refused == []
    # Listed in the activity's panel for the learner, in order, to open or download through the activity's route.
    detail = activities.activity_detail(db, actor_for(db, learner), doc.id or 0)
    assert [(f.name, f.url) for f in detail.files] == [
        ("Programme.pdf", f"/api/activities/{doc.id}/files/{batch.stored[0].id}"),
        ("Plan.png", f"/api/activities/{doc.id}/files/{batch.stored[1].id}"),
    ]
    assert not detail.can_configure and not any(f.can_manage for f in detail.files)
    path, name, content_type = activities.open_file(db, actor_for(db, learner), doc.id or 0, batch.stored[0].id or 0)
    assert (path.read_bytes(), name, content_type) == (PDF, "Programme.pdf", "application/pdf")
    # They are the activity's, not its module's: the module's list and the module documents' route know nothing.
    assert documents.list_for_module(db, actor_for(db, learner), first.id or 0) == []
    with pytest.raises(PlumeError):
        documents.open_for_download(db, actor_for(db, learner), batch.stored[0].id or 0)
    # Another activity cannot serve them, nor can a stranger.
    with pytest.raises(PlumeError):
        activities.open_file(db, actor_for(db, learner), video.id or 0, batch.stored[0].id or 0)
    with pytest.raises(PlumeError):
        activities.open_file(db, actor_for(db, make_learner(db, org)), doc.id or 0, batch.stored[0].id or 0)
    trainer_view = activities.activity_detail(db, actor_for(db, trainer), doc.id or 0)
    assert trainer_view.can_configure and all(f.can_manage for f in trainer_view.files)


def test_who_may_attach_files_to_a_document_activity(db: Session, files_dir) -> None:
    from app.services.errors import ErrorCode
    from tests.factories import make_trainer

    org, staff, trainer, learner, _other, session, _first, _second, doc, video, poll = _setup(db)
    tutor = make_member(db, org, "tutor")
    assign_tutor(db, session, tutor)
    outsider = make_trainer(db, org)  # a trainer of the organisation, not on this session
    for who in (learner, tutor, outsider, make_staff(db, make_org(db))):
        with pytest.raises(PlumeError) as err:
            activities.add_files(db, actor_for(db, who), doc.id or 0, [("a.pdf", PDF)])
        assert err.value.code == ErrorCode.NOT_FOUND
        with pytest.raises(PlumeError):
            activities.configure(db, actor_for(db, who), video.id or 0, {"url": "https://example.org/v.mp4"})
    assert activities.add_files(db, actor_for(db, staff), doc.id or 0, [("a.pdf", PDF)]).stored
    with pytest.raises(PlumeError) as err:  # only a document activity holds files
        activities.add_files(db, actor_for(db, staff), video.id or 0, [("a.pdf", PDF)])
    assert err.value.code == ErrorCode.INVALID_INPUT
    # The session's trainer sets a video's link and a poll (within the session's own activities).
    activities.configure(db, actor_for(db, trainer), video.id or 0, {"url": "https://example.org/v.mp4"})
    activities.configure(db, actor_for(db, trainer), poll.id or 0, {"question": "Quand ?", "options": "Lundi\nMardi"})
    db.commit()
    assert activities.activity_detail(db, actor_for(db, trainer), video.id or 0).settings["url"] == (
        "https://example.org/v.mp4"
    )


def test_a_batch_with_a_bad_file_keeps_the_good_ones_and_names_the_bad(db: Session, files_dir) -> None:
    from app.services.errors import ErrorCode

    _, _, trainer, learner, _, _, _, _, doc, _, _ = _setup(db)
    batch = activities.add_files(
        db,
        actor_for(db, trainer),
        doc.id or 0,
        [("un.pdf", PDF), ("virus.exe", b"MZ" + bytes(64)), ("vide.pdf", b""), ("deux.png", PNG)],
    )
    db.commit()
    assert [d.name for d in batch.stored] == ["un.pdf", "deux.png"]
    assert [(r.name, r.error.code, r.error.params) for r in batch.refused] == [
        ("virus.exe", ErrorCode.DOCUMENT_TYPE, {"name": "virus.exe"}),
        ("vide.pdf", ErrorCode.DOCUMENT_EMPTY, {"name": "vide.pdf"}),
    ]
    assert [f.name for f in activities.activity_detail(db, actor_for(db, learner), doc.id or 0).files] == [
        "un.pdf",
        "deux.png",
    ]
    assert len(list(files_dir.iterdir())) == 2


def test_removing_a_file_and_a_locked_module_hides_it(db: Session, files_dir) -> None:
    _, staff, trainer, learner, _, _, _, second, doc, _, _ = _setup(db)
    (_kept, gone) = activities.add_files(
        db, actor_for(db, trainer), doc.id or 0, [("a.pdf", PDF), ("b.pdf", PDF)]
    ).stored
    db.commit()
    with pytest.raises(PlumeError):  # a learner cannot remove
        activities.remove_file(db, actor_for(db, learner), doc.id or 0, gone.id or 0)
    activities.remove_file(db, actor_for(db, staff), doc.id or 0, gone.id or 0)
    db.commit()
    assert [f.name for f in activities.activity_detail(db, actor_for(db, learner), doc.id or 0).files] == ["a.pdf"]
    with pytest.raises(PlumeError):
        activities.open_file(db, actor_for(db, learner), doc.id or 0, gone.id or 0)
    # A document activity in a module still locked to the learner: its files look missing.
    locked = Activity(module_id=second.id or 0, kind="document", title="Après", position=1)
    db.add(locked)
    db.commit()
    (hidden,) = activities.add_files(db, actor_for(db, staff), locked.id or 0, [("c.pdf", PDF)]).stored
    db.commit()
    with pytest.raises(PlumeError):
        activities.open_file(db, actor_for(db, learner), locked.id or 0, hidden.id or 0)
    assert activities.open_file(db, actor_for(db, trainer), locked.id or 0, hidden.id or 0)[1] == "c.pdf"


def test_a_duplicated_activity_has_its_own_copies_of_the_files(db: Session, files_dir) -> None:
    from app.services import timeline

    _, staff, trainer, learner, _, _, first, _, doc, _, _ = _setup(db)
    (held,) = activities.add_files(db, actor_for(db, trainer), doc.id or 0, [("a.pdf", PDF)]).stored
    db.commit()
    copy = timeline.duplicate_activity(db, actor_for(db, trainer), doc.id or 0)
    twin_module = timeline.duplicate_module(db, actor_for(db, staff), first.id or 0)
    db.commit()
    twin = db.exec(select(Activity).where(Activity.module_id == twin_module.id, Activity.kind == "document")).first()
    assert twin is not None
    copies = [activities.activity_detail(db, actor_for(db, learner), a.id or 0).files for a in (copy, twin)]
    assert [[f.name for f in files] for files in copies] == [["a.pdf"], ["a.pdf"]]
    assert str(held.id) not in {f.url.rsplit("/", 1)[1] for files in copies for f in files}
    # Removing the copy's file leaves the original's.
    (copied,) = copies[0]
    activities.remove_file(db, actor_for(db, staff), copy.id or 0, int(copied.url.rsplit("/", 1)[1]))
    db.commit()
    path, name, _ = activities.open_file(db, actor_for(db, learner), doc.id or 0, held.id or 0)
    assert (path.read_bytes(), name) == (PDF, "a.pdf")
    assert activities.activity_detail(db, actor_for(db, learner), copy.id or 0).files == []
    # Deleting an activity stops serving its files.
    timeline.delete_activity(db, actor_for(db, staff), doc.id or 0)
    db.commit()
    assert db.get(Document, held.id).deleted_at is not None


def test_the_demo_document_activities_hold_a_pdf(db: Session, files_dir) -> None:
    import json

    from app.services.seed import seed_demo

    seed_demo(db)
    db.commit()
    # The sessions' handouts (a course template's documents carry no file: each session gets its own copy).
    handouts = db.exec(
        select(Activity)
        .join(Module, col(Module.id) == col(Activity.module_id))
        .where(Activity.kind == "document", col(Module.session_id).is_not(None))
    ).all()
    assert {a.title for a in handouts} == {"Programme détaillé", "Supports de formation"}
    for activity in handouts:
        (file_id,) = json.loads(activity.settings_json)["files"]
        from app.models import Document

        document = db.get(Document, file_id)
        assert document is not None and document.content_type == "application/pdf" and document.module_id is None
        assert (files_dir / document.stored_name).read_bytes().startswith(b"%PDF-")
