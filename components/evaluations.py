"""Evaluations: the learner's questionnaire in the activity panel, and an evaluation activity's results page.

The learner answers one question per card; each answer is saved as a draft as it is given (a choice at once, a
text as it is typed). A certification's countdown is drawn by `assets/evaluation-countdown.js` from the
server's remaining seconds (`data-countdown`), so a reload starts it again from the server's figure.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var
from reflex_components_core.react_router.dom import ReactRouterLink

from components import styles
from components.forms import message_text, secondary_button
from components.i18n import T, Tf, Tn
from components.layout import dialog_actions, dialog_frame, page_header
from components.tables import data_table, status_badge
from components.timeline import kind_label
from state.evaluations import EvaluationPanelState as Panel
from state.evaluations import EvaluationResultsState as Results

KINDS = ("diagnostic", "third_party_evaluation", "certification", "quality_evaluation", "quiz", "self_assessment")
STATUS_COLOURS = {"submitted": "green", "in_progress": "amber", "not_started": "gray"}
GRID_LEVELS = {"acquired": "green", "in_progress": "amber", "not_acquired": "red"}
TEXT_DEBOUNCE_MS = 600


def _is_evaluation(kind: Var[str]) -> Var[bool]:
    test: Var[bool] = kind == KINDS[0]
    for name in KINDS[1:]:
        test = test | (kind == name)
    return test


def _level_button(label: Var[str], selected: Var[bool], on_click: Any, aria: Var[str]) -> rx.Component:
    return rx.button(
        label,
        type="button",
        variant=rx.cond(selected, "solid", "outline"),
        size="3",
        min_width="2.75rem",  # a finger's width on a phone
        aria_pressed=rx.cond(selected, "true", "false"),
        aria_label=aria,
        on_click=on_click,
        disabled=Panel.status != "in_progress",
    )


def _choices(card: Any) -> rx.Component:
    multiple = card.kind.to(str) == "multiple"
    return rx.vstack(
        rx.foreach(
            card.choices,
            lambda c: rx.el.label(
                rx.el.input(
                    type=rx.cond(multiple, "checkbox", "radio"),
                    name="question-" + card.id.to(str),
                    checked=c.chosen.to(bool),
                    on_change=Panel.choose(card.id.to(str), c.id.to(str)),  # type: ignore[operator]  # mypy reads a handler as EventNamespace
                    disabled=Panel.status != "in_progress",
                    width="1.15rem",
                    height="1.15rem",
                    flex_shrink="0",
                ),
                rx.text(c.label.to(str), as_="span", size="3"),
                display="flex",
                gap="0.6rem",
                align_items="center",
                padding="0.6rem 0.75rem",
                border=rx.cond(c.chosen.to(bool), f"1px solid {rx.color(styles.ACCENT, 8)}", "1px solid var(--gray-5)"),
                background=rx.cond(c.chosen.to(bool), rx.color(styles.ACCENT, 2), "white"),
                border_radius="0.5rem",
                width="100%",
                cursor="pointer",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _scale(card: Any) -> rx.Component:
    return rx.flex(
        rx.foreach(
            card.levels,
            lambda level: _level_button(
                level,
                card.value.to(str) == level,
                Panel.rate(card.id.to(str), level),  # type: ignore[operator]  # mypy reads a handler as EventNamespace
                Tf("evaluation.level_aria", level=level),
            ),
        ),
        gap="0.4rem",
        wrap="wrap",
    )


def _likert(card: Any) -> rx.Component:
    return rx.vstack(
        rx.foreach(
            card.rows,
            lambda row: rx.vstack(
                rx.text(row.label.to(str), size="2", weight="medium"),
                rx.flex(
                    rx.foreach(
                        card.levels,
                        lambda level: _level_button(
                            level,
                            row.level.to(str) == level,
                            Panel.rate_row(card.id.to(str), row.index.to(str), level),  # type: ignore[operator]  # mypy reads a handler as EventNamespace
                            Tf("evaluation.row_level_aria", row=row.label.to(str), level=level),
                        ),
                    ),
                    gap="0.4rem",
                    wrap="wrap",
                ),
                spacing="1",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _text(card: Any) -> rx.Component:
    kind = card.kind.to(str)
    common: dict[str, Any] = {
        "default_value": card.value.to(str),
        "on_change": Panel.write(card.id.to(str)).debounce(TEXT_DEBOUNCE_MS),  # type: ignore[operator]  # partial handler
        "on_blur": Panel.write(card.id.to(str)),  # type: ignore[operator]  # partial handler
        "disabled": Panel.status != "in_progress",
        "aria_label": card.text.to(str),
        "width": "100%",
        "size": "3",
    }
    return rx.match(
        kind,
        ("long_text", rx.text_area(rows="4", **common)),
        ("number", rx.input(input_mode="decimal", **common)),
        rx.input(**common),
    )


def _feedback(card: Any) -> rx.Component:
    verdict = card.verdict.to(str)
    return rx.cond(
        verdict != "",
        rx.vstack(
            rx.cond(
                verdict == "right",
                rx.badge(rx.icon("check", size=14), T("evaluation.right"), color_scheme="green", size="2"),
                rx.badge(rx.icon("x", size=14), T("evaluation.wrong"), color_scheme="red", size="2"),
            ),
            rx.foreach(card.feedback, lambda f: rx.text(f, size="2", white_space="pre-wrap")),
            spacing="1",
            data_testid="evaluation-feedback",
        ),
    )


def _question(card: Any) -> rx.Component:
    kind = card.kind.to(str)
    return rx.vstack(
        rx.hstack(
            rx.text(
                Tf("evaluation.question_of", number=card.number.to_string(), total=Panel.cards.length().to_string()),
                size="1",
                color_scheme="gray",
            ),
            rx.spacer(),
            rx.cond(
                card.answered.to(bool),
                rx.badge(rx.icon("check", size=12), T("evaluation.saved"), color_scheme="gray", variant="soft"),
            ),
            width="100%",
            align="center",
        ),
        rx.text(card.text.to(str), weight="bold", size="3", white_space="pre-wrap"),
        rx.match(
            kind,
            ("single", _choices(card)),
            ("multiple", rx.vstack(rx.text(T("evaluation.several"), size="1"), _choices(card), width="100%")),
            ("scale", _scale(card)),
            ("likert", _likert(card)),
            _text(card),
        ),
        _feedback(card),
        spacing="2",
        width="100%",
        padding="0.9rem",
        **styles.OUTLINED,
        data_testid="evaluation-question",
    )


def _countdown() -> rx.Component:
    return rx.cond(
        (Panel.status == "in_progress") & (Panel.remaining_s >= 0),
        rx.hstack(
            rx.icon("timer", size=16),
            rx.text(T("evaluation.time_left"), size="2"),
            rx.el.span(
                "",
                custom_attrs={"data-countdown": Panel.remaining_s.to_string(), "data-countdown-key": Panel.attempt_key},
                font_weight="bold",
                font_variant_numeric="tabular-nums",
                id="evaluation-countdown",
            ),
            rx.el.button(on_click=Panel.time_up, id="evaluation-time-up", type="button", display="none"),
            role="timer",
            align="center",
            padding="0.5rem 0.75rem",
            border_radius="0.5rem",
            background=rx.color("amber", 3),
            position="sticky",
            top="0",
            z_index="1",
            width="100%",
        ),
    )


def _attempts_line() -> rx.Component:
    return rx.cond(
        (Panel.status == "submitted") & (Panel.attempts_left == 0),
        rx.fragment(),  # nothing left to try: the result says it all
        rx.cond(
            Panel.attempts_left >= 0,
            rx.text(Tn("evaluation.attempts_left", Panel.attempts_left), size="1", color_scheme="gray"),
            rx.text(T("evaluation.attempts_unlimited"), size="1", color_scheme="gray"),
        ),
    )


def _confirm() -> rx.Component:
    return rx.cond(
        Panel.confirming,
        rx.vstack(
            rx.text(T("evaluation.confirm"), weight="bold"),
            rx.text(T("evaluation.confirm_hint"), size="2"),
            rx.hstack(
                secondary_button(T("common.cancel"), on_click=Panel.cancel_submit),
                rx.button(rx.icon("send", size=14), T("evaluation.send"), on_click=Panel.submit, loading=Panel.saving),
                justify="end",
                width="100%",
                wrap="wrap",
            ),
            role="alertdialog",
            aria_label=T("evaluation.confirm"),
            spacing="2",
            width="100%",
            **styles.panel("amber"),
        ),
        rx.button(
            rx.icon("send", size=14),
            T("evaluation.submit"),
            on_click=Panel.ask_submit,
            size="3",
            width="100%",
        ),
    )


def _result() -> rx.Component:
    return rx.vstack(
        rx.cond(
            Panel.score != "",
            rx.hstack(
                rx.text(T("evaluation.your_score"), size="3"),
                rx.text(Panel.score, size="6", weight="bold", data_testid="evaluation-score"),
                rx.match(
                    Panel.passed,
                    ("yes", rx.badge(T("evaluation.passed"), color_scheme="green", size="2")),
                    ("no", rx.badge(T("evaluation.failed"), color_scheme="red", size="2")),
                    rx.fragment(),
                ),
                align="center",
                wrap="wrap",
            ),
            rx.text(
                rx.cond(Panel.kind == "quality_evaluation", T("evaluation.thanks_anonymous"), T("evaluation.thanks")),
                size="3",
            ),
        ),
        rx.cond(
            Panel.submitted_at != "",
            rx.text(Tf("evaluation.sent_on", date=Panel.submitted_at), size="1", color_scheme="gray"),
        ),
        rx.cond(
            (Panel.kind == "diagnostic") | (Panel.kind == "certification"),
            rx.text(T("evaluation.no_answers_shown"), size="1", color_scheme="gray"),
        ),
        spacing="1",
        width="100%",
        data_testid="evaluation-result",
        **styles.panel("green"),
    )


def _questionnaire() -> rx.Component:
    return rx.vstack(
        rx.cond(Panel.description != "", rx.text(Panel.description, size="2", white_space="pre-wrap")),
        rx.match(
            Panel.status,
            (
                "in_progress",
                rx.vstack(
                    _countdown(),
                    rx.vstack(rx.foreach(Panel.cards, _question), spacing="3", width="100%", key=Panel.attempt_key),
                    _confirm(),
                    spacing="3",
                    width="100%",
                ),
            ),
            (
                "submitted",
                rx.vstack(
                    _result(),
                    rx.cond(
                        Panel.cards.length() > 0,
                        rx.vstack(rx.foreach(Panel.cards, _question), spacing="3", width="100%"),
                    ),
                    rx.cond(
                        Panel.attempts_left != 0,
                        rx.button(rx.icon("rotate_ccw", size=14), T("evaluation.retry"), on_click=Panel.start),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            rx.cond(
                Panel.attempts_left != 0,
                rx.button(
                    rx.icon("play", size=14), T("evaluation.start"), on_click=Panel.start, size="3", width="100%"
                ),
                rx.text(T("error.evaluation_attempts"), size="2"),
            ),
        ),
        _attempts_line(),
        spacing="3",
        width="100%",
    )


def _self() -> rx.Component:
    return rx.vstack(
        rx.text(T("evaluation.self_hint"), size="2"),
        rx.foreach(
            Panel.self_lines,
            lambda line: rx.vstack(
                rx.text(line.code.to(str) + " — " + line.label.to(str), weight="bold", size="2"),
                rx.flex(
                    *[
                        rx.button(
                            str(n),
                            type="button",
                            variant=rx.cond(line.level.to(int) == n, "solid", "outline"),
                            size="3",
                            min_width="2.75rem",
                            aria_pressed=rx.cond(line.level.to(int) == n, "true", "false"),
                            aria_label=Tf("evaluation.self_aria", competency=line.label.to(str), level=str(n)),
                            on_click=Panel.position(line.competency_id.to_string(), str(n)),  # type: ignore[operator]  # mypy reads a handler as EventNamespace
                        )
                        for n in range(1, 6)
                    ],
                    gap="0.4rem",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
                padding="0.9rem",
                **styles.OUTLINED,
                data_testid="evaluation-question",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _grid_badge(level: Var[str]) -> rx.Component:
    return status_badge(level, "evaluation.grid", GRID_LEVELS, fallback=rx.badge(T("evaluation.grid.none")))


def _my_grid() -> rx.Component:
    grid: Any = Panel.grid
    return rx.cond(
        Panel.grid,
        rx.vstack(
            rx.foreach(
                grid.lines,
                lambda line: rx.vstack(
                    rx.text(line.objective.to(str), weight="bold", size="2"),
                    _grid_badge(line.level.to(str)),
                    rx.cond(line.comment.to(str) != "", rx.text(line.comment.to(str), size="2")),
                    spacing="1",
                    width="100%",
                    padding="0.75rem",
                    **styles.OUTLINED,
                ),
            ),
            spacing="2",
            width="100%",
        ),
    )


def _learner_part() -> rx.Component:
    return rx.vstack(
        rx.match(
            Panel.mode,
            ("questionnaire", _questionnaire()),
            ("self", _self()),
            ("grid", _my_grid()),
            ("missing", rx.text(T("error.questionnaire_missing"), size="2", color_scheme="gray")),
            rx.fragment(),
        ),
        message_text(Panel.error, data_testid="evaluation-error"),
        message_text(Panel.notice, tone="green"),
        spacing="3",
        width="100%",
        data_testid="evaluation-panel",
    )


def evaluation_panel(page: Any) -> rx.Component:
    """The evaluation part of the activity panel: the learner's questionnaire, the trainers' link to the results.

    Args:
        page: The session page's state (its open activity).

    Returns:
        The part (nothing for other kinds).
    """
    a = page.activity
    activity_id = a["id"].to(str)
    return rx.cond(
        _is_evaluation(a["kind"].to(str)),
        rx.box(
            rx.cond(Panel.activity_id == activity_id, _learner_part()),
            rx.cond(
                # Whoever the results page lets in (OVERSEE: staff and the session's trainers, archived included).
                page.view["can_read_sheets"].to(bool),
                rx.link(
                    rx.button(rx.icon("chart_column", size=14), T("evaluation.results_link"), variant="soft"),
                    href="/sessions/" + page.view["id"].to(str) + "/resultats/" + activity_id,
                ),
            ),
            key=activity_id,  # another activity opened: load again
            on_mount=Panel.load,
            width="100%",
        ),
    )


# The results page.


def _counter() -> rx.Component:
    return rx.text(
        Tn("evaluation.answered", Results.answered, total=Results.expected.to_string()),
        size="3",
        weight="medium",
        data_testid="evaluation-answered",
    )


def _scores() -> rx.Component:
    rows: Any = Results.rows
    return rx.vstack(
        rx.box(
            data_table(
                [
                    "evaluation.col.learner",
                    "evaluation.col.status",
                    "evaluation.col.score",
                    "evaluation.col.attempts",
                    "evaluation.col.date",
                    "evaluation.col.answers",
                ],
                rows,
                lambda r: rx.table.row(
                    rx.table.cell(r.name.to(str)),
                    rx.table.cell(status_badge(r.status.to(str), "evaluation.status", STATUS_COLOURS)),
                    rx.table.cell(
                        rx.cond(
                            r.score.is_not_none(),
                            rx.hstack(
                                rx.text(r.score_text.to(str), weight="bold"),
                                rx.cond(
                                    r.passed.is_not_none()
                                    & ((Results.kind == "certification") | (Results.kind == "quiz")),
                                    rx.cond(
                                        r.passed.to(bool),
                                        rx.badge(T("evaluation.passed"), color_scheme="green"),
                                        rx.badge(T("evaluation.failed"), color_scheme="red"),
                                    ),
                                ),
                                align="center",
                            ),
                            rx.text("—", color_scheme="gray"),
                        )
                    ),
                    rx.table.cell(r.attempts.to_string()),
                    rx.table.cell(r.submitted_at.to(str)),
                    rx.table.cell(
                        rx.cond(
                            r.attempts.to(int) > 0,
                            rx.button(
                                T("evaluation.see_answers"),
                                size="1",
                                variant="soft",
                                on_click=Results.show_detail(r.user_id.to_string()),  # type: ignore[operator]  # mypy reads a handler as EventNamespace
                                aria_label=Tf("evaluation.see_answers_of", name=r.name.to(str)),
                            ),
                        )
                    ),
                    data_testid="evaluation-row",
                ),
                size="2",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.cond(
            Results.progression.length() > 0,
            rx.vstack(
                rx.heading(T("evaluation.progression"), size="4", as_="h2"),
                rx.box(
                    data_table(
                        [
                            "evaluation.col.learner",
                            "evaluation.col.before",
                            "evaluation.col.after",
                            "evaluation.col.change",
                        ],
                        Results.progression,
                        lambda p: rx.table.row(
                            rx.table.cell(p.name.to(str)),
                            rx.table.cell(rx.cond(p.before.is_not_none(), p.before.to_string() + " %", "—")),
                            rx.table.cell(rx.cond(p.after.is_not_none(), p.after.to_string() + " %", "—")),
                            rx.table.cell(rx.cond(p.change.is_not_none(), p.change.to_string() + " pts", "—")),
                        ),
                        size="2",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                width="100%",
                spacing="2",
            ),
        ),
        _detail_dialog(),
        spacing="4",
        width="100%",
    )


def _detail_line(line: Any) -> rx.Component:
    verdict = line.verdict.to(str)
    return rx.vstack(
        rx.hstack(
            rx.text(line.number.to_string() + ". " + line.text.to(str), weight="bold", size="2"),
            rx.spacer(),
            rx.match(
                verdict,
                ("right", rx.badge(T("evaluation.line_right"), color_scheme="green")),
                ("wrong", rx.badge(T("evaluation.line_wrong"), color_scheme="red")),
                rx.fragment(),
            ),
            rx.cond(line.points.to(str) != "", rx.text(line.points.to(str), size="1", color_scheme="gray")),
            width="100%",
            align="start",
        ),
        rx.foreach(
            line.choices,
            lambda c: rx.hstack(
                rx.cond(c.chosen.to(bool), rx.icon("square_check", size=16), rx.icon("square", size=16)),
                rx.text(c.label.to(str), size="2"),
                rx.cond(c.correct.to(bool), rx.badge(T("evaluation.correct_answer"), color_scheme="green")),
                align="center",
            ),
        ),
        rx.cond(line.answer.to(str) != "", rx.text(line.answer.to(str), size="2", white_space="pre-wrap")),
        spacing="1",
        width="100%",
        padding="0.6rem",
        **styles.OUTLINED,
    )


def _detail_dialog() -> rx.Component:
    return dialog_frame(
        Results.detail_name != "",
        rx.vstack(
            rx.dialog.title(Results.detail_name),
            rx.text(
                rx.cond(Results.detail_score != "", Results.detail_score + " · ", "") + Results.detail_when,
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(rx.foreach(Results.detail_lines, _detail_line), spacing="2", width="100%"),
            dialog_actions(Results.close_detail, close_key="common.close"),
            spacing="3",
            width="100%",
        ),
        on_close=Results.close_detail,
        max_width="44rem",
    )


def _bar(label: Any, count: Any, total: Any) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(label, size="2"),
            rx.spacer(),
            rx.text(count.to_string(), size="2", weight="bold"),
            width="100%",
        ),
        rx.progress(value=rx.cond(total > 0, (count * 100 / total).to(int), 0), width="100%"),
        spacing="1",
        width="100%",
    )


def _summary(q: Any) -> rx.Component:
    kind = q.kind.to(str)
    answered = Results.answered
    return rx.vstack(
        rx.text(q.text.to(str), weight="bold", size="2"),
        rx.cond(
            q.average.is_not_none(),
            rx.text(Tf("evaluation.average", value=q.average_text.to(str)), size="2", color_scheme="gray"),
        ),
        rx.cond(
            (kind == "single") | (kind == "multiple") | (kind == "scale"),
            rx.vstack(
                rx.foreach(q.labels, lambda label, i: _bar(label, q.counts[i].to(int), answered)),
                spacing="2",
                width="100%",
            ),
        ),
        rx.cond(
            kind == "likert",
            rx.vstack(
                rx.foreach(
                    q.rows,
                    lambda row, r: rx.vstack(
                        rx.text(row, size="2", weight="medium"),
                        rx.foreach(q.labels, lambda label, i: _bar(label, q.grid[r][i].to(int), answered)),
                        spacing="1",
                        width="100%",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
        ),
        rx.cond(
            q.texts.length() > 0,
            rx.vstack(
                rx.foreach(
                    q.texts,
                    lambda text: rx.text("« " + text.to(str) + " »", size="2", white_space="pre-wrap"),
                ),
                spacing="1",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
        padding="0.9rem",
        **styles.OUTLINED,
        data_testid="evaluation-summary",
    )


def _report_actions() -> rx.Component:
    """`Télécharger le bilan (PDF)`, and `Envoyer le bilan` to an address the trainer types."""
    return rx.vstack(
        rx.hstack(
            rx.button(
                ReactRouterLink.create(
                    rx.icon("download", size=14),
                    T("evaluation.report_download"),
                    to=Results.report_url,
                    reload_document=True,
                    download="",
                    id="evaluation-report-download",
                ),
                as_child=True,
                variant="soft",
            ),
            rx.form(
                rx.hstack(
                    rx.el.label(T("evaluation.report_to"), html_for="report_to", class_name="plume-label"),
                    rx.input(id="report_to", name="report_to", type="email", required=True, auto_complete="email"),
                    rx.button(rx.icon("send", size=14), T("evaluation.report_send"), type="submit", variant="soft"),
                    align="center",
                    wrap="wrap",
                ),
                on_submit=Results.send_report,
                reset_on_submit=False,
            ),
            align="center",
            wrap="wrap",
            spacing="4",
        ),
        message_text(Results.report_notice, tone="green"),
        message_text(Results.report_error),
        spacing="1",
        width="100%",
    )


def _quality() -> rx.Component:
    quality: Any = Results.quality
    return rx.cond(
        Results.quality,
        rx.cond(
            quality.shown.to(bool),
            rx.vstack(
                _report_actions(),
                rx.cond(
                    quality.satisfaction.is_not_none(),
                    rx.hstack(
                        rx.text(T("evaluation.satisfaction"), size="3"),
                        rx.text(
                            quality.satisfaction_text.to(str) + " / 10",
                            size="7",
                            weight="bold",
                            data_testid="evaluation-satisfaction",
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                ),
                rx.foreach(quality.questions, _summary),
                spacing="3",
                width="100%",
            ),
            rx.callout(
                Tf("evaluation.anonymous_hidden", count=Results.min_answers.to_string()),
                icon="eye_off",
                color_scheme="gray",
            ),
        ),
    )


def _grid_dialog() -> rx.Component:
    return dialog_frame(
        Results.grid_name != "",
        rx.form(
            rx.vstack(
                rx.dialog.title(Tf("evaluation.grid_of", name=Results.grid_name)),
                rx.foreach(
                    Results.grid_lines,
                    lambda line: rx.vstack(
                        rx.text(line.objective.to(str), weight="bold", size="2"),
                        rx.radio_group.root(
                            rx.flex(
                                *[
                                    rx.el.label(
                                        rx.radio_group.item(value=level),
                                        rx.text(T(f"evaluation.grid.{level}"), size="2"),
                                        display="flex",
                                        gap="0.4rem",
                                        align_items="center",
                                    )
                                    for level in GRID_LEVELS
                                ],
                                gap="0.9rem",
                                wrap="wrap",
                            ),
                            name="level_" + line.index.to(str),
                            default_value=line.level.to(str),
                            aria_label=line.objective.to(str),
                        ),
                        rx.text_area(
                            name="comment_" + line.index.to(str),
                            default_value=line.comment.to(str),
                            placeholder=T("evaluation.comment"),
                            aria_label=Tf("evaluation.comment_on", objective=line.objective.to(str)),
                            rows="2",
                            width="100%",
                        ),
                        spacing="2",
                        width="100%",
                        padding="0.75rem",
                        **styles.OUTLINED,
                    ),
                ),
                message_text(Results.error),
                dialog_actions(Results.close_grid, rx.button(T("common.save"), type="submit")),
                spacing="3",
                width="100%",
            ),
            on_submit=Results.save_grid,
            width="100%",
        ),
        on_close=Results.close_grid,
        max_width="44rem",
    )


def _grid() -> rx.Component:
    return rx.vstack(
        rx.box(
            data_table(
                ["evaluation.col.learner", "evaluation.col.judged", "evaluation.col.grid"],
                Results.grid_rows,
                lambda r: rx.table.row(
                    rx.table.cell(r.name.to(str)),
                    rx.table.cell(r.judged.to_string() + " / " + r.objectives.to_string()),
                    rx.table.cell(
                        rx.cond(
                            Results.can_grade,
                            rx.button(
                                T("evaluation.fill_grid"),
                                size="1",
                                variant="soft",
                                on_click=Results.open_grid(r.user_id.to_string()),  # type: ignore[operator]  # mypy reads a handler as EventNamespace
                                aria_label=Tf("evaluation.grid_of", name=r.name.to(str)),
                            ),
                        )
                    ),
                    data_testid="evaluation-row",
                ),
                size="2",
            ),
            overflow_x="auto",
            width="100%",
        ),
        _grid_dialog(),
        spacing="3",
        width="100%",
    )


def _self_table() -> rx.Component:
    return rx.vstack(
        rx.text(T("evaluation.self_legend"), size="2", color_scheme="gray"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(T("evaluation.col.learner")),
                        rx.foreach(Results.competencies, rx.table.column_header_cell),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        Results.self_rows,
                        lambda r: rx.table.row(
                            rx.table.cell(r.name.to(str)),
                            rx.foreach(r.cells, lambda cell: rx.table.cell(cell, white_space="nowrap")),
                            data_testid="evaluation-row",
                        ),
                    )
                ),
                size="2",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def evaluation_results_body() -> rx.Component:
    """An evaluation activity's results: who answered, scores and answers, or anonymous charts; live.

    Returns:
        The page's content.
    """
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow_left", size=14), rx.text(Results.session_title), align="center"),
            href="/sessions/" + Results.session_id,
            size="2",
        ),
        page_header(Results.title, rx.text(kind_label(Results.kind), size="2", color_scheme="gray")),
        _counter(),
        message_text(Results.notice, tone="green"),
        rx.cond(Results.grid_name == "", message_text(Results.error)),
        rx.match(
            Results.mode,
            ("scores", _scores()),
            ("quality", _quality()),
            ("grid", _grid()),
            ("self", _self_table()),
            ("missing", rx.text(T("error.questionnaire_missing"), color_scheme="gray")),
            rx.fragment(),
        ),
        spacing="4",
        width="100%",
        data_testid="evaluation-results",
    )
