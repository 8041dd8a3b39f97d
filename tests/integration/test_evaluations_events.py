"""Evaluations over real websockets: what a learner's frames carry, refusals, and the trainer's live results."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from app.models import User
from app.models.base import utcnow
from app.models.evaluations import EvaluationAnswer, EvaluationAttempt, Question
from state.evaluations import EvaluationPanelState, EvaluationResultsState
from state.session_page import SessionPageState
from tests.evaluations_setup import (
    RIGHT_FEEDBACK,
    SECRET_FEEDBACK,
    TRAINER,
    Attached,
    Drawn,
    attach,
    attach_draw,
    forget,
    learner_emails,
    new_learner,
    sst_session,
)
from tests.live import handler, signed_in_tab, var
from tests.wsclient import ReflexClient, merged_delta

PANEL = EvaluationPanelState
# What grading knows and a learner's browser must never get.
KEY_FIELDS = ('"correct"', '"points"', '"max_points"', '"answer_number"', '"tolerance"', '"passing_score"')


def _learner(server, index: int) -> str:
    with server.session() as db:
        return learner_emails(db, sst_session(db).id or 0)[index]


async def _open(client: ReflexClient, found: Attached | Drawn) -> list[dict[str, Any]]:
    path = f"/sessions/{found.session_id}"
    got = await client.call(handler(SessionPageState, "load"), path=path)
    got += await client.call(
        handler(SessionPageState, "open_activity"), {"activity_id": str(found.activity_id)}, path=path
    )
    got += await client.call(handler(PANEL, "load"), path=path)
    return got


async def _act(client: ReflexClient, found: Attached | Drawn, name: str, **payload: Any) -> list[dict[str, Any]]:
    return await client.call(handler(PANEL, name), payload, path=f"/sessions/{found.session_id}")


async def _answer_everything(client: ReflexClient, found: Attached, *, choice: int) -> list[dict[str, Any]]:
    got = await _act(client, found, "start")
    got += await _act(client, found, "choose", question_id=str(found.single_id), choice_id=str(choice))
    cards = var(got, PANEL, "cards") or []
    multiple = next(c for c in cards if c["id"] == str(found.multiple_id))
    for c in multiple["choices"][:2]:
        got += await _act(client, found, "choose", question_id=str(found.multiple_id), choice_id=c["id"])
    got += await _act(client, found, "rate", question_id=str(found.scale_id), level="4")
    got += await _act(client, found, "write", question_id=str(found.text_id), text="Savoir réagir vite")
    got += await _act(client, found, "write", question_id=str(found.number_id), text="100")
    return got


def _frames_hide_the_key(messages: list[dict[str, Any]], *also: str) -> None:
    blob = json.dumps(messages, ensure_ascii=False)
    leaked = [s for s in (*KEY_FIELDS, *also) if s in blob]
    assert leaked == [], leaked


async def test_a_learner_sees_their_score_and_never_the_right_answers(server) -> None:
    with server.session() as db:
        found = attach(db, "diagnostic", "Positionnement SST (intégration)")
    learner = await signed_in_tab(server.url, _learner(server, 0))
    got = await _open(learner, found)
    assert var(got, PANEL, "mode") == "questionnaire"
    got += await _answer_everything(learner, found, choice=found.wrong_choice)
    cards = var(got, PANEL, "cards")
    assert len(cards) == 5 and all(c["answered"] for c in cards)
    assert all(c["verdict"] == "" and c["feedback"] == [] for c in cards)  # a diagnostic gives no feedback
    got += await _act(learner, found, "ask_submit")
    got += await _act(learner, found, "submit")
    assert var(got, PANEL, "status") == "submitted"
    assert var(got, PANEL, "score") == "66,67 %"  # the single choice wrong, the multiple and the number right
    assert var(got, PANEL, "cards") == []  # the questions go: no right answer to read back
    _frames_hide_the_key(got, SECRET_FEEDBACK, RIGHT_FEEDBACK)
    # A reload shows the score again, still without the answers.
    again = await learner.call(handler(PANEL, "load"), path=f"/sessions/{found.session_id}")
    assert var(again, PANEL, "score") in ("66,67 %", None)
    _frames_hide_the_key(again, SECRET_FEEDBACK, RIGHT_FEEDBACK)
    await learner.close()


async def test_a_quiz_gives_feedback_on_the_chosen_answer_only(server) -> None:
    with server.session() as db:
        found = attach(db, "quiz", "Quiz SST (intégration)")
    learner = await signed_in_tab(server.url, _learner(server, 1))
    got = await _open(learner, found)
    got += await _act(learner, found, "start")
    got += await _act(learner, found, "choose", question_id=str(found.single_id), choice_id=str(found.right_choice))
    card = next(c for c in var(got, PANEL, "cards") if c["id"] == str(found.single_id))
    assert card["verdict"] == "right" and card["feedback"] == [RIGHT_FEEDBACK]
    got += await _act(learner, found, "submit")
    assert var(got, PANEL, "attempts_left") == -1  # unlimited
    got += await _act(learner, found, "start")  # a new attempt
    assert var(got, PANEL, "status") == "in_progress"
    blob = json.dumps(got, ensure_ascii=False)
    assert SECRET_FEEDBACK not in blob  # the feedback of answers not chosen
    for field in ('"correct"', '"points"', '"answer_number"'):
        assert field not in blob
    await learner.close()


async def test_a_late_certification_answer_is_refused(server) -> None:
    with server.session() as db:
        found = attach(db, "certification", "Certification SST (intégration)", time_limit_s=600)
    email = _learner(server, 2)
    learner = await signed_in_tab(server.url, email)
    got = await _open(learner, found)
    got += await _act(learner, found, "start")
    remaining = var(got, PANEL, "remaining_s")
    assert 590 <= remaining <= 600
    # A reload gives the countdown back from the server's deadline.
    again = await learner.call(handler(PANEL, "load"), path=f"/sessions/{found.session_id}")
    assert 0 < var(again, PANEL, "remaining_s") <= remaining
    with server.session() as db:
        uid = db.exec(select(User.id).where(User.email == email)).one()
        attempt = db.exec(
            select(EvaluationAttempt).where(
                EvaluationAttempt.activity_id == found.activity_id, EvaluationAttempt.user_id == uid
            )
        ).one()
        attempt.deadline = utcnow() - timedelta(seconds=1)
        db.add(attempt)
        db.commit()
        attempt_id = attempt.id
    late = await _act(learner, found, "choose", question_id=str(found.single_id), choice_id=str(found.right_choice))
    assert "temps imparti est écoulé" in (var(late, PANEL, "error") or "")
    with server.session() as db:
        assert db.exec(select(EvaluationAnswer).where(EvaluationAnswer.attempt_id == attempt_id)).first() is None
    await learner.close()


async def test_answering_questions_not_drawn_for_you_is_refused(server) -> None:
    with server.session() as db:
        drawn = attach_draw(db, "Certification tirée (intégration)", pool=6, size=3)
        email = new_learner(db, "tirage")
    learner = await signed_in_tab(server.url, email)
    try:
        got = await _open(learner, drawn)
        got += await _act(learner, drawn, "start")
        mine = [int(c["id"]) for c in var(got, PANEL, "cards")]
        others = [q for q in drawn.bank_ids if q not in mine]
        assert len(mine) == 3 and len(others) == 3
        got += await _act(learner, drawn, "choose", question_id=str(mine[0]), choice_id=str(drawn.right[mine[0]]))
        # Forged: questions of the bank drawn for someone else, and a drawn question given another one's answer.
        for question in others:
            got += await _act(learner, drawn, "choose", question_id=str(question), choice_id=str(drawn.right[question]))
        got += await _act(learner, drawn, "choose", question_id=str(mine[1]), choice_id=str(drawn.right[others[0]]))
        with server.session() as db:
            uid = db.exec(select(User.id).where(User.email == email)).one()
            attempt = db.exec(
                select(EvaluationAttempt).where(
                    EvaluationAttempt.activity_id == drawn.activity_id, EvaluationAttempt.user_id == uid
                )
            ).one()
            assert attempt.seed is not None and json.loads(attempt.question_ids_json) == mine
            stored = db.exec(select(EvaluationAnswer).where(EvaluationAnswer.attempt_id == attempt.id)).all()
        assert [(a.question_id, json.loads(a.value_json)) for a in stored] == [(mine[0], drawn.right[mine[0]])]
        # Nothing of the questions not drawn reached the browser.
        blob = json.dumps(got, ensure_ascii=False)
        with server.session() as db:
            texts = db.exec(select(Question.text).where(col(Question.id).in_(others))).all()
        assert texts and not [text for text in texts if text in blob]
        got = await _act(learner, drawn, "submit")
        assert var(got, PANEL, "score") == "33,33 %"
    finally:
        await learner.close()
        with server.session() as db:
            forget(db, drawn.activity_id, (email,))


async def test_answering_twice_is_refused(server) -> None:
    with server.session() as db:
        found = attach(db, "diagnostic", "Positionnement SST bis (intégration)")
    email = _learner(server, 3)
    learner = await signed_in_tab(server.url, email)
    await _open(learner, found)
    await _answer_everything(learner, found, choice=found.right_choice)
    await _act(learner, found, "submit")
    with server.session() as db:
        uid = db.exec(select(User.id).where(User.email == email)).one()
        before = sorted(
            (a.question_id, a.value_json)
            for a in db.exec(
                select(EvaluationAnswer)
                .join(EvaluationAttempt, col(EvaluationAttempt.id) == col(EvaluationAnswer.attempt_id))
                .where(EvaluationAttempt.activity_id == found.activity_id, EvaluationAttempt.user_id == uid)
            ).all()
        )
    again = await _act(learner, found, "start")
    assert "toutes vos tentatives" in (var(again, PANEL, "error") or "")
    again += await _act(learner, found, "submit")
    again += await _act(learner, found, "choose", question_id=str(found.single_id), choice_id=str(found.wrong_choice))
    again += await _act(learner, found, "write", question_id=str(found.number_id), text="3")
    with server.session() as db:
        attempts = db.exec(
            select(EvaluationAttempt).where(
                EvaluationAttempt.activity_id == found.activity_id, EvaluationAttempt.user_id == uid
            )
        ).all()
        after = sorted(
            (a.question_id, a.value_json)
            for a in db.exec(select(EvaluationAnswer).where(EvaluationAnswer.attempt_id == attempts[0].id)).all()
        )
    assert len(attempts) == 1 and after == before
    await learner.close()


async def test_a_learner_cannot_call_the_trainers_handlers(server) -> None:
    with server.session() as db:
        found = attach(db, "diagnostic", "Positionnement SST ter (intégration)")
        others = learner_emails(db, found.session_id)
    learner = await signed_in_tab(server.url, others[4])
    path = f"/sessions/{found.session_id}/resultats/{found.activity_id}"
    got = await learner.call(handler(EvaluationResultsState, "load"), path=path)
    assert var(got, EvaluationResultsState, "found") is False
    with server.session() as db:
        classmate = db.exec(select(User.id).where(User.email == others[5])).one()
    for name, payload in (
        ("show_detail", {"user_id": str(classmate)}),
        ("open_grid", {"user_id": str(classmate)}),
        ("save_grid", {"form_data": {"level_0": "acquired"}}),
    ):
        got += await learner.call(handler(EvaluationResultsState, name), payload, path=path)
    delta = merged_delta(got).get(EvaluationResultsState.get_full_name(), {})
    assert not delta.get("detail_name_rx_state_") and not delta.get("rows_rx_state_")
    assert "Protéger" not in json.dumps(got, ensure_ascii=False)
    await learner.close()


async def test_the_trainers_results_receive_a_submission_live(server) -> None:
    with server.session() as db:
        found = attach(db, "diagnostic", "Positionnement SST en direct (intégration)")
    trainer = await signed_in_tab(server.url, TRAINER)
    path = f"/sessions/{found.session_id}/resultats/{found.activity_id}"
    loaded = await trainer.call(handler(EvaluationResultsState, "load"), path=path)
    assert var(loaded, EvaluationResultsState, "found") is True
    assert var(loaded, EvaluationResultsState, "answered") in (0, None)
    expected = var(loaded, EvaluationResultsState, "expected")
    assert expected and expected > 0
    email = _learner(server, 6)
    learner = await signed_in_tab(server.url, email)
    await _open(learner, found)
    await _answer_everything(learner, found, choice=found.right_choice)
    await trainer.drain(quiet=0.3)  # the "in progress" line arrived meanwhile
    await _act(learner, found, "submit")
    pushed = await trainer.until(lambda m: var([m], EvaluationResultsState, "answered") == 1)
    rows = var(pushed, EvaluationResultsState, "rows")
    with server.session() as db:
        name = db.exec(select(User).where(User.email == email)).one().display_name
    line = next(r for r in rows if r["name"] == name)
    assert line["status"] == "submitted" and line["score"] == 100
    # The trainer reads the answers, right answers included (theirs to see).
    detail = await trainer.call(
        handler(EvaluationResultsState, "show_detail"), {"user_id": str(line["user_id"])}, path=path
    )
    assert var(detail, EvaluationResultsState, "detail_name") == name
    assert "Protéger" in json.dumps(detail, ensure_ascii=False)
    await learner.close()
    await trainer.close()
