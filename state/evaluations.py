"""Evaluations: the learner's questionnaire in the session page's activity panel, and an activity's results page.

The learner's part (`EvaluationPanelState`) holds only what `attempts.learner_view` gives (never a right
answer, a point or the feedback of an answer not chosen), reshaped as one card per question; each answer
is saved as a draft as it is given, so a reload or a lost connection loses nothing. The results page
(`EvaluationResultsState`) is live: a submission announced on the session (`EvaluationAnswered`) reloads it
as the tab's own actor.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from app.i18n import decimal_text, percent_text, t
from app.live.contract import (
    EvaluationAnswered,
    EvaluationStarted,
    LiveEvent,
    PeopleChanged,
    ProgressChanged,
    followers_topic,
    session_topic,
)
from app.models.evaluations import EVALUATION_KINDS, GRID_LEVELS
from app.services.access import Capability, access_activity
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations import attempts, grids, report, results
from state import live
from state.common import clean_id, clean_str, error_message, form_fields, route_id, run_db
from state.guard import SIGNED_IN, policy, require_actor, roles, tab_actor
from state.session import SessionState
from state.session_page import SessionPageState

OVERSEERS = roles("staff", "trainer")
GRID_KIND = grids.GRID_KIND
SELF_KIND = grids.SELF_KIND
QUALITY_KIND = "quality_evaluation"
TEXT_LIMIT = 4000
LIVE_GAP_S = 0.2


@dataclass(frozen=True)
class ChoiceCard:
    """An answer offered, as the learner sees it, ticked or not."""

    id: str
    label: str
    chosen: bool


@dataclass(frozen=True)
class RowCard:
    """A row of a Likert grid, with the learner's level ("" before one is chosen)."""

    index: str
    label: str
    level: str


@dataclass(frozen=True)
class QuestionCard:
    """One question of the learner's attempt, with their answer and (a quiz's) feedback on it."""

    id: str
    number: int
    kind: str
    text: str
    levels: list[str]  # a scale's or a grid's levels, "1" to the maximum
    rows: list[RowCard]
    choices: list[ChoiceCard]
    value: str  # a scale's level, a text or a number as given
    answered: bool
    verdict: str  # a quiz's: "right", "wrong", or ""
    feedback: list[str]


def _decode(value_json: str) -> object:
    try:
        return json.loads(value_json)
    except ValueError:
        return None


def _answered(value: object) -> bool:
    if isinstance(value, list):
        return any(v is not None for v in value)
    return value not in (None, "")


def _card(
    number: int, question: attempts.LearnerQuestion, value: object, feedback: attempts.LearnerFeedback | None
) -> QuestionCard:
    kind = question["kind"]
    chosen = set(value) if isinstance(value, list) else {value}
    levels = [str(n) for n in range(1, question["scale_max"] + 1)]
    row_values = value if kind == "likert" and isinstance(value, list) else []
    rows = [
        RowCard(
            index=str(i),
            label=label,
            level=str(row_values[i]) if i < len(row_values) and row_values[i] is not None else "",
        )
        for i, label in enumerate(question["rows"])
    ]
    shown = ""
    if kind in ("scale", "short_text", "long_text", "number") and value is not None:
        shown = str(value)
        if kind == "number" and isinstance(value, float) and value.is_integer():
            shown = str(int(value))
    return QuestionCard(
        id=str(question["id"]),
        number=number,
        kind=kind,
        text=question["text"],
        levels=levels,
        rows=rows,
        choices=[ChoiceCard(id=str(c["id"]), label=c["label"], chosen=c["id"] in chosen) for c in question["choices"]],
        value=shown,
        answered=_answered(value),
        verdict="" if feedback is None else ("right" if feedback["correct"] else "wrong"),
        feedback=[] if feedback is None else list(feedback["feedback"]),
    )


def _cards(view: attempts.LearnerQuestionnaire) -> list[QuestionCard]:
    values = {a["question_id"]: _decode(a["value_json"]) for a in view["answers"]}
    feedback = {f["question_id"]: f for f in view["feedback"]}
    return [_card(n, q, values.get(q["id"]), feedback.get(q["id"])) for n, q in enumerate(view["questions"], start=1)]


