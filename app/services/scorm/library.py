"""SCORM packages on an e-learning activity: staff upload one, members of the session open its files.

A package is checked and unpacked once (`package.unpack`) under `<files>/scorm/<sha256>/`, outside Reflex's
public upload folder, and recorded as a `ScormPackage`; an activity names it in its settings
(`package_id`), so the sessions of a course made from one timeline share one copy. Its files are served only
to members of the activity's session, as static files with their content type: nothing in a package ever runs
on the server.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlmodel import Session, select

from app.live.bus import notify
from app.live.contract import TimelineChanged, session_topic
from app.models import Activity, ScormPackage
from app.services import activities, audit
from app.services.access import Capability
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.scorm import package
from app.settings import get_settings

CONTENT_PREFIX = "/api/scorm/{activity_id}/content/"
# Types a package's files are sent with, whatever the machine's own table says.
_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".xml": "application/xml",
    ".xsd": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".pdf": "application/pdf",
    ".swf": "application/x-shockwave-flash",
    ".txt": "text/plain",
}


@dataclass(frozen=True)
class PackageInfo:
    """What an activity's panel says of its package."""

    id: int
    title: str
    version: str  # "1.2" or "2004"
    edition: str
    scos: int
    size_label: str
    new_attempts: bool  # a learner who finished may start the module again (staff decide)


def _root() -> Path:
    return get_settings().files_dir / "scorm"


def package_dir(sha256: str) -> Path:
    """Where a package is unpacked.

    Args:
        sha256: The archive's digest.

    Returns:
        The folder.
    """
    return _root() / sha256


def _elearning(db: Session, actor: Actor, activity_id: object, capability: Capability) -> tuple[Activity, int]:
    activity, _, _, session_id = activities.in_session(db, actor, activity_id, capability)
    if activity.kind != "elearning":
        raise PlumeError(ErrorCode.NOT_FOUND)
    return activity, session_id


