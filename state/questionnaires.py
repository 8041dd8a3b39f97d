"""The questionnaire library (`Bibliothèque de questionnaires`) and the choice of a questionnaire for an activity.

Its list, a questionnaire's editor, a bank's editor, and, in a session's timeline editor, which
questionnaire an evaluation activity uses.

Staff edit the library, trainers read it and attach its questionnaires; the services
(`app.services.evaluations`) decide, so a forged event gets the refusal a hidden button would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import reflex as rx
from sqlmodel import Session

from app import routes
from app.i18n import t
from app.models.evaluations import EVALUATION_KINDS, QUESTION_KINDS
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations import editing, library, transfer, uses
from app.services.evaluations.library import QuestionnaireRow
from app.services.search import fold
from state.auth import FormState
from state.common import clean_id, clean_str, error_message, form_fields, route_id, run_db
from state.guard import SIGNED_IN, STAFF, policy, require_actor, roles
from state.session import SessionState
from state.session_page import SessionPageState

LIBRARY_READERS = roles("staff", "trainer")
IMPORT_UPLOAD_ID = "questionnaire-import"
MAX_TIME_LIMIT_MIN = library.MAX_TIME_LIMIT_S // 60
CHOICE_KINDS = ("single", "multiple")
SETTINGS_FIELDS = ("title", "use", "description", "passing_score", "attempts_limit", "draw_size", "tags")
GRADING_FIELDS = ("use", "passing_score", "time_limit_s", "attempts_limit", "draw_size")


def filter_rows(rows: Sequence[QuestionnaireRow], query: str, use: str, tag: str) -> list[QuestionnaireRow]:
    """The library rows matching a search (title or tag, case and accents ignored), a use and a tag.

    Args:
        rows: The whole library.
        query: What the person typed ("" for all).
        use: One of the evaluation kinds ("" for all).
        tag: A tag ("" for all).

    Returns:
        The matching rows, in their order.
    """
    words = (fold(query) or "").split()
    found = []
    for row in rows:
        haystack = fold(" ".join([row.title, *row.tags])) or ""
        if use and row.use != use:
            continue
        if tag and tag not in row.tags:
            continue
        if all(word in haystack for word in words):
            found.append(row)
    return found


def tags_of(rows: Sequence[QuestionnaireRow]) -> list[str]:
    """Every tag of the library, sorted (accents ignored), each once.

    Args:
        rows: The library.

    Returns:
        The tags.
    """
    return sorted({tag for row in rows for tag in row.tags}, key=lambda tag: fold(tag) or "")


def _ticked(value: object) -> bool:
    # A ticked checkbox reaches a handler as true (Reflex's form data), or "on" from a plain form post.
    return value is True or value == "on"


def settings_data(form: Mapping[str, object], stored: editing.QuestionnaireDetail | None) -> dict[str, object]:
    """A questionnaire's settings form as `library.parse_questionnaire` reads it.

    The time limit is typed in minutes. A questionnaire learners answered keeps its grading: its stored
    values stand for the (read-only) fields, so only its title, description and tags change.

    Args:
        form: The submitted fields.
        stored: The questionnaire as loaded (None for a new one).

    Returns:
        The data.

    Raises:
        PlumeError: NUMBER_RANGE (field `time_limit_s`) for minutes that are not a whole number in range.
    """
    data: dict[str, object] = {name: clean_str(form.get(name), 4000) for name in SETTINGS_FIELDS}
    minutes = clean_str(form.get("time_limit_min"), 10).strip()
    if minutes and (not minutes.isdigit() or not 1 <= int(minutes) <= MAX_TIME_LIMIT_MIN):
        raise PlumeError(ErrorCode.NUMBER_RANGE, field="time_limit_s", low="1", high=str(MAX_TIME_LIMIT_MIN))
    data["time_limit_s"] = int(minutes) * 60 if minutes else None
    if data["use"] != "certification":
        data["draw_size"] = None
    if stored is not None and stored.frozen:
        data.update(
            use=stored.use,
            passing_score=stored.passing_score,
            time_limit_s=int(stored.time_limit_min) * 60 if stored.time_limit_min else None,
            attempts_limit=stored.attempts_limit or None,
            draw_size=stored.draw_size or None,
        )
    return data


def question_data(form: Mapping[str, object], kind: str, choices: int) -> dict[str, object]:
    """The question dialog's fields as `library.parse_question` reads them.

    Args:
        form: The submitted fields (`choice_label_<n>`, `choice_correct_<n>`, `choice_feedback_<n>` per answer).
        kind: The question's type.
        choices: How many answers the dialog shows.

    Returns:
        The data.
    """
    data: dict[str, object] = {
        "kind": kind,
        "text": clean_str(form.get("text"), 4000),
        "points": clean_str(form.get("points"), 30),
        "tags": clean_str(form.get("tags"), 400),
    }
    if kind in ("scale", "likert"):
        scale = clean_str(form.get("scale_max"), 4)
        data["scale_max"] = int(scale) if scale.isdigit() else None
    if kind == "likert":
        data["rows"] = [line.strip() for line in clean_str(form.get("rows"), 20000).splitlines() if line.strip()]
    if kind == "number":
        data["answer_number"] = clean_str(form.get("answer_number"), 30)
        data["tolerance"] = clean_str(form.get("tolerance"), 30)
    if kind in CHOICE_KINDS:
        data["choices"] = [
            {
                "label": clean_str(form.get(f"choice_label_{n}"), 1000),
                "correct": _ticked(form.get(f"choice_correct_{n}")),
                "feedback": clean_str(form.get(f"choice_feedback_{n}"), 2000),
            }
            for n in range(min(choices, library.MAX_CHOICES))
        ]
    return data


@dataclass(frozen=True)
class ChoiceDraft:
    """An answer in the question dialog, before it is saved."""

    label: str = ""
    correct: bool = False
    feedback: str = ""


class QuestionEditor(FormState, rx.State, mixin=True):
    """The question dialog, shared by a questionnaire's editor and a bank's: type, text, answers, points."""

    can_edit: rx.Field[bool] = rx.field(False)
    question_open: rx.Field[bool] = rx.field(False)
    question_new: rx.Field[bool] = rx.field(True)
    question_kind: rx.Field[str] = rx.field("single")
    question_text: rx.Field[str] = rx.field("")
    question_points: rx.Field[str] = rx.field("1")
    question_scale: rx.Field[str] = rx.field("5")
    question_rows: rx.Field[str] = rx.field("")
    question_answer: rx.Field[str] = rx.field("")
    question_tolerance: rx.Field[str] = rx.field("")
    question_tags: rx.Field[str] = rx.field("")
    choices: rx.Field[list[ChoiceDraft]] = rx.field(default_factory=lambda: [ChoiceDraft(), ChoiceDraft()])
    choices_key: rx.Field[int] = rx.field(0)
    question_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    question_error: rx.Field[str] = rx.field("")
    list_error: rx.Field[str] = rx.field("")  # a move or a delete refused, said above the questions
    _question_id: int = 0

    def _questions(self) -> list[editing.QuestionView]:
        raise NotImplementedError

    def _owner(self) -> dict[str, int]:
        """Where a new question goes: {"questionnaire_id": …} or {"bank_id": …}."""
        raise NotImplementedError

    async def _reload(self) -> None:
        raise NotImplementedError

    def _fill(self, question: editing.QuestionView | None) -> None:
        self.question_errors, self.question_error = {}, ""
        self.choices_key += 1
        if question is None:
            self._question_id, self.question_new, self.question_kind = 0, True, "single"
            self.question_text, self.question_points, self.question_scale = "", "1", "5"
            self.question_rows = self.question_answer = self.question_tolerance = self.question_tags = ""
            self.choices = [ChoiceDraft(), ChoiceDraft()]
            return
        self._question_id, self.question_new, self.question_kind = question.id, False, question.kind
        self.question_text = question.text
        self.question_points = editing.number_text(question.points)
        self.question_scale = str(question.scale_max or 5)
        self.question_rows = "\n".join(question.rows)
        self.question_answer, self.question_tolerance = question.answer_number, question.tolerance
        self.question_tags = question.tags
        self.choices = [ChoiceDraft(c.label, c.correct, c.feedback) for c in question.choices] or [
            ChoiceDraft(),
            ChoiceDraft(),
        ]

    @rx.event
    @policy(STAFF)
    def new_question(self) -> None:
        """Open the dialog on a blank question."""
        self._fill(None)
        self.question_open = True

    @rx.event
    @policy(STAFF)
    def edit_question(self, question_id: Any) -> None:
        """Open the dialog on a question of the list.

        Args:
            question_id: The question.
        """
        qid = clean_id(question_id)
        found = next((q for q in self._questions() if q.id == qid), None)
        if found is not None:
            self._fill(found)
            self.question_open = True

    @rx.event
    @policy(SIGNED_IN)
    def close_question(self) -> None:
        """Close the dialog without saving."""
        self.question_open = False

    @rx.event
    @policy(STAFF)
    def choose_kind(self, kind: Any) -> None:
        """Change the type of the question being written (its fields follow).

        Args:
            kind: One of the question types.
        """
        value = clean_str(kind, 20)
        if value in QUESTION_KINDS:
            self.question_kind = value
            self.question_errors = {}
            if value in CHOICE_KINDS and len(self.choices) < 2:
                self.choices = [*self.choices, *[ChoiceDraft()] * (2 - len(self.choices))]
                self.choices_key += 1

    @rx.event
    @policy(STAFF)
    def add_choice(self) -> None:
        """Offer one more answer."""
        if len(self.choices) < library.MAX_CHOICES:
            self.choices = [*self.choices, ChoiceDraft()]

    @rx.event
    @policy(STAFF)
    def remove_choice(self, index: Any) -> None:
        """Remove an answer.

        Args:
            index: Its rank, from 0.
        """
        at = index if isinstance(index, int) and not isinstance(index, bool) else -1
        if 0 <= at < len(self.choices):
            self.choices = [c for n, c in enumerate(self.choices) if n != at]
            self.choices_key += 1

    def _replace_choice(self, index: object, change: Callable[[ChoiceDraft], ChoiceDraft]) -> None:
        at = index if isinstance(index, int) and not isinstance(index, bool) else -1
        if 0 <= at < len(self.choices):
            self.choices = [change(c) if n == at else c for n, c in enumerate(self.choices)]

    @rx.event
    @policy(STAFF)
    def keep_choice(self, index: Any, name: Any, value: Any) -> None:
        """Remember what was typed in an answer's field (so adding or removing another keeps it).

        Args:
            index: The answer's rank, from 0.
            name: "label" or "feedback".
            value: The text typed.
        """
        if name == "label":
            self._replace_choice(index, lambda c: replace(c, label=clean_str(value, 1000)))
        elif name == "feedback":
            self._replace_choice(index, lambda c: replace(c, feedback=clean_str(value, 2000)))

    @rx.event
    @policy(STAFF)
    def flip_choice(self, index: Any) -> None:
        """Remember that an answer was ticked as right, or no longer.

        Args:
            index: The answer's rank, from 0.
        """
        self._replace_choice(index, lambda c: replace(c, correct=not c.correct))

    @rx.event
    @policy(STAFF)
    async def save_question(self, form_data: Any) -> None:
        """Save the question of the dialog (added at the end, or changed in place).

        Args:
            form_data: text, points, scale_max, rows, answer_number, tolerance, tags, and per answer
                choice_label_<n>, choice_correct_<n>, choice_feedback_<n>.
        """
        actor = require_actor()
        data = question_data(form_fields(form_data), self.question_kind, len(self.choices))
        question_id, owner = self._question_id, self._owner()
        lang = await self._lang()
        try:
            if question_id:
                await run_db(lambda db: library.update_question(db, actor, question_id, data))
            else:
                await run_db(lambda db: library.add_question(db, actor, data, **owner))
        except PlumeError as err:
            text = error_message(lang, err)
            self.question_errors, self.question_error = ({err.field: text}, "") if err.field else ({}, text)
            return
        self.question_open, self.list_error = False, ""
        await self._reload()

    async def _question_work(self, work: Callable[[Session], object]) -> None:
        self._clear()
        self.list_error = ""
        try:
            await run_db(work)
        except PlumeError as err:
            self.list_error = error_message(await self._lang(), err)
            return
        await self._reload()

    @rx.event
    @policy(STAFF)
    async def delete_question(self, question_id: Any) -> None:
        """Delete a question (the page asked first).

        Args:
            question_id: The question.
        """
        qid, actor = clean_id(question_id), require_actor()
        if qid is not None:
            await self._question_work(lambda db: library.delete_question(db, actor, qid))


class QuestionnaireLibraryState(FormState, rx.State):
    """The library's list: search, filters, new questionnaire, new bank, import, duplicate."""

    allowed: rx.Field[bool] = rx.field(True)
    loading: rx.Field[bool] = rx.field(True)
    can_edit: rx.Field[bool] = rx.field(False)
    rows: rx.Field[list[QuestionnaireRow]] = rx.field(default_factory=list)
    total: rx.Field[int] = rx.field(0)
    tags: rx.Field[list[str]] = rx.field(default_factory=list)
    banks: rx.Field[list[editing.BankRow]] = rx.field(default_factory=list)
    query: rx.Field[str] = rx.field("")
    use_filter: rx.Field[str] = rx.field("")
    tag_filter: rx.Field[str] = rx.field("")
    creating: rx.Field[bool] = rx.field(False)
    creating_bank: rx.Field[bool] = rx.field(False)
    importing: rx.Field[bool] = rx.field(False)
    import_error: rx.Field[str] = rx.field("")
    _all: list[QuestionnaireRow] = []  # reflex backend var, copied per tab
    _notice_on_load: str = ""  # said once by the next load (a bank deleted, back to the library)

    def _show(self) -> None:
        self.rows = filter_rows(self._all, self.query, self.use_filter, self.tag_filter)

    async def _reload(self) -> None:
        actor = require_actor()
        try:
            found = await run_db(lambda db: (library.list_questionnaires(db, actor), editing.list_banks(db, actor)))
        except PlumeError:
            self.allowed, self._all, self.rows, self.banks = False, [], [], []
            return
        self.allowed, self.can_edit = True, actor.has_role("staff")
        self._all, self.banks = found
        self.total, self.tags = len(self._all), tags_of(self._all)
        if self.tag_filter not in self.tags:
            self.tag_filter = ""
        self._show()

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the library (anyone but staff or a trainer gets the not-found panel)."""
        self._clear()
        self.notice, self._notice_on_load = self._notice_on_load, ""
        self.import_error, self.creating, self.creating_bank = "", False, False
        await self._reload()
        self.loading = False

    @rx.event
    @policy(LIBRARY_READERS)
    def search(self, query: Any) -> None:
        """Show the questionnaires whose title or tags hold every word typed (case and accents ignored).

        Args:
            query: What the person typed.
        """
        self.query = clean_str(query, 200)
        self._show()

    @rx.event
    @policy(LIBRARY_READERS)
    def filter_use(self, use: Any) -> None:
        """Show one use only ("" for all).

        Args:
            use: One of the six evaluation kinds, or "".
        """
        value = clean_str(use, 40)
        self.use_filter = value if value in EVALUATION_KINDS else ""
        self._show()

    @rx.event
    @policy(LIBRARY_READERS)
    def filter_tag(self, tag: Any) -> None:
        """Show one tag only ("" for all).

        Args:
            tag: One of the library's tags, or "".
        """
        value = clean_str(tag, 100)
        self.tag_filter = value if value in self.tags else ""
        self._show()

    @rx.event
    @policy(LIBRARY_READERS)
    def clear_filters(self) -> None:
        """Show the whole library."""
        self.query = self.use_filter = self.tag_filter = ""
        self._show()

    @rx.event
    @policy(STAFF)
    def open_create(self) -> None:
        """Open the new questionnaire's dialog."""
        self._clear()
        self.creating = True

    @rx.event
    @policy(STAFF)
    def open_create_bank(self) -> None:
        """Open the new bank's dialog."""
        self._clear()
        self.creating_bank = True

    @rx.event
    @policy(SIGNED_IN)
    def close_dialogs(self) -> None:
        """Close the dialogs."""
        self.creating = self.creating_bank = False
        self._clear()

    @rx.event
    @policy(STAFF)
    async def create(self, form_data: Any) -> Any:
        """Add a questionnaire to the library, then open its editor.

        Args:
            form_data: title, use, tags.
        """
        form, actor = form_fields(form_data), require_actor()
        data = {k: clean_str(form.get(k), 400) for k in ("title", "use", "tags")}
        self._start()
        try:
            new_id = await run_db(lambda db: library.create_questionnaire(db, actor, data))
        except PlumeError as err:
            await self._fail(err)
            return None
        self.busy, self.creating = False, False
        return rx.redirect(f"{routes.QUESTIONNAIRES}/{new_id}")

    @rx.event
    @policy(STAFF)
    async def create_bank(self, form_data: Any) -> Any:
        """Add a question bank, then open it.

        Args:
            form_data: title, tags.
        """
        form, actor = form_fields(form_data), require_actor()
        title, tags = clean_str(form.get("title"), 400), clean_str(form.get("tags"), 400)
        self._start()
        try:
            new_id = await run_db(lambda db: library.create_bank(db, actor, title, tags))
        except PlumeError as err:
            await self._fail(err)
            return None
        self.busy, self.creating_bank = False, False
        return rx.redirect(f"{routes.QUESTION_BANKS}/{new_id}")

    @rx.event
    @policy(STAFF)
    async def duplicate(self, questionnaire_id: Any) -> Any:
        """Copy a questionnaire, then open the copy.

        Args:
            questionnaire_id: The questionnaire.
        """
        qid, actor = clean_id(questionnaire_id), require_actor()
        if qid is None:
            return None
        self._clear()
        try:
            new_id = await run_db(lambda db: transfer.duplicate_questionnaire(db, actor, qid))
        except PlumeError as err:
            await self._fail(err)
            return None
        return rx.redirect(f"{routes.QUESTIONNAIRES}/{new_id}")

    @rx.event
    @policy(STAFF)
    async def import_file(self, files: list[rx.UploadFile]) -> AsyncIterator[Any]:
        """Import a questionnaire from an exported JSON file: all of it, or nothing and why.

        Args:
            files: One uploaded file.
        """
        actor = require_actor()
        if not isinstance(files, list) or len(files) != 1 or not hasattr(files[0], "read"):
            return
        lang = await self._lang()
        self._clear()
        self.import_error, self.importing = "", True
        yield
        data = await files[0].read(transfer.MAX_FILE_BYTES + 1)
        try:
            new_id = await run_db(lambda db: transfer.import_questionnaire(db, actor, data))
        except PlumeError as err:
            reason = error_message(lang, err)
            rejected = err.code in (ErrorCode.IMPORT_INVALID, ErrorCode.IMPORT_VERSION)
            self.import_error = reason if rejected else t(lang, "questionnaires.import_refused", reason=reason)
            self.importing = False
            return
        self.importing = False
        yield rx.redirect(f"{routes.QUESTIONNAIRES}/{new_id}")


