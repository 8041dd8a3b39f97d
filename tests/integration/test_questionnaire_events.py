"""The questionnaire library over real websockets: staff edit, a trainer reads and attaches, a learner is refused."""

from __future__ import annotations

import json
import uuid

import httpx
from sqlmodel import col, select

from app.models import Activity, Module, TrainerPosition, TrainingSession, User
from app.models.evaluations import EvaluationAttempt, Question, Questionnaire, QuestionnaireUse
from state.questionnaires import QuestionnaireEditorState, QuestionnaireLibraryState, QuestionnaireUsesState
from tests.live import handler, redirects, signed_in_tab, var
from tests.wsclient import ReflexClient

STAFF = "staff@demo.plume.test"
TRAINER = "trainer@demo.plume.test"
LEARNER = "learner8@demo.plume.test"
LIBRARY = "/questionnaires"
QUESTION = {
    "text": "Combien font 2 + 2 ?",
    "points": "2",
    "choice_label_0": "4",
    "choice_correct_0": True,
    "choice_feedback_0": "Exact.",
    "choice_label_1": "5",
}


def _questionnaire(server, title: str) -> Questionnaire | None:
    with server.session() as db:
        return db.exec(select(Questionnaire).where(Questionnaire.title == title)).first()


def _export(server, client: ReflexClient, questionnaire_id: int) -> httpx.Response:
    return httpx.get(
        f"{server.url}/api/questionnaires/{questionnaire_id}.json", cookies={"plume_session": client.session}
    )


async def test_staff_build_a_questionnaire_a_trainer_reads_and_exports_it(server) -> None:
    title = f"Positionnement Excel {uuid.uuid4().hex[:6]}"
    staff = await signed_in_tab(server.url, STAFF)
    loaded = await staff.call(handler(QuestionnaireLibraryState, "load"), path=LIBRARY)
    assert var(loaded, QuestionnaireLibraryState, "allowed") is not False
    assert var(loaded, QuestionnaireLibraryState, "can_edit") is True
    # A missing title: the message comes back for its field, and nothing is written.
    refused = await staff.call(
        handler(QuestionnaireLibraryState, "create"),
        {"form_data": {"title": " ", "use": "diagnostic", "tags": ""}},
        path=LIBRARY,
    )
    assert var(refused, QuestionnaireLibraryState, "field_errors") == {"title": "Indiquez un titre."}
    created = await staff.call(
        handler(QuestionnaireLibraryState, "create"),
        {"form_data": {"title": title, "use": "diagnostic", "tags": "Excel, niveau 1"}},
        path=LIBRARY,
    )
    made = _questionnaire(server, title)
    assert made is not None and made.tags == "excel, niveau 1"
    path = f"{LIBRARY}/{made.id}"
    assert path in redirects(created)
    opened = await staff.call(handler(QuestionnaireEditorState, "load"), path=path)
    assert var(opened, QuestionnaireEditorState, "detail")["title"] == title
    await staff.call(handler(QuestionnaireEditorState, "new_question"), path=path)
    # A diagnostic's choice question needs its right answer: the error sits under the answers.
    wrong = await staff.call(
        handler(QuestionnaireEditorState, "save_question"),
        {"form_data": {**QUESTION, "choice_correct_0": False}},
        path=path,
    )
    assert "choices" in var(wrong, QuestionnaireEditorState, "question_errors")
    saved = await staff.call(handler(QuestionnaireEditorState, "save_question"), {"form_data": QUESTION}, path=path)
    assert [q["text"] for q in var(saved, QuestionnaireEditorState, "questions")] == [QUESTION["text"]]
    settings = {"title": title, "use": "diagnostic", "passing_score": "60", "time_limit_min": "20", "tags": "excel"}
    await staff.call(handler(QuestionnaireEditorState, "save_settings"), {"form_data": settings}, path=path)
    made = _questionnaire(server, title)
    assert made is not None and (made.passing_score, made.time_limit_s) == (60, 1200)
    exported = _export(server, staff, made.id or 0)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/json")
    document = json.loads(exported.text)
    assert document["questionnaire"]["questions"][0]["choices"][0]["correct"] is True

    trainer = await signed_in_tab(server.url, TRAINER)
    listed = await trainer.call(handler(QuestionnaireLibraryState, "load"), path=LIBRARY)
    assert var(listed, QuestionnaireLibraryState, "can_edit") is False
    found = await trainer.call(
        handler(QuestionnaireLibraryState, "search"), {"query": "POSITIONNEMENT excel"}, path=LIBRARY
    )
    assert title in [r["title"] for r in var(found, QuestionnaireLibraryState, "rows")]
    assert _export(server, trainer, made.id or 0).status_code == 200
    # A trainer reads the library; a forged edit changes nothing.
    await trainer.call(handler(QuestionnaireEditorState, "load"), path=path)
    await trainer.call(handler(QuestionnaireEditorState, "delete"), path=path)
    await trainer.call(handler(QuestionnaireEditorState, "save_question"), {"form_data": QUESTION}, path=path)
    with server.session() as db:
        assert db.get(Questionnaire, made.id) is not None
        assert len(db.exec(select(Question).where(Question.questionnaire_id == made.id)).all()) == 1
    for client in (staff, trainer):
        await client.close()


