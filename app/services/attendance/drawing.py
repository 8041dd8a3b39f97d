"""Signatures as drawn: the pad's strokes read and checked, and the SVG we store for them."""

from __future__ import annotations

import re

from app.services.errors import ErrorCode, PlumeError

PAD_WIDTH, PAD_HEIGHT = 1000, 400
MAX_POINTS = 6_000
MAX_STROKES = 300
_POINT = re.compile(r"^(\d{1,4}),(\d{1,4})$")


def parse_strokes(raw: object) -> list[list[tuple[int, int]]]:
    """Read a drawing sent by the pad: strokes split by `|`, points `x,y` split by spaces.

    Coordinates are in the pad's 1000 × 400 box. Anything else is refused, so
    the stored SVG is always built by us, never taken from the browser.

    Args:
        raw: As received.

    Returns:
        The strokes.

    Raises:
        PlumeError: SIGNATURE_EMPTY for nothing (or a dot), INVALID_INPUT for a malformed drawing.
    """
    if not isinstance(raw, str):
        raise PlumeError(ErrorCode.INVALID_INPUT, field="signature")
    if not raw.strip():
        raise PlumeError(ErrorCode.SIGNATURE_EMPTY, field="signature")
    if len(raw) > MAX_POINTS * 10:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="signature")
    strokes: list[list[tuple[int, int]]] = []
    count = 0
    for part in raw.strip().split("|"):
        points: list[tuple[int, int]] = []
        for token in part.split():
            match = _POINT.match(token)
            if match is None:
                raise PlumeError(ErrorCode.INVALID_INPUT, field="signature")
            x, y = int(match.group(1)), int(match.group(2))
            if x > PAD_WIDTH or y > PAD_HEIGHT:
                raise PlumeError(ErrorCode.INVALID_INPUT, field="signature")
            points.append((x, y))
        count += len(points)
        if points:
            strokes.append(points)
    if count > MAX_POINTS or len(strokes) > MAX_STROKES:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="signature")
    xs = [x for s in strokes for x, _ in s]
    ys = [y for s in strokes for _, y in s]
    if count < 2 or max(max(xs) - min(xs), max(ys) - min(ys)) < 15:
        raise PlumeError(ErrorCode.SIGNATURE_EMPTY, field="signature")
    return strokes


def render_svg(strokes: list[list[tuple[int, int]]]) -> str:
    """The SVG we store for a drawing (only paths we wrote ourselves).

    Args:
        strokes: From `parse_strokes`.

    Returns:
        The SVG document.
    """
    paths = []
    for stroke in strokes:
        head, *rest = stroke
        d = f"M{head[0]} {head[1]}" + "".join(f"L{x} {y}" for x, y in rest or [head])
        paths.append(f'<path d="{d}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {PAD_WIDTH} {PAD_HEIGHT}">'
        '<g fill="none" stroke="#1e293b" stroke-width="5" stroke-linecap="round" stroke-linejoin="round">'
        + "".join(paths)
        + "</g></svg>"
    )


def svg_strokes(svg: str) -> list[list[tuple[int, int]]]:
    """The strokes of an SVG made by `render_svg` (for the PDF sheets).

    Args:
        svg: The stored SVG.

    Returns:
        The strokes.
    """
    out: list[list[tuple[int, int]]] = []
    for d in re.findall(r'd="([^"]*)"', svg):
        points = [(int(x), int(y)) for x, y in re.findall(r"[ML](\d+) (\d+)", d)]
        if points:
            out.append(points)
    return out