class QuestionnaireEditorState(QuestionEditor, rx.State):
    """One questionnaire: its settings, its questions (the dialog), duplicate, export, delete."""

    allowed: rx.Field[bool] = rx.field(True)
    loading: rx.Field[bool] = rx.field(True)
    detail: rx.Field[editing.QuestionnaireDetail | None] = rx.field(None)
    questions: rx.Field[list[editing.QuestionView]] = rx.field(default_factory=list)
    banks: rx.Field[list[editing.BankRow]] = rx.field(default_factory=list)
    draft_use: rx.Field[str] = rx.field("")
    settings_key: rx.Field[int] = rx.field(0)
    _id: int = 0

    def _questions(self) -> list[editing.QuestionView]:
        return self.questions

    def _owner(self) -> dict[str, int]:
        return {"questionnaire_id": self._id}

    async def _reload(self) -> None:
        actor, qid = require_actor(), self._id
        try:
            detail, banks = await run_db(
                lambda db: (editing.questionnaire_detail(db, actor, qid), editing.list_banks(db, actor))
            )
        except PlumeError:
            self.allowed, self.detail, self.questions = False, None, []
            return
        self.allowed, self.can_edit = True, actor.has_role("staff")
        self.detail, self.questions, self.banks, self.draft_use = detail, detail.questions, banks, detail.use

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the questionnaire of the page's address (missing and not yours look the same)."""
        self._clear()
        self.question_open, self.loading = False, True
        self._id = route_id(self, "questionnaire_id") or 0
        await self._reload()
        self.settings_key += 1
        self.loading = False

    @rx.event
    @policy(STAFF)
    def choose_use(self, use: Any) -> None:
        """Follow the use picked in the settings (a certification shows its draw from a bank).

        Args:
            use: One of the six evaluation kinds.
        """
        value = clean_str(use, 40)
        if value in EVALUATION_KINDS:
            self.draft_use = value

    @rx.event
    @policy(STAFF)
    async def save_settings(self, form_data: Any) -> None:
        """Save the questionnaire's settings.

        Args:
            form_data: title, use, description, passing_score, time_limit_min, attempts_limit, draw_size,
                bank_id, tags.
        """
        form, actor, qid, stored = form_fields(form_data), require_actor(), self._id, self.detail
        # A frozen questionnaire's bank select is disabled (not submitted): it keeps its bank.
        bank_id = (stored.bank_id or None) if stored is not None and stored.frozen else clean_id(form.get("bank_id"))
        self._start()
        try:
            data = settings_data(form, stored)
        except PlumeError as err:
            await self._fail(err)
            return
        if not await self._submit(lambda db: library.update_questionnaire(db, actor, qid, data, bank_id=bank_id)):
            return
        self.notice = t(await self._lang(), "common.saved")
        await self._reload()

    @rx.event
    @policy(STAFF)
    async def move_question(self, question_id: Any, step: Any) -> None:
        """Move a question up or down.

        Args:
            question_id: The question.
            step: -1 or 1.
        """
        qid, actor = clean_id(question_id), require_actor()
        way = step if step in (-1, 1) and not isinstance(step, bool) else None
        if qid is not None and way is not None:
            await self._question_work(lambda db: editing.move_question(db, actor, qid, way))

    @rx.event
    @policy(STAFF)
    async def duplicate(self) -> Any:
        """Copy the questionnaire (the way to change one learners answered), then open the copy."""
        actor, qid = require_actor(), self._id
        self._clear()
        try:
            new_id = await run_db(lambda db: transfer.duplicate_questionnaire(db, actor, qid))
        except PlumeError as err:
            await self._fail(err)
            return None
        return rx.redirect(f"{routes.QUESTIONNAIRES}/{new_id}")

    @rx.event
    @policy(STAFF)
    async def delete(self) -> Any:
        """Delete the questionnaire (the page asked first); back to the library."""
        actor, qid = require_actor(), self._id
        self._clear()
        try:
            await run_db(lambda db: library.delete_questionnaire(db, actor, qid))
        except PlumeError as err:
            await self._fail(err)
            return None
        return rx.redirect(routes.QUESTIONNAIRES)