async def test_a_learner_is_refused_everywhere_and_sees_no_answer(server) -> None:
    title = f"Quiz sécurité {uuid.uuid4().hex[:6]}"
    staff = await signed_in_tab(server.url, STAFF)
    await staff.call(
        handler(QuestionnaireLibraryState, "create"),
        {"form_data": {"title": title, "use": "quiz", "tags": ""}},
        path=LIBRARY,
    )
    made = _questionnaire(server, title)
    assert made is not None
    path = f"{LIBRARY}/{made.id}"
    await staff.call(handler(QuestionnaireEditorState, "load"), path=path)
    await staff.call(handler(QuestionnaireEditorState, "new_question"), path=path)
    await staff.call(handler(QuestionnaireEditorState, "save_question"), {"form_data": QUESTION}, path=path)
    await staff.close()
    with server.session() as db:
        assert len(db.exec(select(Question).where(Question.questionnaire_id == made.id)).all()) == 1

    learner = await signed_in_tab(server.url, LEARNER)
    seen: list = []
    seen += await learner.call(handler(QuestionnaireLibraryState, "load"), path=LIBRARY)
    assert var(seen, QuestionnaireLibraryState, "allowed") is False
    seen += await learner.call(handler(QuestionnaireEditorState, "load"), path=path)
    assert var(seen, QuestionnaireEditorState, "allowed") is False
    seen += await learner.call(
        handler(QuestionnaireLibraryState, "create"),
        {"form_data": {"title": "Pirate", "use": "quiz", "tags": ""}},
        path=LIBRARY,
    )
    seen += await learner.call(handler(QuestionnaireEditorState, "save_question"), {"form_data": QUESTION}, path=path)
    seen += await learner.call(
        handler(QuestionnaireLibraryState, "duplicate"), {"questionnaire_id": made.id}, path=LIBRARY
    )
    blob = json.dumps(seen)
    assert QUESTION["text"] not in blob and "Exact." not in blob
    assert _export(server, learner, made.id or 0).status_code == 404
    with server.session() as db:
        assert db.exec(select(Questionnaire).where(Questionnaire.title == "Pirate")).first() is None
        copies = db.exec(select(Questionnaire).where(col(Questionnaire.title).startswith(title))).all()
        assert len(copies) == 1
        assert len(db.exec(select(Question).where(Question.questionnaire_id == made.id)).all()) == 1
    await learner.close()


async def test_a_trainer_attaches_a_questionnaire_a_learner_cannot(server) -> None:
    title = f"Quiz d'entraînement {uuid.uuid4().hex[:6]}"
    with server.session() as db:
        trainer_id = db.exec(select(User.id).where(User.email == TRAINER)).one()
        found = db.exec(
            select(Activity.id, TrainingSession.id)
            .join(Module, col(Module.id) == col(Activity.module_id))
            .join(TrainingSession, col(TrainingSession.id) == col(Module.session_id))
            .join(TrainerPosition, col(TrainerPosition.session_id) == col(TrainingSession.id))
            .where(TrainerPosition.user_id == trainer_id, Activity.kind == "quiz", TrainingSession.status == "active")
            .where(col(Activity.id).not_in(select(EvaluationAttempt.activity_id)))  # nobody started it
        ).first()
        assert found is not None, "the demo gives the trainer an active session with a quiz nobody started"
        activity_id, session_id = found
        seeded = db.exec(select(QuestionnaireUse).where(QuestionnaireUse.activity_id == activity_id)).first()
        restore = (seeded.questionnaire_id, seeded.moment) if seeded is not None else None
    staff = await signed_in_tab(server.url, STAFF)
    await staff.call(
        handler(QuestionnaireLibraryState, "create"),
        {"form_data": {"title": title, "use": "quiz", "tags": ""}},
        path=LIBRARY,
    )
    await staff.close()
    made = _questionnaire(server, title)
    assert made is not None
    page = f"/sessions/{session_id}"
    attach = {"activity_id": str(activity_id), "questionnaire_id": str(made.id), "moment": "", "send_after_days": ""}

    learner = await signed_in_tab(server.url, LEARNER)
    await learner.call(handler(QuestionnaireUsesState, "load_uses"), path=page)
    await learner.call(handler(QuestionnaireUsesState, "attach"), {"form_data": attach}, path=page)
    await learner.close()
    with server.session() as db:
        use = db.exec(select(QuestionnaireUse).where(QuestionnaireUse.activity_id == activity_id)).first()
        assert use is None or use.questionnaire_id != made.id

    trainer = await signed_in_tab(server.url, TRAINER)
    await trainer.call(handler(QuestionnaireUsesState, "load_uses"), path=page)
    # A moment the quiz does not have: refused, for its field.
    bad = await trainer.call(
        handler(QuestionnaireUsesState, "attach"), {"form_data": {**attach, "moment": "cold"}}, path=page
    )
    assert "moment" in var(bad, QuestionnaireUsesState, "field_errors")
    done = await trainer.call(handler(QuestionnaireUsesState, "attach"), {"form_data": attach}, path=page)
    assert var(done, QuestionnaireUsesState, "attached_titles")[str(activity_id)] == title
    with server.session() as db:
        use = db.exec(select(QuestionnaireUse).where(QuestionnaireUse.activity_id == activity_id)).one()
        assert use.questionnaire_id == made.id
        if restore is None:  # the demo as other tests know it
            db.delete(use)
        else:
            use.questionnaire_id, use.moment = restore
            db.add(use)
        db.commit()
    await trainer.close()
