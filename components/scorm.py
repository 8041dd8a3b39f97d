"""The SCORM player: the package's SCO in a frame, with the run-time API it looks for on this window.

The run-time is the `scorm-again` library (npm, MIT): `ScormRuntime` bundles it into the page and hands its
two API classes to `assets/scorm-player.js`, which builds the API for the frame's attempt (loaded with the
learner's data: bookmark, suspend data, total time) before the frame opens the SCO, and points its commits at
Plume's commit URL.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var

from components.i18n import T
from state.scorm import ScormPlayerState

SCORM_AGAIN = "scorm-again@3.4.3"


class ScormRuntime(rx.Fragment):
    """Renders nothing: loads `scorm-again` and gives its API classes to the page's player script."""

    def add_imports(self) -> dict[str, list[str]]:
        """The library's two run-times.

        Returns:
            The imports.
        """
        return {SCORM_AGAIN: ["Scorm12API", "Scorm2004API"], "react": ["useEffect"]}

    def add_hooks(self) -> list[str | rx.Var]:
        """Hand the classes to `assets/scorm-player.js` once the page is mounted.

        Returns:
            The hook.
        """
        return [
            "useEffect(() => { window.PlumeScormApis = { Scorm12API, Scorm2004API }; "
            "window.dispatchEvent(new Event('plume-scorm-ready')); }, []);"
        ]


scorm_runtime = ScormRuntime.create


def _toc_entry(item: Any, current: Var[str]) -> rx.Component:
    status = item["status"].to(str)
    return rx.button(
        rx.cond(
            (status == "completed") | (status == "passed"),
            rx.icon("circle_check", size=16, color=rx.color("green", 10), data_testid="scorm-done"),
            rx.cond(
                status == "failed",
                rx.icon("circle_x", size=16, color=rx.color("red", 10)),
                rx.cond(status == "in_progress", rx.icon("circle_dot", size=16), rx.icon("circle", size=16)),
            ),
        ),
        rx.text(item["title"].to(str), size="2", text_align="left", flex="1"),
        on_click=ScormPlayerState.go(item["identifier"].to(str)),  # type: ignore[operator]
        variant=rx.cond(item["identifier"].to(str) == current, "soft", "ghost"),
        aria_current=rx.cond(item["identifier"].to(str) == current, "page", "false"),
        justify="start",
        width="100%",
        size="2",
        data_testid="scorm-toc-item",
    )


def _navigation(player: Any) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("chevron_left", size=16),
            T("scorm.previous"),
            on_click=ScormPlayerState.go(player["previous"].to(str)),  # type: ignore[operator]
            disabled=player["previous"].to(str) == "",
            variant="soft",
            color_scheme="gray",
        ),
        rx.spacer(),
        rx.text(
            player["position"].to(str), " / ", player["items"].to(list).length().to(str), size="2", color_scheme="gray"
        ),
        rx.spacer(),
        rx.button(
            T("scorm.next"),
            rx.icon("chevron_right", size=16),
            on_click=ScormPlayerState.go(player["next"].to(str)),  # type: ignore[operator]
            disabled=player["next"].to(str) == "",
            variant="soft",
        ),
        width="100%",
        align="center",
    )


def player_body() -> rx.Component:
    """The player page: the SCO full width, the table of contents beside it (above it on a phone).

    Returns:
        The page's body.
    """
    player = ScormPlayerState.player.to(dict)
    items = player["items"].to(list[dict])
    several = items.length() > 1
    frame = rx.el.iframe(
        title=player["activity_title"].to(str),
        custom_attrs={
            "data-scorm-launch": player["launch_url"].to(str),
            "data-scorm-version": player["version"].to(str),
            "data-scorm-commit": player["commit_url"].to(str),
            "data-scorm-cmi": player["cmi_json"].to(str),
            "data-scorm-key": player["run"].to(str),
        },
        key=player["run"].to(str),
        width="100%",
        height=rx.breakpoints(initial="75vh", md="calc(100vh - 14rem)"),
        border="1px solid var(--gray-a5)",
        border_radius="0.5rem",
        background="white",
        id="scorm-frame",
    )
    toc = rx.vstack(
        rx.text(T("scorm.contents"), size="2", weight="bold"),
        rx.foreach(items, lambda item: _toc_entry(item, player["item"].to(str))),
        spacing="1",
        width="100%",
    )
    return rx.vstack(
        scorm_runtime(),
        rx.hstack(
            rx.link(
                rx.hstack(rx.icon("arrow_left", size=16), T("scorm.back"), align="center", spacing="1"),
                href="/sessions/" + player["session_id"].to(str),
                size="2",
            ),
            rx.spacer(),
            rx.cond(
                player["review"].to(bool),
                rx.badge(rx.icon("eye", size=12), T("scorm.review"), color_scheme="green", variant="soft"),
                rx.cond(
                    player["commit_url"].to(str) == "",
                    rx.badge(rx.icon("eye", size=12), T("scorm.preview"), color_scheme="gray", variant="soft"),
                ),
            ),
            width="100%",
            align="center",
        ),
        rx.vstack(
            rx.heading(player["activity_title"].to(str), size="6", as_="h1"),
            rx.text(player["package_title"].to(str), size="2", color_scheme="gray"),
            spacing="1",
        ),
        rx.cond(
            several,
            rx.flex(
                rx.box(toc, width=rx.breakpoints(initial="100%", md="16rem"), flex_shrink="0"),
                rx.vstack(frame, _navigation(player), width="100%", spacing="2"),
                direction=rx.breakpoints(initial="column", md="row"),
                gap="1rem",
                width="100%",
            ),
            frame,
        ),
        spacing="3",
        width="100%",
        data_testid="scorm-player",
    )