def _settings(activity: Activity) -> dict[str, Any]:
    try:
        value = json.loads(activity.settings_json or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def allow_new_attempts(db: Session, actor: Actor, activity_id: object, allowed: bool) -> None:
    """Let learners who finished an e-learning module start it again, as a new attempt (staff).

    Args:
        db: Database session.
        actor: Staff of the session's organisation.
        activity_id: The e-learning activity.
        allowed: Whether they may.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, session_id = _elearning(db, actor, activity_id, Capability.EDIT)
    settings = _settings(activity)
    before = settings.get("new_attempts") is True
    settings["new_attempts"] = bool(allowed)
    activity.settings_json = json.dumps(settings)
    db.add(activity)
    audit.record(db, "scorm.new_attempts", actor_user_id=actor.user_id, organisation_id=actor.organisation_id,
                 target=f"activity:{activity.id}", before={"new_attempts": before},
                 after={"new_attempts": bool(allowed)}, ip=actor.ip)  # fmt: skip
    notify(db, session_topic(session_id), TimelineChanged(op="scorm"))


def package_of(db: Session, activity: Activity) -> ScormPackage | None:
    """The package an activity plays, if any.

    Args:
        db: Database session.
        activity: An e-learning activity.

    Returns:
        The package, or None.
    """
    key = _settings(activity).get("package_id")
    if not isinstance(key, int) or isinstance(key, bool):
        return None
    return db.get(ScormPackage, key)


def manifest_of(found: ScormPackage) -> dict[str, Any]:
    """A package's manifest as stored.

    Args:
        found: The package.

    Returns:
        {"items": [...], ...} (see `package.Manifest`).
    """
    try:
        value = json.loads(found.manifest_json or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def info(db: Session, activity: Activity) -> PackageInfo | None:
    """What the activity's panel shows of its package.

    Args:
        db: Database session.
        activity: An e-learning activity the caller may see.

    Returns:
        The package's facts, or None when it has none.
    """
    found = package_of(db, activity)
    if found is None:
        return None
    items = manifest_of(found).get("items", [])
    megabytes = found.unpacked_bytes / (1024 * 1024)
    return PackageInfo(
        id=found.id or 0,
        title=found.title,
        version=found.version,
        edition=found.edition,
        scos=len(items) if isinstance(items, list) else 0,
        size_label=f"{megabytes:.1f} Mo".replace(".", ","),
        new_attempts=_settings(activity).get("new_attempts") is True,
    )


def panel(db: Session, actor: Actor, activity_id: object) -> PackageInfo | None:
    """What an e-learning activity's panel shows of its package, for a member of the session.

    Args:
        db: Database session.
        actor: The signed-in person.
        activity_id: The activity.

    Returns:
        The package's facts, or None when the activity has none.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, _ = _elearning(db, actor, activity_id, Capability.SEE)
    return info(db, activity)


def _store(archive: Path, digest: str) -> package.Manifest:
    target = package_dir(digest)
    target.parent.mkdir(parents=True, exist_ok=True)
    return package.unpack(archive, target)


def attach(db: Session, actor: Actor, activity_id: object, archive: Path) -> ScormPackage:
    """Check a SCORM package and make it what an e-learning activity plays (staff).

    An archive already uploaded (the same bytes) is not unpacked again: the activity points to its copy.

    Args:
        db: Database session.
        actor: Staff of the session's organisation.
        activity_id: An e-learning activity of a session.
        archive: The uploaded zip, on disk.

    Returns:
        The package.

    Raises:
        PlumeError: NOT_FOUND; the package's refusals (`package`, field "package").
    """
    activity, session_id = _elearning(db, actor, activity_id, Capability.EDIT)
    digest = hashlib.sha256()
    with archive.open("rb") as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
    sha = digest.hexdigest()
    found = db.exec(select(ScormPackage).where(ScormPackage.sha256 == sha)).first()
    if found is None or not package_dir(sha).is_dir():
        manifest = package.inspect(archive) if package_dir(sha).is_dir() else _store(archive, sha)
        if found is None:
            found = ScormPackage(
                sha256=sha,
                version=manifest.version,
                edition=manifest.edition,
                title=manifest.title[:300],
                manifest_json=json.dumps(asdict(manifest)),
                file_count=manifest.file_count,
                unpacked_bytes=manifest.unpacked_bytes,
                uploaded_by_id=actor.user_id,
            )
            db.add(found)
            db.flush()
    settings = _settings(activity)
    before = settings.get("package_id")
    settings["package_id"] = found.id
    # The package's own passing score becomes the activity's (the tutoring report shows it), when it has one.
    items = manifest_of(found).get("items", [])
    masteries = {
        round(float(i["mastery_score"]))
        for i in items
        if isinstance(i, dict) and isinstance(i.get("mastery_score"), int | float)
    }
    if len(masteries) == 1:
        settings["passing_score"] = min(100, max(0, masteries.pop()))
    activity.settings_json = json.dumps(settings)
    db.add(activity)
    audit.record(db, "scorm.package", actor_user_id=actor.user_id, organisation_id=actor.organisation_id,
                 target=f"activity:{activity.id}", before={"package_id": before},
                 after={"package_id": found.id, "sha256": sha, "version": found.version}, ip=actor.ip)  # fmt: skip
    notify(db, session_topic(session_id), TimelineChanged(op="scorm"))
    return found


def attach_bytes(db: Session, actor: Actor, activity_id: object, data: bytes) -> ScormPackage:
    """`attach` for an upload held in memory (the browser's upload): written to a private temporary file.

    Args:
        db: Database session.
        actor: Staff of the session's organisation.
        activity_id: An e-learning activity of a session.
        data: The zip's bytes.

    Returns:
        The package.

    Raises:
        PlumeError: NOT_FOUND; SCORM_TOO_BIG; the package's refusals.
    """
    if len(data) > package.MAX_ARCHIVE_BYTES:
        raise PlumeError(ErrorCode.SCORM_TOO_BIG, field="package")
    _elearning(db, actor, activity_id, Capability.EDIT)  # refused before anything is written
    _root().mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(suffix=".zip", dir=_root())
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        return attach(db, actor, activity_id, Path(name))
    finally:
        Path(name).unlink(missing_ok=True)


def content_file(db: Session, actor: Actor, activity_id: object, path: str) -> tuple[Path, str]:
    """One file of the package an activity plays, for a member of its session.

    Args:
        db: Database session.
        actor: The signed-in person.
        activity_id: The e-learning activity.
        path: The file's path in the package, as the URL gives it.

    Returns:
        The file on disk and its content type.

    Raises:
        PlumeError: NOT_FOUND for a missing activity, package or file, and a forbidden one alike.
    """
    activity, _ = _elearning(db, actor, activity_id, Capability.SEE)
    found = package_of(db, activity)
    parts = PurePosixPath(path).parts
    if (
        found is None
        or not parts
        or any(p in ("..", "") or "\\" in p or "\x00" in p for p in parts)
        or path.startswith("/")
    ):
        raise PlumeError(ErrorCode.NOT_FOUND)
    root = package_dir(found.sha256).resolve()
    target = (root / PurePosixPath(*parts)).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise PlumeError(ErrorCode.NOT_FOUND)
    suffix = target.suffix.lower()
    content_type = _TYPES.get(suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return target, content_type


def launch_url(activity_id: int, href: str) -> str:
    """The URL a SCO opens at: the package's path under the activity, so its relative links keep working.

    Args:
        activity_id: The activity.
        href: The launch path in the package (with its query string, if any).

    Returns:
        e.g. "/api/scorm/12/content/shared/index.html?page=1".
    """
    return CONTENT_PREFIX.format(activity_id=activity_id) + href.lstrip("/")
