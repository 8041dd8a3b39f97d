"""`Tutorat > Formations`: the followed courses (tree, paged list), a course's detail, and the review card."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import reflex as rx

from app.i18n import t
from app.services import course_reviews
from app.services import tutoring_courses as tc
from app.services.course_categories import UNCATEGORISED, Folder
from app.services.errors import ErrorCode, PlumeError
from state.common import clean_id, clean_str, error_message, form_fields, route_id, run_db
from state.guard import SIGNED_IN, policy, require_actor
from state.paging import SortedPagedList
from state.session import SessionState

TABS = ("info", "lessons", "reviews")
TAB_PARAMS = {"informations": "info", "lecons": "lessons", "avis": "reviews"}


def star_string(stars: int) -> str:
    """A 1–5 rating as filled and empty stars.

    Args:
        stars: The rating.

    Returns:
        E.g. "★★★★☆".
    """
    n = max(0, min(5, stars))
    return "★" * n + "☆" * (5 - n)


@dataclass(frozen=True)
class ReviewCard:
    """A review as the course's `Avis` tab shows it: the service's row, its rating drawn as stars."""

    author: str
    date: str
    stars: int
    stars_text: str
    comment: str
    session: str

    @classmethod
    def of(cls, review: course_reviews.ReviewRow) -> ReviewCard:
        """The card of a review.

        Args:
            review: As the service lists it.

        Returns:
            The card.
        """
        return cls(
            author=review.author,
            date=review.date,
            stars=review.stars,
            stars_text=star_string(review.stars),
            comment=review.comment,
            session=review.session,
        )


class TutoringCoursesState(SortedPagedList, rx.State):
    """`Tutorat > Formations`: category tree on the left, one page of followed courses on the right."""

    sorts: ClassVar[tuple[str, ...]] = tc.SORTS
    sorts_descending: ClassVar[frozenset[str]] = frozenset({"learners"})

    loading: rx.Field[bool] = rx.field(True)
    total_courses: rx.Field[int] = rx.field(0)
    # The tree's folders, the uncategorised one named in the person's language.
    folders: rx.Field[list[Folder]] = rx.field(default_factory=list)
    collapsed: rx.Field[list[str]] = rx.field(default_factory=list)
    folder: rx.Field[str] = rx.field("")
    query: rx.Field[str] = rx.field("")
    filters_open: rx.Field[bool] = rx.field(False)
    course_filter: rx.Field[str] = rx.field("")
    list_filter: rx.Field[str] = rx.field("")
    course_options: rx.Field[list[tc.Option]] = rx.field(default_factory=list)
    list_options: rx.Field[list[tc.Option]] = rx.field(default_factory=list)
    sort: rx.Field[str] = rx.field("title")
    first: rx.Field[int] = rx.field(0)
    last: rx.Field[int] = rx.field(0)
    rows: rx.Field[list[tc.CourseLine]] = rx.field(default_factory=list)

    @rx.var
    def visible_folders(self) -> list[Folder]:
        """The folders whose ancestors are all open."""
        closed = set(self.collapsed)
        return [f for f in self.folders if not closed.intersection(_ancestors(f.path))]

    @rx.var
    def filtered(self) -> bool:
        """Whether a course or list filter is on."""
        return self.course_filter != "" or self.list_filter != ""

    async def _show(self) -> None:
        actor = require_actor()
        folder, query, order = self.folder, self.query, self._order()
        course_id, list_id = clean_id(self.course_filter) or 0, clean_id(self.list_filter) or 0
        try:
            found = await run_db(
                lambda db: tc.course_list(
                    db, actor, folder=folder, query=query, course_id=course_id, list_id=list_id, **order
                )
            )
        except PlumeError:
            self.rows, self.total, self.first, self.last = [], 0, 0, 0
            return
        self._take_page(found)
        self.first, self.last = found.first, found.last
        self.rows = found.rows

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the tree and the first page of the courses the person follows."""
        actor = require_actor()
        self.loading = True
        tree = await run_db(lambda db: tc.course_tree(db, actor))
        lang = (await self.get_state(SessionState)).lang
        self.total_courses = tree.total
        self.folders = [replace(f, name=f.name or t(lang, "tcourses.uncategorised")) for f in tree.folders]
        self.course_options, self.list_options = tree.courses, tree.lists
        self.collapsed, self.folder, self.query = [], "", ""
        self.filters_open, self.course_filter, self.list_filter = False, "", ""
        self.sort, self.descending, self.page = "title", False, 1
        await self._show()
        self.loading = False

    @rx.event
    @policy(SIGNED_IN)
    async def select_folder(self, path: Any) -> None:
        """Show the courses of a folder and its sub-folders ("" for every course).

        Args:
            path: A folder path of the tree.
        """
        value = clean_str(path, 1_000)
        if value == "" or any(f.path == value for f in self.folders):
            self.folder = value
            await self._turn_to(1)

    @rx.event
    @policy(SIGNED_IN)
    def toggle_folder(self, path: Any) -> None:
        """Fold or unfold a folder's sub-folders.

        Args:
            path: A folder path of the tree.
        """
        value = clean_str(path, 1_000)
        if not any(f.path == value and f.has_children for f in self.folders):
            return
        self.collapsed = (
            [p for p in self.collapsed if p != value] if value in self.collapsed else [*self.collapsed, value]
        )

    @rx.event
    @policy(SIGNED_IN)
    async def search(self, form_data: Any) -> None:
        """Narrow the list to a course name.

        Args:
            form_data: query.
        """
        self.query = clean_str(form_fields(form_data).get("query"), tc.QUERY_LIMIT).strip()
        await self._turn_to(1)

    @rx.event
    @policy(SIGNED_IN)
    def toggle_filters(self) -> None:
        """Show or hide the course and list filters."""
        self.filters_open = not self.filters_open

    async def _filter(self, course: str, listed: str) -> None:
        """Show the course and list the filters chose ("" for all), from the first page; a choice not offered is ignored."""
        if _offered(course, self.course_options) and _offered(listed, self.list_options):
            self.course_filter, self.list_filter = course, listed
            await self._turn_to(1)

    @rx.event
    @policy(SIGNED_IN)
    async def set_course_filter(self, value: Any) -> None:
        """Show one course only ("" for all).

        Args:
            value: A course id the filter offers.
        """
        await self._filter(clean_str(value, 20), self.list_filter)

    @rx.event
    @policy(SIGNED_IN)
    async def set_list_filter(self, value: Any) -> None:
        """Show the course of one learner list only ("" for all).

        Args:
            value: A session id the filter offers.
        """
        await self._filter(self.course_filter, clean_str(value, 20))

    @rx.event
    @policy(SIGNED_IN)
    async def clear_filters(self) -> None:
        """Remove the course and list filters."""
        await self._filter("", "")

    async def _show_page(self) -> None:
        await self._show()


