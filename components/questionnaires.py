"""The questionnaire library's pieces.

The list, a questionnaire's settings and questions, the question dialog, a bank, and the choice of a
questionnaire on an evaluation activity of the timeline editor.
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import ArrayVar, StringVar
from reflex_components_core.react_router.dom import ReactRouterLink

from app import routes
from app.models.evaluations import EVALUATION_KINDS, QUESTION_KINDS
from app.services.evaluations.editing import BankDetail, BankRow, ChoiceView, QuestionnaireDetail, QuestionView
from app.services.evaluations.library import QuestionnaireRow
from app.services.evaluations.uses import KIND_MOMENTS
from components import styles
from components.forms import (
    chosen_files,
    drop_zone,
    field,
    form_dialog,
    form_message,
    labelled,
    secondary_button,
    select_field,
)
from components.i18n import T, Tf, Tn
from components.tables import data_table as table
from components.tables import empty_state, list_card, list_or_empty, stacked_cell, stacked_row, table_card
from state.questionnaires import (
    IMPORT_UPLOAD_ID,
    ChoiceDraft,
    QuestionBankState,
    QuestionnaireEditorState,
    QuestionnaireLibraryState,
    QuestionnaireUsesState,
)

EditorState = type[QuestionnaireEditorState] | type[QuestionBankState]
USE_COLOURS = {
    "diagnostic": "indigo",
    "third_party_evaluation": "cyan",
    "certification": "amber",
    "quality_evaluation": "green",
    "quiz": "violet",
    "self_assessment": "teal",
}

# mypy types an `@rx.event` handler as `EventNamespace` (the decorator is a class whose `__new__` returns the
# callback), so calling one with its arguments carries `# type: ignore[operator]` below.


def use_label(use: Var) -> rx.Component:
    """A questionnaire's use, in words (the activity kind's name).

    Args:
        use: One of the six evaluation kinds.

    Returns:
        The words.
    """
    return rx.match(use, *[(k, T(f"kind.{k}")) for k in EVALUATION_KINDS], use.to(str))


def use_badge(use: Var) -> rx.Component:
    """A questionnaire's use as a coloured badge.

    Args:
        use: One of the six evaluation kinds.

    Returns:
        The badge.
    """
    return rx.match(
        use,
        *[(k, rx.badge(T(f"kind.{k}"), color_scheme=c, variant="soft")) for k, c in USE_COLOURS.items()],
        rx.badge(use.to(str)),
    )


def question_kind_label(kind: Var) -> rx.Component:
    """A question's type, in words.

    Args:
        kind: One of the question types.

    Returns:
        The words.
    """
    return rx.match(kind, *[(k, T(f"qkind.{k}")) for k in QUESTION_KINDS], kind.to(str))


def moment_label(moment: Var) -> rx.Component:
    """When an activity uses its questionnaire, in words ("" is once).

    Args:
        moment: "", before, after, hot or cold.

    Returns:
        The words.
    """
    return rx.match(moment, *[(m, T(f"moment.{m}")) for m in ("before", "after", "hot", "cold")], T("moment.once"))


def tag_badges(tags: ArrayVar) -> rx.Component:
    """A questionnaire's tags, as small grey badges.

    Args:
        tags: The tags.

    Returns:
        The badges.
    """
    return rx.hstack(
        rx.foreach(tags, lambda tag: rx.badge(tag.to(str), variant="outline", color_scheme="gray", size="1")),
        spacing="1",
        wrap="wrap",
    )


def export_button(questionnaire_id: StringVar, *, size: str = "2", **link_props: Any) -> rx.Component:
    """`Exporter en JSON`: the questionnaire's file, downloaded (the app's router must not take the click).

    Args:
        questionnaire_id: The questionnaire, as text.
        size: The button's size.
        **link_props: More props of the link (its accessible name…).

    Returns:
        The button.
    """
    return rx.button(
        ReactRouterLink.create(
            rx.icon("download", size=14),
            T("questionnaires.export"),
            to="/api/questionnaires/" + questionnaire_id + ".json",
            reload_document=True,
            download="",
            **link_props,
        ),
        as_child=True,
        size=size,
        variant="soft",
    )


def _select(select_id: str, *options: rx.Component, **props: Any) -> rx.Component:
    return rx.el.select(*options, id=select_id, class_name="plume-select", **props)


def _filters() -> rx.Component:
    state = QuestionnaireLibraryState
    return rx.flex(
        rx.box(
            rx.el.label(T("questionnaires.search"), html_for="questionnaire-search", class_name="plume-label"),
            rx.debounce_input(
                rx.input(
                    id="questionnaire-search",
                    value=state.query,
                    on_change=state.search,
                    placeholder=T("questionnaires.search_placeholder"),
                    width="100%",
                ),
                debounce_timeout=250,
            ),
            flex="1",
            min_width="14rem",
        ),
        select_field(
            "questionnaires.filter_use",
            "questionnaire-use-filter",
            rx.el.option(T("questionnaires.all_uses"), value=""),
            *[rx.el.option(T(f"kind.{k}"), value=k) for k in EVALUATION_KINDS],
            value=state.use_filter,
            on_change=state.filter_use,
        ),
        rx.cond(
            state.tags.length() > 0,
            select_field(
                "questionnaires.filter_tag",
                "questionnaire-tag-filter",
                rx.el.option(T("questionnaires.all_tags"), value=""),
                rx.foreach(state.tags, lambda tag: rx.el.option(tag.to(str), value=tag.to(str))),
                value=state.tag_filter,
                on_change=state.filter_tag,
            ),
        ),
        rx.cond(
            (state.query != "") | (state.use_filter != "") | (state.tag_filter != ""),
            secondary_button(T("questionnaires.clear"), on_click=state.clear_filters),
        ),
        gap="0.75rem",
        align="end",
        wrap="wrap",
        width="100%",
    )


def _questionnaire_row(row: ObjectVar[QuestionnaireRow]) -> rx.Component:
    qid = row.id.to_string()
    title = row.title.to(str)
    href = routes.QUESTIONNAIRES + "/" + qid
    count = rx.cond(
        row.draw_size.to(int) > 0,
        Tn("questionnaires.drawn", row.draw_size.to(int)),
        Tn("questionnaires.questions", row.questions.to(int)),
    )
    return stacked_row(
        stacked_cell(rx.link(title, href=href, weight="medium"), header=True),
        stacked_cell(use_badge(row.use.to(str)), label="questionnaires.col_use"),
        stacked_cell(rx.text(count, size="2"), label="questionnaires.col_questions"),
        stacked_cell(tag_badges(row.tags.to(list[str])), label="questionnaires.col_tags"),
        stacked_cell(
            rx.hstack(
                export_button(qid, size="1", aria_label=T("questionnaires.export").to(str) + " : " + title),
                rx.cond(
                    QuestionnaireLibraryState.can_edit,
                    secondary_button(
                        rx.icon("copy", size=14),
                        T("questionnaires.duplicate"),
                        size="1",
                        on_click=QuestionnaireLibraryState.duplicate(qid),  # type: ignore[operator]
                        aria_label=Tf("questionnaires.duplicate_aria", title=title),
                    ),
                ),
                spacing="2",
                justify="end",
                wrap="wrap",
            ),
        ),
        data_testid="questionnaire-row",
    )


def _bank_row(row: ObjectVar[BankRow]) -> rx.Component:
    return stacked_row(
        stacked_cell(
            rx.link(row.title.to(str), href=routes.QUESTION_BANKS + "/" + row.id.to_string(), weight="medium"),
            header=True,
        ),
        stacked_cell(rx.text(Tn("questionnaires.questions", row.questions.to(int)), size="2")),
        stacked_cell(tag_badges(row.tags.to(list[str]))),
        data_testid="bank-row",
    )


def _create_dialog() -> rx.Component:
    state = QuestionnaireLibraryState
    errors = cast("ObjectVar[dict[str, str]]", state.field_errors)
    return form_dialog(
        state.creating,
        field("questionnaires.field_title", "title", error=errors.get("title", "").to(str), required=True),
        labelled(
            "questionnaires.field_use",
            "new-use",
            _select("new-use", *[rx.el.option(T(f"kind.{k}"), value=k) for k in EVALUATION_KINDS], name="use"),
            error=errors.get("use", "").to(str),
        ),
        field(
            "questionnaires.field_tags",
            "tags",
            hint_key="questionnaires.tags_hint",
            error=errors.get("tags", "").to(str),
        ),
        form_message(state.error),
        title=T("questionnaires.new"),
        on_submit=state.create,
        on_close=state.close_dialogs,
        submit=rx.button(T("questionnaires.create"), type="submit", loading=state.busy),
    )


def _bank_dialog() -> rx.Component:
    state = QuestionnaireLibraryState
    errors = cast("ObjectVar[dict[str, str]]", state.field_errors)
    return form_dialog(
        state.creating_bank,
        field("questionnaires.field_title", "title", error=errors.get("title", "").to(str), required=True),
        field(
            "questionnaires.field_tags",
            "tags",
            hint_key="questionnaires.tags_hint",
            error=errors.get("tags", "").to(str),
        ),
        form_message(state.error),
        title=T("questionnaires.new_bank"),
        on_submit=state.create_bank,
        on_close=state.close_dialogs,
        submit=rx.button(T("questionnaires.create_bank"), type="submit", loading=state.busy),
    )


def _import_card() -> rx.Component:
    state = QuestionnaireLibraryState
    return rx.vstack(
        drop_zone(
            IMPORT_UPLOAD_ID,
            "questionnaires.import_drop",
            "questionnaires.import_limits",
            icon="file-json",
            multiple=False,
            accept={"application/json": [".json"]},
            on_drop=state.import_file(rx.upload_files(upload_id=IMPORT_UPLOAD_ID)),  # type: ignore[operator]
            width="100%",
            data_testid="questionnaire-import",
        ),
        chosen_files(IMPORT_UPLOAD_ID),
        rx.cond(state.importing, rx.hstack(rx.spinner(size="1"), rx.text(T("questionnaires.importing"), size="2"))),
        rx.cond(
            state.import_error != "",
            rx.callout(
                state.import_error,
                icon="circle_alert",
                color_scheme="red",
                role="alert",
                width="100%",
                data_testid="import-error",
            ),
        ),
        spacing="2",
        width="100%",
    )


def library_view() -> rx.Component:
    """The library: filters, the questionnaires, the banks, and (staff) new, import and the dialogs.

    Returns:
        The page's content.
    """
    state = QuestionnaireLibraryState
    actions = rx.cond(
        state.can_edit,
        rx.hstack(
            rx.button(rx.icon("plus", size=16), T("questionnaires.new"), on_click=state.open_create, size="3"),
            spacing="2",
        ),
    )
    banks = list_card(
        rx.hstack(
            rx.vstack(
                rx.heading(T("questionnaires.banks"), size="4", as_="h2"),
                rx.text(T("questionnaires.banks_hint"), size="2", color_scheme="gray"),
                spacing="1",
            ),
            rx.spacer(),
            rx.cond(
                state.can_edit,
                secondary_button(
                    rx.icon("plus", size=14), T("questionnaires.new_bank"), on_click=state.open_create_bank
                ),
            ),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        list_or_empty(
            None,
            state.banks,
            rx.box(
                table(
                    ["questionnaires.col_title", "questionnaires.col_questions", "questionnaires.col_tags"],
                    state.banks,
                    _bank_row,
                    stacked=True,
                ),
                overflow_x="auto",
                width="100%",
            ),
            empty_state("questionnaires.no_banks", "library"),
        ),
    )

    def listing() -> rx.Component:
        return rx.vstack(
            _filters(),
            rx.text(Tn("questionnaires.count", state.rows.length()), size="2", color_scheme="gray"),
            list_or_empty(
                None,
                state.rows,
                table_card(
                    table(
                        ["questionnaires.col_title", "questionnaires.col_use", "questionnaires.col_questions", "", ""],
                        state.rows,
                        _questionnaire_row,
                        stacked=True,
                    )
                ),
                rx.cond(state.total > 0, empty_state("questionnaires.no_match", "search_x"), _library_empty()),
            ),
            spacing="3",
            width="100%",
        )

    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.heading(T("questionnaires.title"), size="7", as_="h1"),
                rx.text(T("questionnaires.subtitle"), size="2", color_scheme="gray", max_width="46rem"),
                spacing="1",
            ),
            rx.spacer(),
            actions,
            width="100%",
            align="end",
            wrap="wrap",
            spacing="3",
        ),
        form_message(state.error),
        form_message(state.notice, tone="green"),
        rx.cond(
            state.can_edit,
            rx.grid(
                listing(),
                list_card(rx.heading(T("questionnaires.import_title"), size="4", as_="h2"), _import_card()),
                columns=rx.breakpoints(initial="1", lg="1fr 20rem"),
                spacing="4",
                width="100%",
                align_items="start",
            ),
            listing(),
        ),
        banks,
        _create_dialog(),
        _bank_dialog(),
        spacing="4",
        width="100%",
    )


def _library_empty() -> rx.Component:
    return rx.vstack(
        rx.icon("clipboard_list", size=36, color=rx.color(styles.ACCENT, 9)),
        rx.text(T("questionnaires.empty"), size="3", text_align="center", max_width="30rem"),
        rx.cond(
            QuestionnaireLibraryState.can_edit,
            rx.button(
                rx.icon("plus", size=16), T("questionnaires.new"), on_click=QuestionnaireLibraryState.open_create
            ),
        ),
        align="center",
        spacing="3",
        padding="2.5rem 1rem",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="0.75rem",
        background="white",
        width="100%",
        data_testid="library-empty",
    )


def _errors_of(state: EditorState) -> ObjectVar[dict[str, str]]:
    return cast("ObjectVar[dict[str, str]]", state.field_errors)


def _settings_form() -> rx.Component:
    state = QuestionnaireEditorState
    detail = cast("ObjectVar[QuestionnaireDetail]", state.detail)
    errors = _errors_of(state)
    frozen = detail.frozen.to(bool)
    locked = frozen | ~state.can_edit

    def err(name: str) -> StringVar:
        return errors.get(name, "").to(str)

    def number(label: str, name: str, value: Var, hint: str, error_name: str = "") -> rx.Component:
        return labelled(
            label,
            name,
            rx.input(
                id=name,
                name=name,
                default_value=value.to(str),
                input_mode="numeric",
                read_only=locked,
                size="3",
                width="100%",
                aria_invalid=rx.cond(err(error_name or name) != "", "true", "false"),
            ),
            error=err(error_name or name),
            hint_key=hint,
        )

    return rx.form(
        rx.vstack(
            rx.heading(T("questionnaires.settings"), size="4", as_="h2"),
            labelled(
                "questionnaires.field_title",
                "title",
                rx.input(
                    id="title",
                    name="title",
                    default_value=detail.title.to(str),
                    read_only=~state.can_edit,
                    size="3",
                    width="100%",
                    required=True,
                ),
                error=err("title"),
            ),
            labelled(
                "questionnaires.field_use",
                "use",
                _select(
                    "use",
                    *[rx.el.option(T(f"kind.{k}"), value=k) for k in EVALUATION_KINDS],
                    name="use",
                    value=state.draft_use,
                    on_change=state.choose_use,
                    disabled=locked,
                ),
                error=err("use"),
            ),
            labelled(
                "questionnaires.field_description",
                "description",
                rx.text_area(
                    id="description",
                    name="description",
                    default_value=detail.description.to(str),
                    read_only=~state.can_edit,
                    rows="3",
                    width="100%",
                ),
                error=err("description"),
            ),
            rx.grid(
                number(
                    "questionnaires.field_passing", "passing_score", detail.passing_score, "questionnaires.passing_hint"
                ),
                number(
                    "questionnaires.field_time",
                    "time_limit_min",
                    detail.time_limit_min,
                    "questionnaires.time_hint",
                    "time_limit_s",
                ),
                number(
                    "questionnaires.field_attempts",
                    "attempts_limit",
                    detail.attempts_limit,
                    "questionnaires.attempts_hint",
                ),
                # Side by side on a tablet; stacked in the settings' narrow column beside the questions.
                columns=rx.breakpoints(initial="1", sm="3", lg="1"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                state.draft_use == "certification",
                rx.grid(
                    number("questionnaires.field_draw", "draw_size", detail.draw_size, "questionnaires.draw_hint"),
                    labelled(
                        "questionnaires.field_bank",
                        "bank_id",
                        _select(
                            "bank_id",
                            rx.el.option(T("questionnaires.no_bank"), value=""),
                            rx.foreach(
                                state.banks,
                                lambda b: rx.el.option(b.title.to(str), value=b.id.to_string()),
                            ),
                            name="bank_id",
                            default_value=detail.bank_id.to_string(),
                            disabled=locked,
                        ),
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
            ),
            field(
                "questionnaires.field_tags",
                "tags",
                default_value=detail.tags.to(str),
                hint_key="questionnaires.tags_hint",
                error=err("tags"),
            ),
            form_message(state.error),
            form_message(state.notice, tone="green"),
            rx.cond(
                state.can_edit,
                rx.button(T("common.save"), type="submit", loading=state.busy, align_self="start"),
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=state.save_settings,
        key=state.settings_key.to_string(),
        width="100%",
    )


def _question_summary(question: ObjectVar[QuestionView]) -> rx.Component:
    kind = question.kind.to(str)
    choices = question.choices.to(list[ChoiceView])
    rows = question.rows.to(list[str])
    return rx.vstack(
        rx.cond(
            choices.length() > 0,
            rx.vstack(
                rx.foreach(
                    choices,
                    lambda c: rx.hstack(
                        rx.cond(
                            c.correct.to(bool),
                            rx.icon("circle_check", size=14, color=rx.color("green", 10)),
                            rx.icon("circle", size=14, color=rx.color("gray", 8)),
                        ),
                        rx.text(c.label.to(str), size="2", weight=rx.cond(c.correct.to(bool), "medium", "regular")),
                        rx.cond(
                            c.feedback.to(str) != "",
                            rx.text("— " + c.feedback.to(str), size="1", color_scheme="gray"),
                        ),
                        spacing="2",
                        align="center",
                    ),
                ),
                spacing="1",
            ),
        ),
        rx.cond(
            kind == "likert",
            rx.vstack(rx.foreach(rows, lambda r: rx.text("• " + r.to(str), size="2")), spacing="0"),
        ),
        rx.cond(
            (kind == "number") & (question.answer_number.to(str) != ""),
            rx.text(
                Tf("questionnaires.right_number", answer=question.answer_number.to(str)),
                rx.cond(question.tolerance.to(str) != "", " ± " + question.tolerance.to(str), ""),
                size="2",
                color=rx.color("green", 11),
            ),
        ),
        spacing="1",
        width="100%",
    )


def _question_card(
    state: EditorState, question: ObjectVar[QuestionView], reorder: bool, editable: Var[bool]
) -> rx.Component:
    qid = question.id.to_string()
    n = (question.position.to(int) + 1).to_string()
    kind = question.kind.to(str)
    controls = (
        [
            rx.icon_button(
                rx.icon("chevron_up", size=14),
                size="1",
                variant="ghost",
                aria_label=Tf("questionnaires.move_up", n=n),
                on_click=QuestionnaireEditorState.move_question(qid, -1),  # type: ignore[operator]
            ),
            rx.icon_button(
                rx.icon("chevron_down", size=14),
                size="1",
                variant="ghost",
                aria_label=Tf("questionnaires.move_down", n=n),
                on_click=QuestionnaireEditorState.move_question(qid, 1),  # type: ignore[operator]
            ),
        ]
        if reorder
        else []
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(n, variant="solid", radius="full", color_scheme=styles.ACCENT),
                rx.badge(question_kind_label(kind), variant="soft", color_scheme="gray"),
                rx.cond(
                    GRADED_VAR(kind),
                    rx.badge(Tf("questionnaires.points_label", points=question.points.to_string()), variant="outline"),
                ),
                rx.cond(
                    (kind == "scale") | (kind == "likert"),
                    rx.badge(
                        rx.cond(
                            question.scale_max.to(int) == 10, T("questionnaires.scale_10"), T("questionnaires.scale_5")
                        ),
                        variant="outline",
                    ),
                ),
                rx.spacer(),
                rx.cond(
                    editable,
                    rx.hstack(
                        *controls,
                        secondary_button(
                            rx.icon("pencil", size=14),
                            T("questionnaires.edit"),
                            size="1",
                            on_click=state.edit_question(qid),  # type: ignore[operator]
                            aria_label=Tf("questionnaires.edit_aria", n=n),
                        ),
                        _confirm(
                            T("questionnaires.confirm_question"),
                            state.delete_question(qid),  # type: ignore[operator]
                            Tf("questionnaires.delete_aria", n=n),
                        ),
                        spacing="1",
                        align="center",
                    ),
                ),
                width="100%",
                align="center",
                wrap="wrap",
                spacing="2",
            ),
            rx.text(question.text.to(str), size="3", weight="medium", white_space="pre-wrap"),
            _question_summary(question),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="question-card",
    )


def GRADED_VAR(kind: StringVar) -> Var[bool]:  # noqa: N802  # reads as the constant it tests against
    """Whether a question type earns points.

    Args:
        kind: The question's type.

    Returns:
        The predicate.
    """
    return (kind == "single") | (kind == "multiple") | (kind == "number")


def _confirm(
    body: Var, on_confirm: Any, aria: Var, *, size: str = "1", label_key: str = "questionnaires.delete"
) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("trash_2", size=14),
                T(label_key),
                size=size,
                variant="soft",
                color_scheme="red",
                aria_label=aria,
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(T("editor.confirm_title")),
            rx.alert_dialog.description(body),
            rx.hstack(
                rx.alert_dialog.cancel(secondary_button(T("common.cancel"))),
                rx.alert_dialog.action(rx.button(T("editor.confirm_yes"), color_scheme="red", on_click=on_confirm)),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
        ),
    )


def _choice_line(state: EditorState, choice: ObjectVar[ChoiceDraft], index: Var) -> rx.Component:
    i = index.to(int)
    n = (i + 1).to_string()
    name = index.to_string()
    return rx.hstack(
        rx.el.label(
            rx.el.input(
                type="checkbox",
                name="choice_correct_" + name,
                default_checked=choice.correct.to(bool),
                # A checkbox's change event carries its value ("on"), not whether it is ticked: each change flips it.
                on_change=state.flip_choice(i),  # type: ignore[operator]
                aria_label=T("questionnaires.choice_correct").to(str) + " " + n,
            ),
            rx.text(T("questionnaires.choice_correct"), size="1"),
            style={"display": "flex", "gap": "0.3rem", "alignItems": "center", "whiteSpace": "nowrap"},
        ),
        rx.vstack(
            rx.input(
                name="choice_label_" + name,
                default_value=choice.label.to(str),
                placeholder=Tf("questionnaires.choice_label", n=n),
                aria_label=Tf("questionnaires.choice_label", n=n),
                on_blur=lambda value: state.keep_choice(i, "label", value),  # type: ignore[operator]
                width="100%",
            ),
            rx.input(
                name="choice_feedback_" + name,
                default_value=choice.feedback.to(str),
                placeholder=T("questionnaires.choice_feedback_placeholder"),
                aria_label=Tf("questionnaires.choice_feedback", n=n),
                on_blur=lambda value: state.keep_choice(i, "feedback", value),  # type: ignore[operator]
                size="1",
                width="100%",
            ),
            spacing="1",
            flex="1",
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            type="button",
            size="1",
            variant="ghost",
            color_scheme="gray",
            aria_label=Tf("questionnaires.remove_choice", n=n),
            on_click=state.remove_choice(i),  # type: ignore[operator]
        ),
        width="100%",
        align="start",
        spacing="2",
        padding="0.5rem",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="0.5rem",
        data_testid="choice-line",
    )


def question_dialog(state: EditorState) -> rx.Component:
    """The dialog writing one question: its type's fields, its answers, its points; errors under each field.

    Args:
        state: The questionnaire's or the bank's editor.

    Returns:
        The dialog (mounted while open).
    """
    errors = cast("ObjectVar[dict[str, str]]", state.question_errors)
    kind = state.question_kind

    def err(name: str) -> StringVar:
        return errors.get(name, "").to(str)

    return form_dialog(
        state.question_open,
        labelled(
            "questionnaires.field_kind",
            "question-kind",
            _select(
                "question-kind",
                *[rx.el.option(T(f"qkind.{k}"), value=k) for k in QUESTION_KINDS],
                name="kind",
                value=kind,
                on_change=state.choose_kind,
            ),
            error=err("kind"),
        ),
        labelled(
            "questionnaires.field_text",
            "question-text",
            rx.text_area(id="question-text", name="text", default_value=state.question_text, rows="3", width="100%"),
            error=err("text"),
        ),
        rx.cond(
            (kind == "single") | (kind == "multiple"),
            rx.vstack(
                rx.text(T("questionnaires.answers"), class_name="plume-label"),
                rx.text(T("questionnaires.answers_hint"), size="1", color_scheme="gray"),
                rx.vstack(
                    rx.foreach(state.choices, lambda c, i: _choice_line(state, c, i)),
                    spacing="2",
                    width="100%",
                    key=state.choices_key.to_string(),
                ),
                rx.cond(
                    err("choices") != "",
                    rx.text(err("choices"), color_scheme="red", size="2", role="alert"),
                ),
                secondary_button(
                    rx.icon("plus", size=14), T("questionnaires.add_choice"), size="1", on_click=state.add_choice
                ),
                spacing="2",
                width="100%",
            ),
        ),
        rx.cond(
            (kind == "scale") | (kind == "likert"),
            labelled(
                "questionnaires.field_scale",
                "question-scale",
                _select(
                    "question-scale",
                    rx.el.option(T("questionnaires.scale_5"), value="5"),
                    rx.el.option(T("questionnaires.scale_10"), value="10"),
                    name="scale_max",
                    default_value=state.question_scale,
                ),
                error=err("scale_max"),
            ),
        ),
        rx.cond(
            kind == "likert",
            labelled(
                "questionnaires.field_rows",
                "question-rows",
                rx.text_area(
                    id="question-rows", name="rows", default_value=state.question_rows, rows="4", width="100%"
                ),
                error=err("rows"),
                hint_key="questionnaires.rows_hint",
            ),
        ),
        rx.cond(
            kind == "number",
            rx.grid(
                field(
                    "questionnaires.field_answer",
                    "answer_number",
                    default_value=state.question_answer,
                    input_mode="decimal",
                    error=err("answer_number"),
                ),
                field(
                    "questionnaires.field_tolerance",
                    "tolerance",
                    default_value=state.question_tolerance,
                    input_mode="decimal",
                    error=err("tolerance"),
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
        ),
        rx.grid(
            rx.cond(
                GRADED_VAR(kind),
                field(
                    "questionnaires.field_points",
                    "points",
                    default_value=state.question_points,
                    input_mode="decimal",
                    error=err("points"),
                ),
            ),
            field(
                "questionnaires.field_tags",
                "tags",
                default_value=state.question_tags,
                hint_key="questionnaires.tags_hint",
                error=err("tags"),
            ),
            columns=rx.breakpoints(initial="1", sm="1fr 2fr"),
            spacing="3",
            width="100%",
        ),
        form_message(state.question_error),
        title=rx.cond(state.question_new, T("questionnaires.new_question"), T("questionnaires.edit_question")),
        on_submit=state.save_question,
        on_close=state.close_question,
        submit=rx.button(T("common.save"), type="submit"),
        max_width="42rem",
    )


def _questions_block(state: EditorState, reorder: bool, empty_key: str, editable: Var) -> rx.Component:
    return list_card(
        rx.hstack(
            rx.heading(T("questionnaires.questions_title"), size="4", as_="h2"),
            rx.badge(state.questions.length().to_string(), variant="soft", radius="full"),
            rx.spacer(),
            rx.cond(
                editable,
                rx.button(rx.icon("plus", size=14), T("questionnaires.add_question"), on_click=state.new_question),
            ),
            width="100%",
            align="center",
        ),
        form_message(state.list_error),
        rx.cond(
            state.questions.length() > 0,
            rx.vstack(
                rx.foreach(state.questions, lambda q: _question_card(state, q, reorder, editable)),
                spacing="2",
                width="100%",
            ),
            empty_state(empty_key, "list_plus"),
        ),
    )


def _back_link() -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("arrow_left", size=14), T("questionnaires.back"), spacing="1", align="center"),
        href=routes.QUESTIONNAIRES,
        size="2",
    )


def editor_view() -> rx.Component:
    """A questionnaire: its header (use, export, duplicate, delete), frozen notice, settings and questions.

    Returns:
        The page's content.
    """
    state = QuestionnaireEditorState
    detail = cast("ObjectVar[QuestionnaireDetail]", state.detail)
    qid = detail.id.to_string()
    frozen = detail.frozen.to(bool)
    title = detail.title.to(str)
    duplicate = secondary_button(rx.icon("copy", size=14), T("questionnaires.duplicate"), on_click=state.duplicate)
    return rx.vstack(
        _back_link(),
        rx.hstack(
            rx.vstack(
                rx.heading(title, size="7", as_="h1"),
                rx.hstack(
                    use_badge(detail.use.to(str)),
                    rx.text(Tn("questionnaires.questions", state.questions.length()), size="2", color_scheme="gray"),
                    rx.cond(
                        detail.uses.to(int) > 0,
                        rx.text(Tn("questionnaires.used_by", detail.uses.to(int)), size="2", color_scheme="gray"),
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                spacing="2",
            ),
            rx.spacer(),
            rx.hstack(
                export_button(qid),
                rx.cond(state.can_edit, duplicate),
                rx.cond(
                    state.can_edit & ~frozen & (detail.uses.to(int) == 0),
                    _confirm(
                        Tf("questionnaires.confirm_delete", title=title),
                        state.delete,
                        T("questionnaires.delete"),
                        size="2",
                    ),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            width="100%",
            align="end",
            wrap="wrap",
            spacing="3",
        ),
        rx.cond(
            frozen,
            rx.callout(
                rx.hstack(
                    rx.text(T("questionnaires.frozen"), size="2"),
                    rx.cond(state.can_edit, duplicate),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                icon="lock",
                color_scheme="amber",
                width="100%",
                data_testid="questionnaire-frozen",
            ),
        ),
        rx.cond(
            ~state.can_edit,
            rx.callout(T("questionnaires.read_only"), icon="info", color_scheme="gray", width="100%"),
        ),
        rx.grid(
            rx.card(_settings_form(), width="100%", box_shadow=styles.CARD_SHADOW),
            _questions_block(state, True, "questionnaires.no_questions", state.can_edit & ~frozen),
            columns=rx.breakpoints(initial="1", lg="22rem 1fr"),
            spacing="4",
            width="100%",
            align_items="start",
        ),
        question_dialog(state),
        spacing="4",
        width="100%",
    )


def _bank_settings_form() -> rx.Component:
    state = QuestionBankState
    bank = cast("ObjectVar[BankDetail]", state.bank)
    errors = _errors_of(state)

    def text_input(label_key: str, name: str, value: Var, hint_key: str = "") -> rx.Component:
        error = errors.get(name, "").to(str)
        return labelled(
            label_key,
            f"bank-{name}",
            rx.input(
                id=f"bank-{name}",
                name=name,
                default_value=value.to(str),
                read_only=~state.can_edit,
                required=name == "title",
                size="3",
                width="100%",
                aria_invalid=rx.cond(error != "", "true", "false"),
            ),
            error=error,
            hint_key=hint_key,
        )

    return rx.form(
        rx.vstack(
            rx.heading(T("questionnaires.settings"), size="4", as_="h2"),
            text_input("questionnaires.field_title", "title", bank.title),
            text_input("questionnaires.field_tags", "tags", bank.tags, "questionnaires.tags_hint"),
            form_message(state.notice, tone="green"),
            rx.cond(
                state.can_edit,
                rx.button(T("common.save"), type="submit", loading=state.busy, align_self="start"),
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=state.save_bank,
        key=state.settings_key.to_string(),
        width="100%",
    )


def bank_view() -> rx.Component:
    """A question bank: its title and tags (staff change them, or delete the bank), and its questions.

    Returns:
        The page's content.
    """
    state = QuestionBankState
    bank = cast("ObjectVar[BankDetail]", state.bank)
    title = bank.title.to(str)
    return rx.vstack(
        _back_link(),
        rx.hstack(
            rx.vstack(
                rx.heading(title, size="7", as_="h1"),
                rx.text(T("questionnaires.bank_subtitle"), size="2", color_scheme="gray"),
                spacing="1",
            ),
            rx.spacer(),
            rx.cond(
                state.can_edit,
                _confirm(
                    Tn("questionnaires.confirm_delete_bank", state.questions.length(), title=title),
                    state.delete_bank,
                    T("questionnaires.delete_bank"),
                    size="2",
                    label_key="questionnaires.delete_bank",
                ),
            ),
            width="100%",
            align="end",
            wrap="wrap",
            spacing="3",
        ),
        form_message(state.error),
        rx.cond(
            ~state.can_edit,
            rx.callout(T("questionnaires.read_only"), icon="info", color_scheme="gray", width="100%"),
        ),
        rx.grid(
            rx.card(_bank_settings_form(), width="100%", box_shadow=styles.CARD_SHADOW),
            _questions_block(state, False, "questionnaires.bank_empty", state.can_edit),
            columns=rx.breakpoints(initial="1", lg="22rem 1fr"),
            spacing="4",
            width="100%",
            align_items="start",
        ),
        question_dialog(state),
        spacing="4",
        width="100%",
    )


def attached_badge(activity_id: StringVar) -> rx.Component:
    """`Questionnaire : <title> · <moment>` on an evaluation activity's card (the timeline being edited).

    Args:
        activity_id: The activity, as text.

    Returns:
        The badge (nothing while none is attached).
    """
    titles = cast("ObjectVar[dict[str, str]]", QuestionnaireUsesState.attached_titles)
    moments = cast("ObjectVar[dict[str, str]]", QuestionnaireUsesState.attached_moments)
    title = titles.get(activity_id, "").to(str)
    return rx.cond(
        title != "",
        rx.hstack(
            rx.icon("clipboard_check", size=12, flex_shrink="0", margin_top="0.2rem"),
            rx.text(
                Tf("questionnaires.attached_badge", title=title),
                " · ",
                moment_label(moments.get(activity_id, "").to(str)),
                size="1",
                weight="medium",
            ),
            spacing="1",
            align="start",
            padding="0.15rem 0.45rem",
            margin_top="0.2rem",
            border_radius="0.35rem",
            background=rx.color("indigo", 3),
            color=rx.color("indigo", 11),
            data_testid="attached-questionnaire",
        ),
    )


def _moment_select(kind: StringVar, current: StringVar) -> rx.Component:
    cases = []
    for k, moments in KIND_MOMENTS.items():
        if len(moments) < 2:
            continue
        cases.append(
            (
                k,
                select_field(
                    "questionnaires.field_moment",
                    "moment",
                    *[rx.el.option(T(f"moment.{m or 'once'}"), value=m) for m in moments],
                    name="moment",
                    default_value=current,
                    width="100%",
                ),
            )
        )
    return rx.match(kind, *cases, rx.el.input(type="hidden", name="moment", value=""))


def attach_form(activity_id: StringVar, kind: StringVar) -> rx.Component:
    """The choice of a library questionnaire (and its moment) for an evaluation activity.

    Args:
        activity_id: The activity, as text.
        kind: Its kind.

    Returns:
        The form's fields and button (inside the timeline's inline form).
    """
    state = QuestionnaireUsesState
    ids = cast("ObjectVar[dict[str, str]]", state.attached_ids)
    moments = cast("ObjectVar[dict[str, str]]", state.attached_moments)
    errors = cast("ObjectVar[dict[str, str]]", state.field_errors)
    mine = state.error_activity == activity_id

    def err(name: str) -> Var:
        return rx.cond(mine, errors.get(name, "").to(str), "").to(str)

    available = cast("ArrayVar[list[str]]", state.kinds_available).contains(kind)
    return rx.cond(
        available,
        rx.vstack(
            labelled(
                "questionnaires.attach_field",
                "questionnaire_id",
                _select(
                    "questionnaire_id",
                    rx.el.option(T("questionnaires.choose"), value=""),
                    rx.foreach(
                        state.library,
                        lambda q: rx.cond(
                            q.use.to(str) == kind,
                            rx.el.option(q.title.to(str), value=q.id.to_string()),
                        ),
                    ),
                    name="questionnaire_id",
                    default_value=ids.get(activity_id, "").to(str),
                    width="100%",
                ),
                error=err("questionnaire_id"),
            ),
            _moment_select(kind, moments.get(activity_id, "").to(str)),
            rx.cond(err("moment") != "", rx.text(err("moment"), color_scheme="red", size="1", role="alert")),
            rx.cond(
                kind == "quality_evaluation",
                field(
                    "questionnaires.field_delay",
                    "send_after_days",
                    input_mode="numeric",
                    error=err("send_after_days"),
                ),
            ),
            rx.cond(
                mine & (state.error != ""),
                rx.text(state.error, color_scheme="red", size="2", role="alert"),
            ),
            rx.button(T("questionnaires.attach_save"), type="submit", size="2"),
            spacing="2",
            width="100%",
        ),
        rx.vstack(
            rx.text(T("questionnaires.none_of_kind"), size="2", color_scheme="gray"),
            rx.link(T("questionnaires.library_link"), href=routes.QUESTIONNAIRES, size="2"),
            spacing="1",
        ),
    )