def _index(value: object) -> int | None:
    """A client-sent position (0 included), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit() and len(value) < 6:
        return int(value)
    return value if isinstance(value, int) and 0 <= value < 100_000 else None


class EvaluationPanelState(rx.State):
    """The learner's part of an evaluation activity's panel: the questionnaire, a self-assessment, or their grid."""

    activity_id: rx.Field[str] = rx.field("")
    kind: rx.Field[str] = rx.field("")
    # questionnaire, self (a self-assessment on the course's competencies), grid (their third-party grid),
    # missing (no questionnaire attached yet), or "" (not a learner of the activity: nothing shown).
    mode: rx.Field[str] = rx.field("")
    status: rx.Field[str] = rx.field("")  # not_started, in_progress, submitted
    description: rx.Field[str] = rx.field("")
    attempts_used: rx.Field[int] = rx.field(0)
    attempts_left: rx.Field[int] = rx.field(0)  # -1: unlimited
    remaining_s: rx.Field[int] = rx.field(-1)  # -1: no time limit
    attempt_key: rx.Field[str] = rx.field("")  # changes with each attempt: the cards' fields start afresh
    cards: rx.Field[list[QuestionCard]] = rx.field(default_factory=list)
    score: rx.Field[str] = rx.field("")
    passed: rx.Field[str] = rx.field("")  # "yes", "no", or "" when there is no passing score
    submitted_at: rx.Field[str] = rx.field("")
    confirming: rx.Field[bool] = rx.field(False)
    saving: rx.Field[bool] = rx.field(False)
    self_lines: rx.Field[list[grids.SelfLine]] = rx.field(default_factory=list)
    grid: rx.Field[grids.GridView | None] = rx.field(None)
    notice: rx.Field[str] = rx.field("")
    error: rx.Field[str] = rx.field("")
    _activity_id: int = 0

    def _clear(self) -> None:
        self.activity_id, self.kind, self.mode, self.status, self.description = "", "", "", "", ""
        self.attempts_used, self.attempts_left, self.remaining_s, self.attempt_key = 0, 0, -1, ""
        self.cards, self.score, self.passed, self.submitted_at = [], "", "", ""
        self.confirming, self.saving, self.self_lines, self.grid, self.notice, self.error = (
            False,
            False,
            [],
            None,
            "",
            "",
        )

    def _take(self, view: attempts.LearnerQuestionnaire) -> None:
        self.mode, self.status, self.description = "questionnaire", view["status"], view["description"]
        self.attempts_used, self.attempts_left, self.remaining_s = (
            view["attempts_used"],
            view["attempts_left"],
            view["remaining_s"],
        )
        self.attempt_key = f"{view['activity_id']}-{view['attempts_used']}-{view['status']}"
        self.cards = _cards(view)
        self.score = percent_text(view["score"])
        # Pass or fail is a certification's or a quiz's; a diagnostic positions, it is not passed.
        decided = view["passed"] is not None and view["kind"] in ("certification", "quiz")
        self.passed = ("yes" if view["passed"] else "no") if decided else ""
        self.submitted_at = view["submitted_at"]

    async def _lang(self) -> str:
        return (await self.get_state(SessionState)).lang

    async def _show(self, actor: Actor) -> None:
        aid, kind = self._activity_id, self.kind
        try:
            if kind == GRID_KIND:
                self.grid, self.mode = await run_db(lambda db: grids.my_grid(db, actor, aid)), "grid"
                return
            if kind == SELF_KIND:
                lines = await run_db(lambda db: grids.self_form(db, actor, aid))
                if lines:
                    self.self_lines, self.mode = lines, "self"
                    return
            self._take(await run_db(lambda db: attempts.learner_view(db, actor, aid)))
        except PlumeError as err:
            # Not a learner of the activity (its trainers see the results link instead), or nothing attached yet.
            self.mode = "missing" if err.code == ErrorCode.QUESTIONNAIRE_MISSING else ""

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Show the learner's part of the evaluation activity open in the session page's panel."""
        actor = require_actor()
        page = await self.get_state(SessionPageState)
        kind = str(page.activity.get("kind", ""))
        self._clear()
        if kind not in EVALUATION_KINDS or not page._activity_id:
            self._activity_id = 0
            return
        self._activity_id, self.kind, self.activity_id = page._activity_id, kind, str(page._activity_id)
        await self._show(actor)

    async def _fail(self, err: PlumeError, actor: Actor) -> None:
        self.error = error_message(await self._lang(), err)
        if err.code in (ErrorCode.EVALUATION_DEADLINE, ErrorCode.EVALUATION_SUBMITTED):
            kept = self.error
            await self._show(actor)  # the attempt moved on: show where it stands
            self.error = kept

    @rx.event
    @policy(SIGNED_IN)
    async def start(self) -> None:
        """Start an attempt (or take the open one back, with its deadline)."""
        actor, aid = require_actor(), self._activity_id
        self.error, self.notice, self.confirming = "", "", False
        if not aid or self.mode != "questionnaire":
            return
        try:
            self._take(await run_db(lambda db: attempts.start(db, actor, aid)))
        except PlumeError as err:
            await self._fail(err, actor)

    def _find(self, question_id: Any) -> QuestionCard | None:
        qid = clean_id(question_id)
        return next((c for c in self.cards if c.id == str(qid)), None) if qid else None

    async def _save(self, card: QuestionCard, value: object) -> None:
        actor, aid, qid = require_actor(), self._activity_id, int(card.id)
        self.error, self.notice = "", ""
        if not aid or self.status != "in_progress":
            return
        try:
            saved = await run_db(lambda db: attempts.save_answer(db, actor, aid, qid, value))
        except PlumeError as err:
            await self._fail(err, actor)
            return
        fresh = _card(
            card.number,
            attempts.LearnerQuestion(
                id=qid,
                kind=card.kind,
                text=card.text,
                scale_max=len(card.levels),
                rows=[r.label for r in card.rows],
                choices=[attempts.LearnerChoice(id=int(c.id), label=c.label) for c in card.choices],
            ),
            value,
            next((f for f in saved["feedback"] if f["question_id"] == qid), None),
        )
        self.cards = [fresh if c.id == card.id else c for c in self.cards]

    @rx.event
    @policy(SIGNED_IN)
    async def choose(self, question_id: Any, choice_id: Any) -> None:
        """Choose an answer of a single choice question, or tick / untick one of a multiple choice question.

        Args:
            question_id: The question.
            choice_id: One of its choices.
        """
        card, cid = self._find(question_id), clean_id(choice_id)
        if card is None or cid is None or str(cid) not in {c.id for c in card.choices}:
            return
        if card.kind == "single":
            await self._save(card, cid)
        elif card.kind == "multiple":
            ticked = {int(c.id) for c in card.choices if c.chosen} ^ {cid}
            await self._save(card, sorted(ticked))

    @rx.event
    @policy(SIGNED_IN)
    async def rate(self, question_id: Any, level: Any) -> None:
        """Choose a level on a scale question.

        Args:
            question_id: The question.
            level: From 1 to the scale's maximum.
        """
        card, chosen = self._find(question_id), clean_id(level)
        if card is not None and card.kind == "scale" and chosen is not None:
            await self._save(card, chosen)

    @rx.event
    @policy(SIGNED_IN)
    async def rate_row(self, question_id: Any, row: Any, level: Any) -> None:
        """Choose a level on one row of a Likert grid.

        Args:
            question_id: The question.
            row: The row's index.
            level: From 1 to the grid's maximum.
        """
        card, chosen, index = self._find(question_id), clean_id(level), _index(row)
        if card is None or card.kind != "likert" or chosen is None or index is None or index >= len(card.rows):
            return
        levels: list[int | None] = [int(r.level) if r.level else None for r in card.rows]
        levels[index] = chosen
        await self._save(card, levels)

    @rx.event
    @policy(SIGNED_IN)
    async def write(self, question_id: Any, text: Any) -> None:
        """Save a text or number answer as typed (an empty one clears it).

        Args:
            question_id: The question.
            text: What the learner typed.
        """
        card = self._find(question_id)
        if card is None or card.kind not in ("short_text", "long_text", "number") or not isinstance(text, str):
            return
        typed = clean_str(text, TEXT_LIMIT + 1)
        if typed.strip() == card.value.strip():
            return
        await self._save(card, typed if typed.strip() else None)

    @rx.event
    @policy(SIGNED_IN)
    def ask_submit(self) -> None:
        """Ask the learner to confirm sending their answers."""
        self.confirming, self.error, self.notice = self.status == "in_progress", "", ""

    @rx.event
    @policy(SIGNED_IN)
    def cancel_submit(self) -> None:
        """Keep answering."""
        self.confirming = False

    @rx.event
    @policy(SIGNED_IN)
    async def submit(self) -> AsyncIterator[Any]:
        """Send the learner's answers: graded, final (the score shows for the graded kinds, never the right answers).

        Yields:
            Once, to show that it is sending.
        """
        actor, aid = require_actor(), self._activity_id
        self.confirming, self.error, self.notice = False, "", ""
        if not aid or self.mode != "questionnaire":
            return
        self.saving = True
        yield
        try:
            self._take(await run_db(lambda db: attempts.submit(db, actor, aid)))
        except PlumeError as err:
            self.saving = False
            await self._fail(err, actor)
            return
        self.saving = False
        self.notice = t(await self._lang(), "evaluation.sent")

    @rx.event
    @policy(SIGNED_IN)
    async def time_up(self) -> None:
        """The countdown reached zero in the browser: send what was saved in time, once the server agrees."""
        actor, aid = require_actor(), self._activity_id
        if not aid or self.mode != "questionnaire":
            return
        try:
            view = await run_db(lambda db: attempts.learner_view(db, actor, aid))
            if view["status"] == "in_progress" and view["remaining_s"] == 0:
                view = await run_db(lambda db: attempts.submit(db, actor, aid))
        except PlumeError as err:
            await self._fail(err, actor)
            return
        self._take(view)
        if view["status"] == "submitted":
            self.notice = t(await self._lang(), "evaluation.time_up")

    @rx.event
    @policy(SIGNED_IN)
    async def position(self, competency_id: Any, level: Any) -> None:
        """Position oneself on a competency of the course (self-assessment).

        Args:
            competency_id: The competency.
            level: From 1 to 5.
        """
        actor, aid = require_actor(), self._activity_id
        cid, chosen = clean_id(competency_id), clean_id(level)
        self.error, self.notice = "", ""
        if not aid or self.mode != "self" or cid is None or chosen is None:
            return
        try:
            self.self_lines = await run_db(lambda db: grids.position_self(db, actor, aid, cid, chosen))
        except PlumeError as err:
            self.error = error_message(await self._lang(), err)


