"""A course's categories: the comma- and " > "-separated text stored on `Course.categories`, as folders.

Commas separate categories and " > " folder levels, so "Santé > Prévention, Management"
puts a course in two folders, one of them nested. The tutoring centre's course tree
and its folder filter both read categories through this module.
"""

from __future__ import annotations

from dataclasses import dataclass

UNCATEGORISED = "__sans_categorie__"


def split_categories(text: str) -> list[tuple[str, ...]]:
    """A course's categories as folder paths: commas separate categories, " > " folder levels.

    Args:
        text: As stored, e.g. "Santé et sécurité > Prévention des risques, Management".

    Returns:
        Each category's path of folder names, without blanks or repeats, in order.
    """
    paths: list[tuple[str, ...]] = []
    for category in (text or "").split(","):
        path = tuple(" ".join(part.split()) for part in category.split(">"))
        path = tuple(part for part in path if part)
        if path and path not in paths:
            paths.append(path)
    return paths


def category_labels(text: str) -> list[str]:
    """A course's categories for display ("Santé et sécurité > Prévention des risques").

    Args:
        text: As stored.

    Returns:
        One label per category.
    """
    return [" > ".join(path) for path in split_categories(text)]


def folders_of(text: str) -> set[str]:
    """Every folder a categories string puts its course in, ancestors included.

    Args:
        text: As stored.

    Returns:
        The folder paths, e.g. {"A", "A > B"} for "A > B".
    """
    found: set[str] = set()
    for path in split_categories(text):
        for depth in range(1, len(path) + 1):
            found.add(" > ".join(path[:depth]))
    return found


@dataclass(frozen=True)
class Folder:
    """One folder of the category tree, in depth-first order."""

    path: str
    name: str
    depth: int
    courses: int
    parent: str
    has_children: bool


def build_tree(counts: dict[str, int]) -> list[Folder]:
    """The folder tree of courses from their categories strings.

    A course counts once in each folder it sits in or below (a course in
    "A > B, A > C" counts once in A). Courses without a category get the
    UNCATEGORISED folder, last. The list is depth-first, siblings by name.

    Args:
        counts: Categories string → how many courses have exactly it.

    Returns:
        The folders, without the root.
    """
    per_folder: dict[str, int] = {}
    children: dict[str, set[str]] = {}
    uncategorised = 0
    for text, count in counts.items():
        folders = folders_of(text)
        if not folders:
            uncategorised += count
        for path in folders:
            per_folder[path] = per_folder.get(path, 0) + count
            parent = path.rpartition(" > ")[0] if " > " in path else ""
            children.setdefault(parent, set()).add(path)
    out: list[Folder] = []

    def walk(parent: str, depth: int) -> None:
        for path in sorted(children.get(parent, ()), key=lambda p: (p.rpartition(" > ")[2].casefold(), p)):
            name = path.rpartition(" > ")[2] if " > " in path else path
            out.append(Folder(path, name, depth, per_folder[path], parent, bool(children.get(path))))
            walk(path, depth + 1)

    walk("", 0)
    if uncategorised:
        out.append(Folder(UNCATEGORISED, "", 0, uncategorised, "", False))
    return out
