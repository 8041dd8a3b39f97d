"""A training session's page: header, management (staff), modules list (left), horizontal timeline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import ArrayVar
from reflex_components_core.react_router.dom import ReactRouterLink

from app.services.sessions.people import Person
from app.services.sessions.status import StatusChange
from app.services.sessions.view import ModuleView, SessionView
from components import styles
from components.activity_panel import activity_panel
from components.chat import chat_panel
from components.competencies import my_record_card
from components.enrolment_csv import enrolment_csv_card, learner_multi_picker, unenrol_form
from components.follow_up import progress_bar
from components.forms import chosen_files, drop_zone
from components.i18n import T, Tf, Tn
from components.layout import dialog_frame, gated_page
from components.planning import hours_to_plan_form
from components.review import review_card
from components.tables import empty_state, list_card, status_badge
from components.timeline import (
    add_module_form,
    confirm_delete,
    date_fr,
    edit_messages,
    edit_toggle,
    module_column,
    phase_badge,
    timeline_strip,
)
from state.chat import ChatState
from state.follow_up import ProgressBarState
from state.session_page import DocumentItem, SessionPageState

# Reflex 0.10's `Field.__get__` stubs resolve a dict or dataclass field to `ArrayVar[Never]` under mypy (its
# sequence overload swallows them): name the var types the fields really have.
_VIEW = cast("ObjectVar[SessionView]", SessionPageState.view)
_DOCUMENTS = cast("ObjectVar[dict[str, list[DocumentItem]]]", SessionPageState.documents)
_EDIT_ERRORS = cast("ObjectVar[dict[str, str]]", SessionPageState.edit_field_errors)
_STATUS_CHANGE = cast("ObjectVar[StatusChange]", SessionPageState.status_change)

# mypy types an `@rx.event` handler as `EventNamespace` (the decorator is a class whose `__new__` returns the
# callback), so calling one with its arguments carries `# type: ignore[operator]` below.

STATUS_ACTIONS = (
    ("draft", "active", "manage.confirm"),
    ("active", "finished", "manage.finish"),
    ("finished", "archived", "manage.archive"),
)


def _module_row(module: ObjectVar[ModuleView]) -> rx.Component:
    title = module.title.to(str)
    mid = module.id.to_string()
    return rx.hstack(
        rx.cond(
            SessionPageState.can_edit,
            # Press on the handle, release on another module: the module takes that place.
            rx.box(
                rx.icon("grip_vertical", size=16, color=rx.color("gray", 9)),
                cursor="grab",
                on_mouse_down=SessionPageState.drag_module(mid),  # type: ignore[operator]
                aria_label=Tf("session.drag", title=title),
                data_testid="drag-handle",
                user_select="none",
            ),
            rx.cond(
                module.locked.to(bool),
                rx.icon("lock", size=14, color=rx.color("gray", 9)),
                rx.icon("circle", size=10, color=rx.color(styles.ACCENT, 9)),
            ),
        ),
        rx.vstack(
            rx.text(title, size="2", weight="medium"),
            phase_badge(module.phase.to(str)),
            spacing="1",
            flex="1",
        ),
        rx.cond(
            SessionPageState.can_edit,
            rx.hstack(
                rx.icon_button(
                    rx.icon("chevron_up", size=14),
                    size="1",
                    variant="soft",
                    aria_label=Tf("session.move_up", title=title),
                    on_click=SessionPageState.move_module(module.id.to_string(), -1),  # type: ignore[operator]
                ),
                rx.icon_button(
                    rx.icon("chevron_down", size=14),
                    size="1",
                    variant="soft",
                    aria_label=Tf("session.move_down", title=title),
                    on_click=SessionPageState.move_module(module.id.to_string(), 1),  # type: ignore[operator]
                ),
                spacing="1",
            ),
        ),
        width="100%",
        align="center",
        padding="0.5rem",
        border_radius="0.4rem",
        user_select=rx.cond(SessionPageState.dragging != "", "none", "auto"),
        outline=rx.cond(
            (SessionPageState.dragging != "") & (SessionPageState.dragging != mid),
            f"1px dashed {rx.color(styles.ACCENT, 7)}",
            "none",
        ),
        background=rx.cond(SessionPageState.dragging == mid, rx.color(styles.ACCENT, 3), "transparent"),
        _hover={"background": rx.color("gray", 3)},
        on_mouse_up=SessionPageState.drop_module(mid),  # type: ignore[operator]
        # A click (or Enter) scrolls the timeline to this module and highlights it: assets/timeline.js.
        data_module_target=mid,
        role="button",
        tab_index=0,
        aria_label=Tf("timeline.show_module", title=title),
        data_testid="module-row",
    )


def _header() -> rx.Component:
    view = _VIEW
    trainers = view.trainers.to(list[str])
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(view.course_title.to(str), size="7", as_="h1"),
                rx.spacer(),
                rx.match(
                    view.status.to(str),
                    *[
                        (s, rx.badge(T(f"session.status.{s}"), size="2"))
                        for s in ("draft", "active", "finished", "archived")
                    ],
                    rx.fragment(),
                ),
                width="100%",
                align="start",
                wrap="wrap",
            ),
            rx.text(view.title.to(str), color_scheme="gray"),
            rx.hstack(
                rx.hstack(
                    rx.icon("calendar", size=15),
                    rx.text(Tf("home.from_to", start=date_fr(view.starts_on), end=date_fr(view.ends_on)), size="2"),
                    spacing="2",
                    align="center",
                ),
                rx.cond(
                    view.place.to(str) != "",
                    rx.hstack(
                        rx.icon("map_pin", size=15),
                        rx.text(view.place.to(str), size="2"),
                        spacing="2",
                        align="center",
                    ),
                ),
                rx.hstack(
                    rx.icon("presentation", size=15),
                    rx.cond(
                        trainers.length() > 0,
                        rx.text(Tf("session.trainers", names=trainers.join(", ")), size="2"),
                        rx.text(T("session.no_trainer"), size="2", color_scheme="gray"),
                    ),
                    spacing="2",
                    align="center",
                ),
                rx.cond(
                    view.sees_everything.to(bool),
                    rx.link(
                        rx.button(rx.icon("list_checks", size=14), T("follow.page_title"), size="1", variant="soft"),
                        href="/sessions/" + view.id.to_string() + "/suivi",
                        data_testid="session-follow-up",
                    ),
                ),
                rx.cond(
                    view.can_read_sheets.to(bool),
                    ReactRouterLink.create(
                        rx.button(rx.icon("file_down", size=14), T("attendance.session_pdf"), size="1", variant="soft"),
                        to="/api/attendance/sessions/" + view.id.to_string() + ".pdf",
                        reload_document=True,
                        data_testid="session-sheets-pdf",
                    ),
                ),
                spacing="5",
                wrap="wrap",
                align="center",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        box_shadow=styles.CARD_SHADOW,
    )


def _person_row(person: ObjectVar[Person], on_remove: Any, detail: rx.Component) -> rx.Component:
    name = person.name.to(str)
    return rx.hstack(
        rx.avatar(fallback=name[0:1], size="1", radius="full"),
        rx.vstack(
            rx.text(name, size="2", weight="medium"),
            rx.text(person.email.to(str), size="1", color_scheme="gray"),
            spacing="0",
            flex="1",
        ),
        detail,
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="ghost",
            color_scheme="gray",
            aria_label=Tf("manage.remove", name=name),
            on_click=on_remove,
        ),
        width="100%",
        align="center",
        data_testid="person-row",
    )


def _picker(
    name: str,
    label_key: str,
    choices: ArrayVar[Sequence[Person]],
    *extra: rx.Component,
    button_key: str,
    on_submit: Any,
) -> rx.Component:
    return rx.cond(
        choices.length() > 0,
        rx.form(
            rx.hstack(
                rx.vstack(
                    rx.el.label(T(label_key), html_for=name, class_name="plume-label"),
                    rx.el.select(
                        rx.foreach(
                            choices,
                            lambda p: rx.el.option(
                                p.name.to(str) + " — " + p.email.to(str), value=p.user_id.to_string()
                            ),
                        ),
                        id=name,
                        name=name,
                        class_name="plume-select",
                    ),
                    spacing="1",
                    flex="1",
                    min_width="12rem",
                ),
                *extra,
                rx.button(T(button_key), type="submit"),
                align="end",
                spacing="2",
                wrap="wrap",
                width="100%",
            ),
            on_submit=on_submit,
            key=SessionPageState.edit_key.to_string(),
            width="100%",
        ),
        rx.text(T("manage.nobody_left"), size="1", color_scheme="gray"),
    )


def _enrolment_badge(kind: Var) -> rx.Component:
    return status_badge(kind, "enrolment", ("mandatory", "recommended", "free"), variant="soft")


def _status_dialog() -> rx.Component:
    """Confirming (e-mails everyone), finishing or archiving: said in full, then done on a second click."""
    change = _STATUS_CHANGE
    to = change.next_status.to(str)
    trainers, learners = change.trainers.to(int), change.learners.to(int)
    no_email = rx.text(T("manage.ask.no_email"), size="2")
    body = rx.match(
        to,
        (
            "active",
            rx.vstack(
                rx.cond(
                    trainers + learners > 0,
                    rx.vstack(
                        rx.text(Tn("manage.ask.active.emails", trainers + learners), size="2", weight="medium"),
                        rx.el.ul(
                            rx.el.li(Tn("manage.ask.trainers", trainers)),
                            rx.el.li(Tn("manage.ask.learners", learners)),
                            padding_left="1.25rem",
                            margin="0",
                            data_testid="status-recipients",
                        ),
                        spacing="1",
                    ),
                    rx.text(T("manage.ask.active.nobody"), size="2", color_scheme="amber"),
                ),
                rx.text(T("manage.ask.active.after"), size="2"),
                spacing="2",
            ),
        ),
        ("finished", rx.vstack(rx.text(Tn("manage.ask.finished.what", learners), size="2"), no_email, spacing="2")),
        (
            "archived",
            rx.vstack(
                rx.text(Tn("manage.ask.archived.what", learners), size="2"),
                rx.text(T("manage.ask.archived.readonly"), size="2"),
                no_email,
                rx.vstack(
                    rx.el.label(T("manage.archive_category"), html_for="archive-category", class_name="plume-label"),
                    rx.el.select(
                        rx.el.option("—", value=""),
                        rx.foreach(
                            SessionPageState.archive_categories,
                            lambda c: rx.el.option(c.name.to(str), value=c.key.to(str)),
                        ),
                        id="archive-category",
                        value=SessionPageState.archive_category,
                        on_change=SessionPageState.set_archive_category,
                        class_name="plume-select",
                        aria_invalid=rx.cond(SessionPageState.archive_error != "", "true", "false"),
                        aria_describedby="archive-category-error",
                    ),
                    rx.cond(
                        SessionPageState.archive_error != "",
                        rx.text(
                            SessionPageState.archive_error,
                            id="archive-category-error",
                            color_scheme="red",
                            size="2",
                            role="alert",
                        ),
                    ),
                    spacing="1",
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
        ),
        rx.fragment(),
    )
    return dialog_frame(
        SessionPageState.status_change,
        rx.vstack(
            rx.dialog.title(
                rx.match(
                    to,
                    *[(s, T(f"manage.ask.{s}.title")) for s in ("active", "finished", "archived")],
                    "",
                ),
                margin="0",
            ),
            rx.dialog.description(body, as_child=True),
            rx.text(T("manage.ask.final"), size="2", color_scheme="gray"),
            rx.flex(
                rx.button(
                    T("manage.ask.cancel"),
                    variant="soft",
                    color_scheme="gray",
                    on_click=SessionPageState.cancel_advance,
                ),
                rx.button(
                    rx.match(
                        to,
                        *[(s, T(f"manage.ask.{s}.submit")) for s in ("active", "finished", "archived")],
                        "",
                    ),
                    color_scheme=rx.cond(to == "active", "green", styles.ACCENT),
                    on_click=SessionPageState.advance(to),  # type: ignore[operator]
                    data_testid="status-confirm",
                ),
                spacing="3",
                justify="end",
                wrap="wrap",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_close=SessionPageState.cancel_advance,
        max_width="32rem",
        on_interact_outside=SessionPageState.cancel_advance,
    )


def _archived_banner() -> rx.Component:
    """An archived session says it is read-only, for everyone; staff may take it out of the archive."""
    view = _VIEW
    category = view.archive_category.to(str)
    return rx.cond(
        view.status.to(str) == "archived",
        rx.callout(
            rx.hstack(
                rx.text(
                    Tf(
                        "manage.archive_readonly",
                        category=rx.cond(category != "", category, "—"),
                    ),
                    size="2",
                    flex="1",
                ),
                rx.cond(
                    view.can_restore.to(bool),
                    rx.button(
                        rx.icon("archive_restore", size=14),
                        T("manage.unarchive"),
                        size="2",
                        variant="soft",
                        on_click=SessionPageState.unarchive,
                        data_testid="unarchive",
                    ),
                ),
                width="100%",
                align="center",
                wrap="wrap",
                spacing="3",
            ),
            icon="archive",
            color_scheme="gray",
            width="100%",
            data_testid="archived-banner",
        ),
    )


def _left_history() -> rx.Component:
    """The last learners taken off the session, with when and why (the reasons asked when unenrolling)."""
    return rx.cond(
        SessionPageState.left.length() > 0,
        rx.el.details(
            rx.el.summary(
                Tn("manage.left_history", SessionPageState.left.length()),
                cursor="pointer",
                font_size="0.875rem",
                color="var(--gray-11)",
            ),
            rx.vstack(
                rx.foreach(
                    SessionPageState.left,
                    lambda p: rx.box(
                        rx.text(p.name, size="2", weight="medium"),
                        rx.text(p.detail, size="1", color_scheme="gray"),
                        data_testid="left-row",
                    ),
                ),
                spacing="2",
                padding_top="0.5rem",
            ),
            width="100%",
        ),
    )


def _trainer_archive() -> rx.Component:
    """A trainer of a finished session archives it too (staff do it from `_management`): asked first, the same dialog."""
    return rx.cond(
        ~SessionPageState.can_edit & _VIEW.can_archive.to(bool),
        list_card(
            rx.hstack(
                rx.heading(T("manage.title"), size="4", as_="h2"),
                rx.spacer(),
                rx.button(
                    T("manage.archive"),
                    on_click=SessionPageState.ask_advance("archived"),  # type: ignore[operator]
                    color_scheme="gray",
                    aria_haspopup="dialog",
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            _status_dialog(),
        ),
    )


def _people(
    people: ArrayVar[Sequence[Person]], row: Callable[[ObjectVar[Person]], rx.Component], empty_key: str, **props: str
) -> rx.Component:
    """The people of a session in one role, one row each, or the line saying there is none."""
    return rx.cond(
        people.length() > 0,
        rx.vstack(rx.foreach(people, row), width="100%", **props),
        rx.text(T(empty_key), size="2", color_scheme="gray"),
    )


def _positioned(
    role: str,
    people: ArrayVar[Sequence[Person]],
    remove: Any,
    choices: ArrayVar[Sequence[Person]],
    position: Any,
    **heading: str,
) -> tuple[rx.Component, ...]:
    """The trainers (or tutors) of the session: heading, list, and the picker adding one (keys `manage.*<role>*`)."""
    return (
        rx.heading(T(f"manage.{role}s"), size="3", as_="h3", **heading),
        _people(people, lambda p: _person_row(p, remove(p.user_id.to_string()), rx.fragment()), f"manage.no_{role}"),
        _picker(f"{role}_id", f"manage.pick_{role}", choices, button_key=f"manage.add_{role}", on_submit=position),
    )


def _management() -> rx.Component:
    status = _VIEW.status.to(str)
    return rx.cond(
        SessionPageState.can_edit,
        list_card(
            rx.hstack(
                rx.heading(T("manage.title"), size="4", as_="h2"),
                rx.spacer(),
                *[
                    rx.cond(
                        status == current,
                        rx.button(
                            T(label),
                            # Asks first: the dialog says what the change does (`_status_dialog`).
                            on_click=SessionPageState.ask_advance(nxt),  # type: ignore[operator]
                            color_scheme="green" if nxt == "active" else "gray",
                            aria_haspopup="dialog",
                        ),
                    )
                    for current, nxt, label in STATUS_ACTIONS
                ],
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.cond(status == "draft", rx.text(T("manage.confirm_hint"), size="1", color_scheme="gray")),
            _status_dialog(),
            hours_to_plan_form(),
            rx.grid(
                rx.vstack(
                    *_positioned(
                        "trainer",
                        SessionPageState.trainers,
                        SessionPageState.remove_trainer,
                        SessionPageState.trainer_choices,
                        SessionPageState.position_trainer,
                    ),
                    *_positioned(
                        "tutor",
                        SessionPageState.tutors,
                        SessionPageState.remove_tutor,
                        SessionPageState.tutor_choices,
                        SessionPageState.position_tutor,
                        margin_top="0.5rem",
                    ),
                    spacing="2",
                    width="100%",
                    id="session-trainers",
                ),
                rx.vstack(
                    rx.hstack(
                        rx.heading(T("manage.learners"), size="3", as_="h3"),
                        rx.badge(SessionPageState.learner_count.to_string(), radius="full"),
                        align="center",
                    ),
                    _people(
                        SessionPageState.learners,
                        lambda p: _person_row(
                            p,
                            SessionPageState.ask_unenrol(p.user_id.to_string()),  # type: ignore[operator]
                            _enrolment_badge(p.detail.to(str)),
                        ),
                        "manage.no_learner",
                        max_height="16rem",
                        overflow_y="auto",
                    ),
                    unenrol_form(),
                    rx.cond(
                        SessionPageState.learner_count > SessionPageState.learners.length(),
                        rx.text(
                            Tf(
                                "manage.shown",
                                shown=SessionPageState.learners.length().to_string(),
                                count=SessionPageState.learner_count.to_string(),
                            ),
                            size="1",
                            color_scheme="gray",
                        ),
                    ),
                    rx.form(
                        rx.hstack(
                            rx.input(
                                name="learner_query",
                                default_value=SessionPageState.learner_query,
                                aria_label=T("manage.search"),
                                placeholder=T("manage.search"),
                                flex="1",
                            ),
                            rx.button(
                                rx.icon("search", size=14), T("manage.search_button"), type="submit", variant="soft"
                            ),
                            width="100%",
                        ),
                        on_submit=SessionPageState.search_learners,
                        width="100%",
                    ),
                    learner_multi_picker(),
                    _left_history(),
                    spacing="2",
                    width="100%",
                    id="session-learners",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="5",
                width="100%",
            ),
        ),
    )


def _document_row(doc: ObjectVar[DocumentItem]) -> rx.Component:
    name = doc.name.to(str)
    return rx.hstack(
        rx.icon("file", size=14, color=rx.color("gray", 10)),
        rx.vstack(
            # Document navigation: the SPA router must not take over a file download.
            ReactRouterLink.create(
                name,
                href=doc.url.to(str),
                reload_document=True,
                download=name,
                aria_label=Tf("documents.download", name=name),
                class_name="plume-download",
            ),
            rx.text(
                Tf(
                    "documents.by",
                    name=doc.uploader_name.to(str),
                    size=doc.size_label.to(str),
                    date=doc.created_at.to(str),
                ),
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
            flex="1",
        ),
        rx.cond(
            doc.can_manage.to(bool) & SessionPageState.editing,
            rx.hstack(
                rx.button(
                    T("editor.rename"),
                    size="1",
                    variant="soft",
                    on_click=SessionPageState.open("rename-doc-" + doc.id.to_string()),  # type: ignore[operator]
                    aria_label=T("editor.rename").to(str) + " " + name,
                ),
                confirm_delete(
                    SessionPageState,
                    name,
                    Tf("documents.confirm", title=name),
                    SessionPageState.delete_document(doc.id.to_string()),  # type: ignore[operator]
                ),
                spacing="1",
            ),
        ),
        width="100%",
        align="center",
        wrap="wrap",
        data_testid="document-row",
    )


def _document_item(doc: ObjectVar[DocumentItem]) -> rx.Component:
    key = "rename-doc-" + doc.id.to_string()
    return rx.vstack(
        _document_row(doc),
        rx.cond(
            SessionPageState.open_form == key,
            rx.form(
                rx.el.input(type="hidden", name="document_id", value=doc.id.to_string()),
                rx.hstack(
                    rx.input(
                        name="document_name",
                        default_value=doc.name.to(str),
                        aria_label=T("editor.new_title"),
                        size="1",
                        flex="1",
                    ),
                    rx.button(T("common.save"), type="submit", size="1"),
                    width="100%",
                ),
                rx.cond(
                    SessionPageState.error_form == key,
                    rx.text(_EDIT_ERRORS.get("name", "").to(str), role="alert", color_scheme="red", size="1"),
                ),
                on_submit=SessionPageState.rename_document,
                width="100%",
            ),
        ),
        width="100%",
        spacing="1",
    )


def _module_documents(module: ObjectVar[ModuleView]) -> rx.Component:
    docs = _DOCUMENTS.get(module.id.to_string(), []).to(list[DocumentItem])
    return rx.cond(
        ~module.locked.to(bool),
        rx.vstack(
            rx.text(T("documents.title"), size="1", weight="bold", color_scheme="gray"),
            rx.cond(
                docs.length() > 0,
                rx.vstack(rx.foreach(docs, _document_item), spacing="1", width="100%"),
                rx.text(T("documents.none"), size="1", color_scheme="gray"),
            ),
            spacing="1",
            width="100%",
            padding_top="0.5rem",
            border_top=f"1px solid {rx.color('gray', 4)}",
        ),
    )


def _upload_panel() -> rx.Component:
    return rx.cond(
        SessionPageState.can_manage_content & (SessionPageState.modules.length() > 0),
        list_card(
            rx.heading(T("documents.add"), size="4", as_="h2"),
            rx.hstack(
                rx.vstack(
                    rx.el.label(T("documents.module"), html_for="upload-module", class_name="plume-label"),
                    rx.el.select(
                        rx.foreach(
                            SessionPageState.modules, lambda m: rx.el.option(m["title"].to(str), value=m["id"].to(str))
                        ),
                        id="upload-module",
                        value=SessionPageState.upload_module,
                        on_change=SessionPageState.choose_upload_module,
                        class_name="plume-select",
                    ),
                    spacing="1",
                    min_width="14rem",
                ),
                drop_zone(
                    "documents", "documents.drop", "documents.limits", multiple=True, flex="1", min_width="16rem"
                ),
                spacing="3",
                width="100%",
                wrap="wrap",
                align="stretch",
            ),
            chosen_files("documents"),
            rx.cond(
                SessionPageState.upload_error != "",
                rx.text(
                    SessionPageState.upload_error,
                    role="alert",
                    color_scheme="red",
                    size="2",
                    weight="medium",
                    white_space="pre-wrap",  # one refused file a line, each with its reason
                    data_testid="upload-error",
                ),
            ),
            rx.cond(
                SessionPageState.upload_notice != "",
                rx.text(SessionPageState.upload_notice, role="status", color_scheme="green", size="2"),
            ),
            rx.button(
                rx.icon("upload", size=14),
                T("documents.send"),
                loading=SessionPageState.uploading,
                on_click=[
                    SessionPageState.upload_documents(rx.upload_files(upload_id="documents")),  # type: ignore[operator]
                    rx.clear_selected_files("documents"),
                ],
            ),
        ),
    )


def _body() -> rx.Component:
    return rx.vstack(
        _header(),
        rx.cond(
            _VIEW.progress.to(int) >= 0,
            rx.hstack(
                rx.text(
                    Tf("activity.progress", percent=_VIEW.progress.to(str)),
                    size="2",
                    weight="medium",
                    white_space="nowrap",
                ),
                # A width of its own: in a row sized to its content, `flex="1"` alone left the bar 0 px wide.
                rx.progress(value=_VIEW.progress.to(int), width="12rem", max_width="40vw"),
                align="center",
                id="learner-progress",
            ),
        ),
        progress_bar(ProgressBarState.segments, on_open=SessionPageState.open_activity),
        my_record_card(),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(T("session.tab_timeline"), value="timeline"),
                rx.cond(
                    ChatState.chat_found,
                    rx.tabs.trigger(
                        rx.hstack(
                            rx.text(T("chat.tab")),
                            rx.cond(
                                ChatState.unread > 0,
                                rx.badge(
                                    ChatState.unread.to_string(),
                                    color_scheme="red",
                                    radius="full",
                                    data_testid="chat-unread",
                                ),
                            ),
                            align="center",
                            spacing="2",
                        ),
                        value="chat",
                    ),
                ),
            ),
            rx.tabs.content(
                rx.vstack(
                    _archived_banner(),
                    _management(),
                    _trainer_archive(),
                    rx.cond(_VIEW.status.to(str) != "archived", enrolment_csv_card()),
                    _upload_panel(),
                    activity_panel(SessionPageState),
                    edit_messages(SessionPageState),
                    rx.cond(
                        (SessionPageState.modules.length() > 0) | SessionPageState.editing,
                        rx.flex(
                            rx.card(
                                rx.vstack(
                                    rx.heading(T("session.modules"), size="4", as_="h2"),
                                    rx.vstack(
                                        rx.foreach(SessionPageState.modules, _module_row),
                                        spacing="1",
                                        width="100%",
                                        id="module-list",
                                    ),
                                    spacing="3",
                                    width="100%",
                                ),
                                width=["100%", "100%", "18rem"],
                                flex_shrink="0",
                                box_shadow=styles.CARD_SHADOW,
                                as_="nav",
                                on_mouse_up=SessionPageState.cancel_drag,
                            ),
                            rx.vstack(
                                rx.hstack(
                                    rx.heading(T("session.timeline"), size="4", as_="h2"),
                                    rx.spacer(),
                                    edit_toggle(SessionPageState),
                                    width="100%",
                                    align="center",
                                ),
                                add_module_form(SessionPageState),
                                timeline_strip(
                                    rx.foreach(
                                        SessionPageState.modules,
                                        lambda m: module_column(
                                            SessionPageState, m, _module_documents, SessionPageState.open_activity
                                        ),
                                    ),
                                ),
                                spacing="3",
                                min_width="0",
                                flex="1",
                            ),
                            direction=rx.breakpoints(initial="column", md="row"),
                            align=rx.breakpoints(initial="stretch", md="start"),  # the list as tall as its rows
                            spacing="4",
                            width="100%",
                        ),
                        rx.vstack(
                            rx.hstack(rx.spacer(), edit_toggle(SessionPageState), width="100%"),
                            empty_state("session.empty", "layers"),
                            width="100%",
                        ),
                    ),
                    review_card(),
                    spacing="4",
                    width="100%",
                ),
                value="timeline",
                padding_top="1rem",
            ),
            rx.tabs.content(chat_panel(), value="chat", padding_top="1rem"),
            default_value="timeline",
            on_change=ChatState.show_chat,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def session_page() -> rx.Component:
    """A session's page.

    Returns:
        The page.
    """
    return gated_page(SessionPageState.loading, SessionPageState.found, _body())