@dataclass(frozen=True)
class SelfRow:
    """A learner's self-assessment before and after, one cell per competency of the course."""

    user_id: int
    name: str
    cells: list[str]  # "before → after" per competency ("—" for a level not given)


@dataclass(frozen=True)
class GridChoice:
    """One objective of the grid being filled, with its level and comment."""

    index: str
    objective: str
    level: str
    comment: str


@dataclass(frozen=True)
class DetailLine:
    """One question of a learner's attempt as the trainer reads it: their answer, and whether it was right."""

    number: int
    text: str
    choices: list[results.ChoiceLine]
    answer: str  # a scale's level, a grid's levels, a text or a number ("" for choices: they are ticked)
    verdict: str  # "right", "wrong", or "" when not graded
    points: str


def _answer_text(line: results.AnswerLine) -> str:
    value = _decode(line.answer_json)
    if line.kind in ("single", "multiple") or value is None:
        return ""
    if line.kind == "likert" and isinstance(value, list):
        return " · ".join(
            f"{row} : {level if level is not None else '—'}" for row, level in zip(line.rows, value, strict=False)
        )
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _points(line: results.AnswerLine) -> str:
    if not line.max_points:
        return ""
    return f"{decimal_text(line.points or 0)} / {decimal_text(line.max_points)}"