def _offered(chosen: str, options: list[tc.Option]) -> bool:
    """Whether a filter offers a choice ("" for all is always offered)."""
    return chosen == "" or any(str(o.id) == chosen for o in options)


def _ancestors(path: str) -> list[str]:
    if path == UNCATEGORISED:
        return []
    parts = path.split(" > ")
    return [" > ".join(parts[:depth]) for depth in range(1, len(parts))]


class TutoringCourseState(rx.State):
    """A followed course: side panel (thumbnail, shortcuts, tabs, quick stats) and the tab's content."""

    loading: rx.Field[bool] = rx.field(True)
    found: rx.Field[bool] = rx.field(False)
    tab: rx.Field[str] = rx.field("info")
    course: rx.Field[tc.CourseInfo | None] = rx.field(None)
    stats: rx.Field[tc.QuickStats | None] = rx.field(None)
    lessons: rx.Field[list[tc.LessonRow]] = rx.field(default_factory=list)
    reviews: rx.Field[list[ReviewCard]] = rx.field(default_factory=list)
    comments_open: rx.Field[bool] = rx.field(False)
    comments_title: rx.Field[str] = rx.field("")
    comments: rx.Field[list[tc.LessonComment]] = rx.field(default_factory=list)
    _course_id: int = 0

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Open the course in the URL (`/tutorat/formations/<course_id>`, `?onglet=avis` for the reviews)."""
        actor = require_actor()
        self.loading, self.comments_open, self.comments = True, False, []
        self._course_id = route_id(self, "course_id") or 0
        wanted = clean_str(self.router.url.query_parameters.get("onglet", ""), 20)
        self.tab = TAB_PARAMS.get(wanted, "info")
        cid = self._course_id
        try:
            if not cid:
                raise PlumeError(ErrorCode.NOT_FOUND)
            detail = await run_db(lambda db: tc.course_detail(db, actor, cid))
        except PlumeError:
            self.found, self.course, self.lessons, self.reviews, self.stats = False, None, [], [], None
            self.loading = False
            return
        self.course, self.stats, self.lessons = detail.info, detail.stats, detail.lessons
        self.reviews = [ReviewCard.of(r) for r in detail.reviews]
        self.found, self.loading = True, False

    @rx.event
    @policy(SIGNED_IN)
    def set_tab(self, tab: Any) -> None:
        """Show `Informations générales`, `Leçons` or `Avis`.

        Args:
            tab: info, lessons or reviews.
        """
        if tab in TABS:
            self.tab = str(tab)

    @rx.event
    @policy(SIGNED_IN)
    async def open_comments(self, activity_id: Any) -> None:
        """Show the learners' comments on one lesson.

        Args:
            activity_id: The lesson, as listed.
        """
        actor, cid, aid = require_actor(), self._course_id, clean_id(activity_id)
        if aid is None or not any(lesson.activity_id == aid for lesson in self.lessons):
            return
        try:
            title, found = await run_db(lambda db: tc.lesson_comments(db, actor, cid, aid))
        except PlumeError:
            return
        self.comments_title = title
        self.comments = found
        self.comments_open = True

    @rx.event
    @policy(SIGNED_IN)
    def close_comments(self) -> None:
        """Close the comments dialog."""
        self.comments_open, self.comments = False, []


class ReviewState(rx.State):
    """The review card of a session page: an enrolled learner rates the course (1–5 stars) and comments."""

    loading: rx.Field[bool] = rx.field(True)
    can_review: rx.Field[bool] = rx.field(False)
    stars: rx.Field[int] = rx.field(0)
    comment: rx.Field[str] = rx.field("")
    sent: rx.Field[bool] = rx.field(False)
    error: rx.Field[str] = rx.field("")
    _session_id: int = 0

    @rx.var
    def stars_text(self) -> str:
        """The rating as filled and empty stars."""
        return star_string(self.stars)

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Read the session from the URL (`/sessions/<id>`) and the person's review, if any."""
        actor = require_actor()
        self.loading, self.error = True, ""
        self._session_id = route_id(self, "session_id") or 0
        sid = self._session_id
        try:
            if not sid:
                raise PlumeError(ErrorCode.NOT_FOUND)
            draft = await run_db(lambda db: course_reviews.my_review(db, actor, sid))
        except PlumeError:
            self.can_review, self.stars, self.comment, self.sent = False, 0, "", False
            self.loading = False
            return
        self.can_review, self.stars, self.comment, self.sent = draft.can_review, draft.stars, draft.comment, draft.sent
        self.loading = False

    @rx.event
    @policy(SIGNED_IN)
    def set_stars(self, stars: Any) -> None:
        """Pick a rating.

        Args:
            stars: 1 to 5.
        """
        number = clean_id(stars)
        if number is not None and 1 <= number <= 5 and self.can_review:
            self.stars, self.error = number, ""

    @rx.event
    @policy(SIGNED_IN)
    def edit(self) -> None:
        """Change a review already sent."""
        if self.can_review:
            self.sent = False

    @rx.event
    @policy(SIGNED_IN)
    async def submit(self, form_data: Any) -> None:
        """Send the rating and the comment.

        Args:
            form_data: comment.
        """
        actor, sid, stars = require_actor(), self._session_id, self.stars
        comment = clean_str(form_fields(form_data).get("comment"), course_reviews.REVIEW_MAX_CHARS + 1_000)
        lang = (await self.get_state(SessionState)).lang
        if not sid:
            return
        try:
            review = await run_db(lambda db: course_reviews.leave_review(db, actor, sid, stars, comment))
        except PlumeError as err:
            self.error = error_message(lang, err)
            return
        self.stars, self.comment, self.sent, self.error = review.stars, review.comment, True, ""
