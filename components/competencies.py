"""Competencies: the framework's page, a course's links, a learner's record (dialog and `Mes compétences`)."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import ArrayVar

from app import routes
from app.services.evaluations.grids import CompetencyRow
from app.services.evaluations.validations import RecordLine
from components import styles
from components.forms import Handler, field, form_dialog, form_message, submit_button
from components.i18n import T, Tf, Tn
from components.layout import dialog_actions, dialog_frame, page_header
from components.tables import data_table, empty_state, list_card, list_or_empty, scroll_box
from state.auth import field_errors_of
from state.competencies import NEW, CompetenciesState, CourseCompetenciesState, LearnerRecordState, MyRecordState

_DRAFT = cast("ObjectVar[dict[str, str]]", CompetenciesState.draft)


def _framework_row(row: ObjectVar[CompetencyRow]) -> rx.Component:
    code = row.code.to(str)
    return rx.table.row(
        rx.table.cell(rx.code(code, variant="ghost")),
        rx.table.cell(rx.text(row.label.to(str), size="2")),
        rx.table.cell(rx.text(row.category.to(str), size="2", color_scheme="gray")),
        rx.cond(
            CompetenciesState.can_edit,
            rx.table.cell(
                rx.hstack(
                    rx.icon_button(
                        rx.icon("pencil", size=14),
                        size="1",
                        variant="ghost",
                        on_click=CompetenciesState.open_edit(row.id.to(int)),  # type: ignore[operator]
                        aria_label=Tf("competencies.edit_aria", code=code),
                    ),
                    rx.icon_button(
                        rx.icon("trash_2", size=14),
                        size="1",
                        variant="ghost",
                        color_scheme="red",
                        on_click=CompetenciesState.remove(row.id.to(int)),  # type: ignore[operator]
                        aria_label=Tf("competencies.remove_aria", code=code),
                    ),
                    spacing="2",
                )
            ),
        ),
        data_testid="competency-row",
    )


def _competency_form() -> rx.Component:
    errors = field_errors_of(CompetenciesState)
    return form_dialog(
        CompetenciesState.editing != "",
        # Mounted only while open: each opening starts from the draft.
        field("competencies.code", "code", default_value=_DRAFT["code"].to(str), error=errors.get("code", "")),
        field("competencies.label", "label", default_value=_DRAFT["label"].to(str), error=errors.get("label", "")),
        field(
            "competencies.category",
            "category",
            default_value=_DRAFT["category"].to(str),
            error=errors.get("category", ""),
        ),
        form_message(CompetenciesState.error),
        title=rx.cond(CompetenciesState.editing == NEW, T("competencies.add"), T("competencies.edit")),
        on_submit=CompetenciesState.save,
        on_close=CompetenciesState.close,
        submit=submit_button("competencies.save", loading=CompetenciesState.busy),
    )


def competencies_view() -> rx.Component:
    """`Référentiel de compétences`: the list (by category, then code), add, edit, remove.

    Returns:
        The page's content.
    """
    columns = ["competencies.code", "competencies.label", "competencies.category"]
    return rx.vstack(
        page_header(
            "competencies.title",
            "competencies.subtitle",
            rx.cond(
                CompetenciesState.can_edit,
                rx.button(
                    rx.icon("plus", size=14),
                    T("competencies.add"),
                    on_click=CompetenciesState.open_new,
                    data_testid="competency-add",
                ),
            ),
        ),
        rx.cond(
            CompetenciesState.notice != "",
            rx.callout(CompetenciesState.notice, icon="circle_check", color_scheme="green", size="1", role="status"),
        ),
        rx.cond(CompetenciesState.editing == "", form_message(CompetenciesState.error)),
        list_card(
            rx.text(Tn("competencies.count", CompetenciesState.rows.length()), size="2", weight="medium"),
            list_or_empty(
                None,
                CompetenciesState.rows,
                scroll_box(
                    rx.cond(
                        CompetenciesState.can_edit,
                        data_table([*columns, "competencies.actions"], CompetenciesState.rows, _framework_row),
                        data_table(columns, CompetenciesState.rows, _framework_row),
                    )
                ),
                empty_state("competencies.empty", "award"),
            ),
            rx.cond(
                CompetenciesState.can_edit,
                rx.text(T("competencies.in_use_hint"), size="1", color_scheme="gray"),
            ),
        ),
        _competency_form(),
        spacing="4",
        width="100%",
    )


def course_competencies_card() -> rx.Component:
    """A course's `Compétences du référentiel`: one checkbox per competency of the framework (the catalogue's staff).

    Returns:
        The card (nothing for anyone else).
    """

    def one(row: ObjectVar[CompetencyRow]) -> rx.Component:
        cid = row.id.to(int).to_string()
        return rx.el.label(
            rx.hstack(
                rx.checkbox(
                    checked=CourseCompetenciesState.linked.contains(cid),
                    on_change=lambda _checked: CourseCompetenciesState.toggle(cid),  # type: ignore[operator]
                ),
                rx.code(row.code.to(str), variant="ghost"),
                rx.text(row.label.to(str), size="2"),
                rx.cond(
                    row.category.to(str) != "",
                    rx.badge(row.category.to(str), color_scheme="gray", variant="soft"),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            cursor="pointer",
            data_testid="course-competency",
        )

    return rx.cond(
        CourseCompetenciesState.shown,
        rx.card(
            rx.vstack(
                rx.heading(T("competencies.course_title"), size="4", as_="h2"),
                rx.text(T("competencies.course_hint"), size="2", color_scheme="gray"),
                form_message(CourseCompetenciesState.error),
                rx.cond(
                    CourseCompetenciesState.framework.length() > 0,
                    rx.vstack(rx.foreach(CourseCompetenciesState.framework, one), spacing="2", width="100%"),
                    rx.text(T("competencies.course_empty"), size="2", color_scheme="gray"),
                ),
                rx.link(T("competencies.manage"), href=routes.COMPETENCIES, size="2"),
                spacing="3",
                width="100%",
            ),
            width="100%",
            box_shadow=styles.CARD_SHADOW,
            data_testid="course-competencies",
        ),
    )


def _status(done: Var[bool], yes_key: str, no_key: str) -> rx.Component:
    return rx.cond(
        done,
        rx.badge(rx.icon("check", size=12), T(yes_key), color_scheme="green"),
        rx.badge(T(no_key), color_scheme="gray"),
    )


def record_lines(lines: ArrayVar, yes_key: str, no_key: str, empty_key: str, testid: str) -> rx.Component:
    """A record's competencies or modules, each with its state (read-only).

    Args:
        lines: `RecordLine`s.
        yes_key: i18n key of the state when done (Acquise, Validé).
        no_key: i18n key of the state otherwise.
        empty_key: i18n key of the line shown when there are none.
        testid: The list's test id.

    Returns:
        The list.
    """

    def one(line: ObjectVar[RecordLine]) -> rx.Component:
        return rx.hstack(
            _status(line.done.to(bool), yes_key, no_key),
            rx.text(line.label.to(str), size="2"),
            rx.cond(line.detail.to(str) != "", rx.text(line.detail.to(str), size="1", color_scheme="gray")),
            spacing="2",
            align="center",
            wrap="wrap",
            custom_attrs={"data-done": rx.cond(line.done.to(bool), "true", "false")},
        )

    return rx.cond(
        lines.length() > 0,
        rx.vstack(rx.foreach(lines, one), spacing="2", width="100%", data_testid=testid),
        rx.text(T(empty_key), size="2", color_scheme="gray"),
    )


def _checked_lines(lines: ArrayVar, on_change: Handler, empty_key: str, testid: str) -> rx.Component:
    def one(line: ObjectVar[RecordLine]) -> rx.Component:
        return rx.el.label(
            rx.hstack(
                rx.checkbox(
                    checked=line.done.to(bool),
                    on_change=lambda checked: on_change(line.id.to(int), checked),  # type: ignore[operator]
                ),
                rx.text(line.label.to(str), size="2"),
                rx.cond(line.detail.to(str) != "", rx.text(line.detail.to(str), size="1", color_scheme="gray")),
                spacing="2",
                align="start",  # a long label wraps beside its box, never under it
            ),
            cursor="pointer",
        )

    return rx.cond(
        lines.length() > 0,
        rx.vstack(rx.foreach(lines, one), spacing="2", width="100%", data_testid=testid),
        rx.text(T(empty_key), size="2", color_scheme="gray"),
    )


def record_button(user_id: Var[str], name: Var[str]) -> rx.Component:
    """The follow-up row's button opening the learner's `Compétences et modules`.

    Args:
        user_id: The learner.
        name: Their name, for the button's accessible name.

    Returns:
        The button.
    """
    return rx.icon_button(
        rx.icon("award", size=14),
        size="1",
        variant="soft",
        on_click=LearnerRecordState.show(user_id),  # type: ignore[operator]
        aria_label=Tf("record.open_aria", name=name),
        title=T("record.open"),
        data_testid="record-open",
    )


def record_dialog() -> rx.Component:
    """`Compétences et modules` of one learner: ticks for the session's trainers and staff, read-only for tutors.

    Returns:
        The dialog (mounted while open).
    """
    record = LearnerRecordState.record.to(dict)
    competencies = record["competencies"].to(list[RecordLine])
    modules = record["modules"].to(list[RecordLine])
    body = rx.vstack(
        rx.dialog.title(Tf("record.open_aria", name=record["name"].to(str)), margin="0"),
        rx.heading(T("record.competencies"), size="3", as_="h3"),
        rx.cond(
            LearnerRecordState.can_record,
            _checked_lines(
                competencies, LearnerRecordState.set_acquired, "record.no_competency", "record-competencies"
            ),
            record_lines(
                competencies, "record.acquired", "record.not_acquired", "record.no_competency", "record-competencies"
            ),
        ),
        rx.heading(T("record.modules"), size="3", as_="h3"),
        rx.cond(
            LearnerRecordState.can_record,
            _checked_lines(modules, LearnerRecordState.set_validated, "record.no_module", "record-modules"),
            record_lines(modules, "record.validated", "record.not_validated", "record.no_module", "record-modules"),
        ),
        rx.cond(~LearnerRecordState.can_record, rx.text(T("record.read_only"), size="1", color_scheme="gray")),
        dialog_actions(LearnerRecordState.close, close_key="common.close"),
        spacing="3",
        width="100%",
        data_testid="record-dialog",
    )
    return dialog_frame(
        LearnerRecordState.open & LearnerRecordState.record.is_not_none(), body, on_close=LearnerRecordState.close
    )


def my_record_card() -> rx.Component:
    """`Mes compétences` on a learner's session page: competencies acquired and modules validated.

    Returns:
        The card (nothing for anyone but a learner of a session with competencies or modules).
    """
    return rx.cond(
        (MyRecordState.competencies.length() > 0) | (MyRecordState.modules.length() > 0),
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("award", size=16, color=rx.color(styles.ACCENT, 11)),
                    rx.heading(T("record.mine"), size="3", as_="h2"),
                    spacing="2",
                    align="center",
                ),
                rx.text(T("record.mine_hint"), size="1", color_scheme="gray"),
                rx.cond(
                    MyRecordState.competencies.length() > 0,
                    rx.vstack(
                        rx.text(T("record.competencies"), size="2", weight="bold"),
                        record_lines(
                            MyRecordState.competencies,
                            "record.acquired",
                            "record.not_acquired",
                            "record.no_competency",
                            "my-competencies",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                ),
                rx.cond(
                    MyRecordState.modules.length() > 0,
                    rx.vstack(
                        rx.text(T("record.modules"), size="2", weight="bold"),
                        record_lines(
                            MyRecordState.modules,
                            "record.validated",
                            "record.not_validated",
                            "record.no_module",
                            "my-modules",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            data_testid="my-record",
        ),
    )