def _detail_lines(detail: results.AttemptDetail) -> list[DetailLine]:
    return [
        DetailLine(
            number=n,
            text=line.text,
            choices=line.choices,
            answer=_answer_text(line),
            verdict="" if line.correct is None else ("right" if line.correct else "wrong"),
            points=_points(line),
        )
        for n, line in enumerate(detail.lines, start=1)
    ]


def _level_text(level: int) -> str:
    return str(level) if level else "—"


class EvaluationResultsState(live.LiveState, rx.State):
    """An evaluation activity's results page, for staff and the session's trainers; live as answers arrive."""

    live_events: ClassVar[tuple[type[LiveEvent], ...]] = (
        EvaluationAnswered,
        EvaluationStarted,
        ProgressChanged,
        PeopleChanged,
    )
    live_gap_s: ClassVar[float] = LIVE_GAP_S

    loading: rx.Field[bool] = rx.field(True)
    found: rx.Field[bool] = rx.field(False)
    session_id: rx.Field[str] = rx.field("")
    session_title: rx.Field[str] = rx.field("")
    title: rx.Field[str] = rx.field("")
    kind: rx.Field[str] = rx.field("")
    # scores (per learner), quality (anonymous aggregates), grid (third-party), self (competencies before / after),
    # missing (no questionnaire attached yet).
    mode: rx.Field[str] = rx.field("")
    rows: rx.Field[list[results.LearnerResult]] = rx.field(default_factory=list)
    answered: rx.Field[int] = rx.field(0)
    expected: rx.Field[int] = rx.field(0)
    progression: rx.Field[list[results.ProgressionRow]] = rx.field(default_factory=list)
    quality: rx.Field[results.QualityResults | None] = rx.field(None)
    min_answers: rx.Field[int] = rx.field(results.MIN_ANONYMOUS_ANSWERS)
    grid_rows: rx.Field[list[grids.GridLearner]] = rx.field(default_factory=list)
    competencies: rx.Field[list[str]] = rx.field(default_factory=list)
    self_rows: rx.Field[list[SelfRow]] = rx.field(default_factory=list)
    detail_name: rx.Field[str] = rx.field("")  # whose answers are open ("" when none)
    detail_score: rx.Field[str] = rx.field("")
    detail_when: rx.Field[str] = rx.field("")
    detail_lines: rx.Field[list[DetailLine]] = rx.field(default_factory=list)
    grid_name: rx.Field[str] = rx.field("")
    grid_lines: rx.Field[list[GridChoice]] = rx.field(default_factory=list)
    can_grade: rx.Field[bool] = rx.field(False)
    notice: rx.Field[str] = rx.field("")
    error: rx.Field[str] = rx.field("")
    report_url: rx.Field[str] = rx.field("")  # the quality evaluation's "bilan" (PDF)
    report_notice: rx.Field[str] = rx.field("")
    report_error: rx.Field[str] = rx.field("")
    _session_id: int = 0
    _activity_id: int = 0
    _grid_learner: int = 0

    def _empty(self) -> None:
        self.found, self.mode, self.rows, self.progression, self.quality = False, "", [], [], None
        self.grid_rows, self.competencies, self.self_rows = [], [], []
        self.detail_name, self.detail_score, self.detail_when, self.detail_lines = "", "", "", []
        self.grid_lines, self.grid_name, self._grid_learner = [], "", 0

    async def _show(self, actor: Actor | None) -> None:
        aid, sid = self._activity_id, self._session_id
        if actor is None or not aid:
            self._empty()
            return

        def read(db: Session) -> dict[str, Any]:
            activity, _, training, role = access_activity(db, actor, aid, Capability.OVERSEE)
            if training.id != sid or activity.kind not in EVALUATION_KINDS:
                raise PlumeError(ErrorCode.NOT_FOUND)
            found: dict[str, Any] = {
                "title": activity.title,
                "session_title": training.title,
                "kind": activity.kind,
                "can_grade": role.can(Capability.MANAGE),
            }
            if activity.kind == GRID_KIND:
                found["grid_rows"] = grids.grid_learners(db, actor, aid)
                return found
            if activity.kind == SELF_KIND:
                competencies = grids.course_competencies(db, training.course_id)
                if competencies:
                    found["competencies"] = [f"{c.code} — {c.label}" for c in competencies]
                    found["self"] = grids.self_side_by_side(db, actor, aid)
                    return found
            try:
                if activity.kind == QUALITY_KIND:
                    found["quality"] = results.quality_results(db, actor, aid)
                else:
                    found["rows"] = results.learner_results(db, actor, aid)
                    found["progression"] = results.progression(db, actor, aid)
            except PlumeError as err:
                if err.code != ErrorCode.QUESTIONNAIRE_MISSING:
                    raise
                found["missing"] = True
            return found

        try:
            found = await run_db(read)
        except PlumeError:
            self._empty()
            return
        self.found, self.title, self.session_title = True, found["title"], found["session_title"]
        self.kind, self.can_grade = found["kind"], found["can_grade"]
        if found.get("missing"):
            self.mode = "missing"
        elif "grid_rows" in found:
            self.mode, self.grid_rows = "grid", found["grid_rows"]
            self.answered = sum(1 for r in self.grid_rows if r.objectives and r.judged == r.objectives)
            self.expected = len(self.grid_rows)
        elif "self" in found:
            self.mode, self.competencies = "self", found["competencies"]
            self.self_rows = [
                SelfRow(
                    user_id=c.user_id,
                    name=c.name,
                    cells=[f"{_level_text(before)} → {_level_text(after)}" for _, before, after in c.competencies],
                )
                for c in found["self"]
            ]
            self.answered = sum(1 for c in found["self"] if any(a for _, _, a in c.competencies))
            self.expected = len(self.self_rows)
        elif "quality" in found:
            self.mode, self.quality = "quality", found["quality"]
            self.answered, self.expected = found["quality"].answered, found["quality"].expected
        else:
            self.mode, self.rows, self.progression = "scores", found["rows"], found["progression"]
            self.answered = sum(1 for r in self.rows if r.status == "submitted")
            self.expected = len(self.rows)

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the results of the activity in the URL, then follow the session's submissions live."""
        actor = require_actor()
        self.loading, self.notice, self.error = True, "", ""
        self._session_id = route_id(self, "session_id", from_end=3) or 0
        self._activity_id = route_id(self, "activity_id") or 0
        self.session_id = str(self._session_id)
        self.report_url = f"/api/evaluations/{self._activity_id}/bilan.pdf"
        self.report_notice, self.report_error = "", ""
        await self._show(actor)
        self._live_follow_found(self.found, (session_topic(self._session_id), followers_topic(self._session_id)))
        self.loading = False

    async def _live_wants(self, event: LiveEvent) -> bool:
        """A submission or a progress change on this activity, or the session's people.

        Args:
            event: What changed.

        Returns:
            Whether the results may have changed.
        """
        if isinstance(event, (EvaluationAnswered, EvaluationStarted)):
            return event.activity_id == self._activity_id
        if isinstance(event, ProgressChanged):  # graded and anonymous lines follow their own events above
            return event.activity_id == self._activity_id and self.mode not in {"scores", "quality"}
        return True

    async def _live_apply(self, event: LiveEvent) -> bool:
        """One learner's line read again in place, when the event names them (a graded evaluation).

        The whole list is read again otherwise: an anonymous evaluation, a before / after progression, a
        learner not on the list yet.

        Args:
            event: A submission or a progress change on this activity.

        Returns:
            True when the line was replaced.
        """
        uid = getattr(event, "user_id", None)
        if self.mode != "scores" or self.progression or not isinstance(uid, int):
            return False
        index = next((i for i, r in enumerate(self.rows) if r.user_id == uid), None)
        actor, aid = await tab_actor(self), self._activity_id
        if index is None or actor is None:
            return False
        try:
            fresh = await run_db(lambda db: results.learner_results(db, actor, aid, uid))
        except PlumeError:
            return False  # access lost or the questionnaire detached: the reload says what is left
        if len(fresh) != 1:
            return False
        rows = list(self.rows)
        rows[index] = fresh[0]
        self.rows = rows
        self.answered = sum(1 for r in rows if r.status == "submitted")
        return True

    async def _live_load(self, actor: Actor | None) -> None:
        """Reread the results as this tab's own actor (its access re-checked by the services' gates).

        Args:
            actor: The tab's own actor.
        """
        await self._show(actor)
        if not self.found:
            self._live_stop()

    @rx.event
    @policy(OVERSEERS)
    async def send_report(self, form_data: Any) -> None:
        """`Envoyer le bilan`: e-mail the quality evaluation's report (PDF) to the address typed.

        Args:
            form_data: `report_to`, the recipient's address.
        """
        actor, aid = require_actor(), self._activity_id
        lang = (await self.get_state(SessionState)).lang
        self.report_notice, self.report_error = "", ""
        if not aid or self.mode != "quality":
            return
        to = clean_str(form_fields(form_data).get("report_to"), 320)
        try:
            address = await run_db(lambda db: report.send_quality_report(db, actor, aid, to))
        except PlumeError as err:
            self.report_error = error_message(lang, err)
            return
        self.report_notice = t(lang, "evaluation.report_sent", address=address)

    @rx.event
    @policy(OVERSEERS)
    async def show_detail(self, user_id: Any) -> None:
        """Open one learner's last attempt: each question, their answer, right or not.

        Args:
            user_id: The learner.
        """
        actor, aid, uid = require_actor(), self._activity_id, clean_id(user_id)
        self.error = ""
        if not aid or uid is None or self.mode != "scores":
            return
        try:
            detail = await run_db(lambda db: results.learner_detail(db, actor, aid, uid))
        except PlumeError as err:
            self.detail_name, self.detail_lines = "", []
            self.error = error_message((await self.get_state(SessionState)).lang, err)
            return
        self.detail_name, self.detail_score = detail.name, percent_text(detail.score)
        self.detail_when, self.detail_lines = detail.submitted_at, _detail_lines(detail)

    @rx.event
    @policy(OVERSEERS)
    def close_detail(self) -> None:
        """Close the learner's answers."""
        self.detail_name, self.detail_lines = "", []

    @rx.event
    @policy(OVERSEERS)
    async def open_grid(self, user_id: Any) -> None:
        """Open a learner's third-party grid to fill it.

        Args:
            user_id: The learner.
        """
        actor, aid, uid = require_actor(), self._activity_id, clean_id(user_id)
        self.error, self.notice = "", ""
        if not aid or uid is None or self.mode != "grid":
            return
        try:
            view = await run_db(lambda db: grids.grid(db, actor, aid, uid))
        except PlumeError as err:
            self.error = error_message((await self.get_state(SessionState)).lang, err)
            return
        self._take_grid(view)

    def _take_grid(self, view: grids.GridView) -> None:
        self._grid_learner, self.grid_name = view.learner_id, view.name
        self.grid_lines = [
            GridChoice(index=str(n), objective=line.objective, level=line.level, comment=line.comment)
            for n, line in enumerate(view.lines)
        ]

    @rx.event
    @policy(OVERSEERS)
    def close_grid(self) -> None:
        """Close the grid without saving."""
        self.grid_lines, self.grid_name, self._grid_learner, self.error = [], "", 0, ""

    @rx.event
    @policy(OVERSEERS)
    async def save_grid(self, form_data: Any) -> None:
        """Record the grid as filled: a level (Acquis, En cours d'acquisition, Non acquis) and a comment per objective.

        Args:
            form_data: `level_<n>` and `comment_<n>` for each objective of the grid open.
        """
        actor, aid, uid = require_actor(), self._activity_id, self._grid_learner
        form = form_fields(form_data)
        lang = (await self.get_state(SessionState)).lang
        self.error, self.notice = "", ""
        if not aid or not uid or not self.grid_lines:
            return
        entries: list[dict[str, object]] = []
        for line in self.grid_lines:
            level = clean_str(form.get(f"level_{line.index}"), 20)
            entries.append(
                {
                    "objective": line.objective,
                    "level": level if level in GRID_LEVELS else "",
                    "comment": clean_str(form.get(f"comment_{line.index}"), grids.COMMENT_MAX + 1),
                }
            )
        try:
            view = await run_db(lambda db: grids.record_grid(db, actor, aid, uid, entries))
        except PlumeError as err:
            self.error = error_message(lang, err)
            return
        self._take_grid(view)
        self.grid_lines, self.grid_name, self._grid_learner = [], "", 0
        self.notice = t(lang, "evaluation.grid_saved", name=view.name)
        await self._show(actor)