class QuestionBankState(QuestionEditor, rx.State):
    """One question bank and its questions (the pool a certification draws from)."""

    allowed: rx.Field[bool] = rx.field(True)
    loading: rx.Field[bool] = rx.field(True)
    bank: rx.Field[editing.BankDetail | None] = rx.field(None)
    questions: rx.Field[list[editing.QuestionView]] = rx.field(default_factory=list)
    settings_key: rx.Field[int] = rx.field(0)
    _id: int = 0

    def _questions(self) -> list[editing.QuestionView]:
        return self.questions

    def _owner(self) -> dict[str, int]:
        return {"bank_id": self._id}

    async def _reload(self) -> None:
        actor, bid = require_actor(), self._id
        try:
            bank = await run_db(lambda db: editing.bank_detail(db, actor, bid))
        except PlumeError:
            self.allowed, self.bank, self.questions = False, None, []
            return
        self.allowed, self.can_edit = True, actor.has_role("staff")
        self.bank, self.questions = bank, bank.questions

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the bank of the page's address (missing and not yours look the same)."""
        self._clear()
        self.question_open, self.loading = False, True
        self._id = route_id(self, "bank_id") or 0
        await self._reload()
        self.settings_key += 1
        self.loading = False

    @rx.event
    @policy(STAFF)
    async def save_bank(self, form_data: Any) -> None:
        """Rename the bank and change its tags.

        Args:
            form_data: title, tags.
        """
        form, actor, bid = form_fields(form_data), require_actor(), self._id
        title, tags = clean_str(form.get("title"), 400), clean_str(form.get("tags"), 400)
        self._start()
        if not await self._submit(lambda db: library.update_bank(db, actor, bid, title, tags)):
            return
        self.notice = t(await self._lang(), "common.saved")
        await self._reload()
        self.settings_key += 1

    @rx.event
    @policy(STAFF)
    async def delete_bank(self) -> Any:
        """Delete the bank and its questions (the page asked first); back to the library, which says so."""
        actor, bid, title = require_actor(), self._id, self.bank.title if self.bank is not None else ""
        self._clear()
        try:
            await run_db(lambda db: library.delete_bank(db, actor, bid))
        except PlumeError as err:
            await self._fail(err)
            return None
        lang = await self._lang()
        listing = await self.get_state(QuestionnaireLibraryState)
        listing._notice_on_load = t(lang, "questionnaires.bank_deleted", title=title)
        return rx.redirect(routes.QUESTIONNAIRES)


class QuestionnaireUsesState(rx.State):
    """In a session's timeline editor: which questionnaire each evaluation activity uses, and the choice."""

    attached_titles: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    attached_moments: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    attached_ids: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    library: rx.Field[list[QuestionnaireRow]] = rx.field(default_factory=list)
    kinds_available: rx.Field[list[str]] = rx.field(default_factory=list)
    error: rx.Field[str] = rx.field("")
    field_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    error_activity: rx.Field[str] = rx.field("")

    def _session_id(self) -> int | None:
        return route_id(self, "session_id") if self.router.url.path.startswith("/sessions/") else None

    async def _reload(self) -> None:
        actor, sid = require_actor(), self._session_id()
        if sid is None:
            return
        try:
            found, rows = await run_db(
                lambda db: (editing.session_uses(db, actor, sid), library.list_questionnaires(db, actor))
            )
        except PlumeError:
            self.attached_titles, self.attached_moments, self.attached_ids, self.library = {}, {}, {}, []
            return
        self.attached_titles = {str(u.activity_id): u.title for u in found}
        self.attached_moments = {str(u.activity_id): u.moment for u in found}
        self.attached_ids = {str(u.activity_id): str(u.questionnaire_id) for u in found}
        self.library, self.kinds_available = rows, sorted({r.use for r in rows})

    @rx.event
    @policy(SIGNED_IN)
    async def load_uses(self) -> None:
        """Load the session's uses and the library (the timeline's editing was switched on)."""
        self.error, self.field_errors, self.error_activity = "", {}, ""
        await self._reload()

    @rx.event
    @policy(LIBRARY_READERS)
    async def attach(self, form_data: Any) -> None:
        """Attach the questionnaire chosen to an evaluation activity, at its moment.

        Args:
            form_data: activity_id, questionnaire_id, moment, send_after_days.
        """
        form, actor = form_fields(form_data), require_actor()
        aid, qid = clean_id(form.get("activity_id")), clean_id(form.get("questionnaire_id"))
        moment = clean_str(form.get("moment"), 10)
        days_text = clean_str(form.get("send_after_days"), 10).strip()
        days = int(days_text) if days_text.isdigit() else None
        lang = (await self.get_state(SessionState)).lang
        self.error, self.field_errors, self.error_activity = "", {}, str(aid or "")
        if aid is None:
            return
        if qid is None:
            self.field_errors = {"questionnaire_id": t(lang, "questionnaires.choose_one")}
            return
        try:
            await run_db(
                lambda db: uses.attach(db, actor, aid, qid, moment=moment, send_after_days=days if days else None)
            )
        except PlumeError as err:
            text = error_message(lang, err)
            self.field_errors, self.error = ({err.field: text}, "") if err.field else ({}, text)
            return
        self.error_activity = ""
        page = await self.get_state(SessionPageState)
        page.open_form, page.edit_notice = "", t(lang, "questionnaires.attached")
        await self._reload()
