"""SCORM packages: check an uploaded zip without extracting it, read its manifest, unpack it safely.

`inspect` reads only the zip's central directory and `imsmanifest.xml`: sizes, names and the manifest are
checked before a single byte reaches the disk. `unpack` extracts what `inspect` accepted into a temporary
sibling of the target, counting the bytes it writes (a zip's headers are never trusted), and renames it
into place only once everything is written, so a refusal leaves nothing behind.

Mastery scores are on Plume's 0–100 scale: SCORM 1.2's `adlcp:masteryscore` as written, SCORM 2004's
`imsss:minNormalizedMeasure` (0–1) times 100.
"""

from __future__ import annotations

import math
import os
import posixpath
import shutil
import stat
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import defusedxml
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from app.services.errors import ErrorCode, PlumeError

if TYPE_CHECKING:
    # Only the element type: every parse goes through defusedxml.
    from xml.etree.ElementTree import Element

MAX_ARCHIVE_BYTES = 200 * 1024 * 1024
MAX_FILES = 10_000
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200  # one entry's uncompressed / compressed size, for entries over _RATIO_FLOOR
MAX_ARCHIVE_RATIO = 100  # the whole archive's, once it unpacks to more than _RATIO_FLOOR
MAX_MANIFEST_BYTES = 16 * 1024 * 1024  # the manifest is parsed in memory

MANIFEST = "imsmanifest.xml"
_RATIO_FLOOR = 1024 * 1024  # text compresses well: ratios only mean a bomb on large sizes
_CHUNK = 1024 * 1024
# A central directory entry is 46 bytes plus the name, extra fields and comment: a directory larger than
# this per declared file holds more entries than it says (read before zipfile builds one object per entry).
_DIRECTORY_BYTES_PER_FILE = 2048
_IGNORED_PREFIX = "__MACOSX/"  # macOS Finder's resource forks: never extracted, never a problem
_FILE_MODE = 0o644
_DIR_MODE = 0o755
_READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})
_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError)

_NS_ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
_NS_2004 = frozenset(
    {
        "http://www.adlnet.org/xsd/adlcp_v1p3",
        "http://www.adlnet.org/xsd/adlseq_v1p3",
        "http://www.adlnet.org/xsd/adlnav_v1p3",
        "http://www.imsglobal.org/xsd/imsss",
    }
)
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
# `schemaversion` as written (spaces and case folded) -> (version, edition label).
_SCHEMA_VERSIONS = {
    "1.2": ("1.2", "SCORM 1.2"),
    "cam 1.3": ("2004", "SCORM 2004 2nd Edition"),
    "2004 2nd edition": ("2004", "SCORM 2004 2nd Edition"),
    "2004 3rd edition": ("2004", "SCORM 2004 3rd Edition"),
    "2004 4th edition": ("2004", "SCORM 2004 4th Edition"),
}
_LAUNCHABLE = frozenset({"sco", "asset"})
_AICC_COURSE = ".crs"  # with an assignable unit file (.au): an AICC course (a lone .au is Sun audio)
_AICC_UNITS = ".au"

_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"


@dataclass(frozen=True)
class ScormItem:
    """One launchable item of the default organisation.

    `href` is a URL relative to the package's root (percent-encoding as the manifest wrote it), with the
    resource's `xml:base` applied and the item's `parameters` appended; the player opens it as is.
    """

    identifier: str
    title: str
    href: str
    resource_identifier: str
    mastery_score: float | None  # 0–100; None when the package sets none
    data_from_lms: str
    prerequisites: str  # SCORM 1.2's `adlcp:prerequisites`; "" in 2004 (sequencing rules instead)
    time_limit_action: str
    scorm_type: str = "sco"  # "sco" talks to the API; an "asset" does not (done once launched)


@dataclass(frozen=True)
class Manifest:
    """What a checked package holds."""

    version: str  # "1.2" or "2004"
    edition: str  # "SCORM 1.2", "SCORM 2004 4th Edition"...
    identifier: str
    title: str
    items: list[ScormItem]
    file_count: int
    unpacked_bytes: int


@dataclass(frozen=True)
class _Member:
    info: zipfile.ZipInfo
    path: str  # normalised, relative, "/"-separated
    is_dir: bool


def _refuse(code: ErrorCode, **params: str) -> PlumeError:
    return PlumeError(code, field="package", **params)


def inspect(archive: Path) -> Manifest:
    """Check a SCORM package without extracting it.

    Args:
        archive: The uploaded zip.

    Returns:
        The package's manifest.

    Raises:
        PlumeError: SCORM_* when the file is not a safe, complete SCORM 1.2 or 2004 package.
    """
    with _open(archive) as zf:
        manifest, _ = _check(zf, archive.stat().st_size)
    return manifest


def unpack(archive: Path, target: Path) -> Manifest:
    """Check a SCORM package, then extract it into `target`, all or nothing.

    Args:
        archive: The uploaded zip.
        target: The directory to create (it must not exist yet).

    Returns:
        The package's manifest.

    Raises:
        FileExistsError: `target` already exists.
        PlumeError: SCORM_* when the file is not a safe, complete SCORM 1.2 or 2004 package (nothing is
            left on disk).
    """
    if target.exists() or target.is_symlink():
        raise FileExistsError(target)
    with _open(archive) as zf:
        manifest, members = _check(zf, archive.stat().st_size)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            _extract(zf, members, staging)
            staging.chmod(_DIR_MODE)
            if target.exists() or target.is_symlink():
                raise FileExistsError(target)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return manifest


def _open(archive: Path) -> zipfile.ZipFile:
    try:
        size = archive.stat().st_size
        if size > MAX_ARCHIVE_BYTES:
            raise _refuse(ErrorCode.SCORM_TOO_BIG)
        with archive.open("rb") as fp:
            entries, directory_bytes = _declared_directory(fp)
        if entries > MAX_FILES or directory_bytes > MAX_FILES * _DIRECTORY_BYTES_PER_FILE:
            raise _refuse(ErrorCode.SCORM_TOO_MANY_FILES)
        return zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise _refuse(ErrorCode.SCORM_NOT_ZIP) from exc


def _declared_directory(fp: IO[bytes]) -> tuple[int, int]:
    """The entry count and central directory size the end record declares, read before zipfile parses.

    Returns:
        (entries, directory bytes); a zip64 record's values when the classic record defers to it, the
        classic record's markers (over any limit) when that zip64 record cannot be found.

    Raises:
        PlumeError: SCORM_NOT_ZIP when there is no end of central directory record.
    """
    size = fp.seek(0, os.SEEK_END)
    tail_size = min(size, _EOCD.size + 0xFFFF)  # the record, then a comment of at most 64 KiB
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    at = tail.rfind(_EOCD_SIGNATURE)
    if at < 0 or at + _EOCD.size > len(tail):
        raise _refuse(ErrorCode.SCORM_NOT_ZIP)
    entries, directory_bytes = _EOCD.unpack_from(tail, at)[4:6]
    if entries != 0xFFFF and directory_bytes != 0xFFFFFFFF:
        return entries, directory_bytes
    locator_at = at - _ZIP64_LOCATOR.size
    if locator_at < 0 or tail[locator_at : locator_at + 4] != _ZIP64_LOCATOR_SIGNATURE:
        return entries, directory_bytes
    record_offset = _ZIP64_LOCATOR.unpack_from(tail, locator_at)[2]
    fp.seek(record_offset)
    record = fp.read(_ZIP64_EOCD.size)
    if len(record) < _ZIP64_EOCD.size or record[:4] != _ZIP64_EOCD_SIGNATURE:
        return entries, directory_bytes
    fields = _ZIP64_EOCD.unpack(record)
    return fields[7], fields[8]


def _check(zf: zipfile.ZipFile, archive_size: int) -> tuple[Manifest, list[_Member]]:
    infos = zf.infolist()
    if len(infos) > MAX_FILES:
        raise _refuse(ErrorCode.SCORM_TOO_MANY_FILES)
    members = _safe_members(infos)
    _check_sizes(members, archive_size)
    files = {m.path: m for m in members if not m.is_dir}
    manifest_member = _root_manifest(files)
    root = _parse(_read_manifest(zf, manifest_member.info))
    version, edition = _version(root)
    identifier = root.get("identifier", "").strip()
    organisation = _default_organisation(root)
    items = _items(root, organisation, version, files)
    if not items:
        raise _refuse(ErrorCode.SCORM_NO_SCO)
    title = _text(_child(organisation, "title")) if organisation is not None else ""
    manifest = Manifest(
        version=version,
        edition=edition,
        identifier=identifier,
        title=title or identifier,
        items=items,
        file_count=len(files),
        unpacked_bytes=sum(m.info.file_size for m in files.values()),
    )
    return manifest, members


def _safe_members(infos: list[zipfile.ZipInfo]) -> list[_Member]:
    members: list[_Member] = []
    seen: set[str] = set()
    for info in infos:
        if info.orig_filename.startswith(_IGNORED_PREFIX):
            continue
        path, is_dir = _safe_path(info)
        if not path:
            continue  # "./": the package's root itself
        if path in seen:
            raise _refuse(ErrorCode.SCORM_UNSAFE_PATH, path=info.filename)
        seen.add(path)
        if info.flag_bits & 0x1 or info.compress_type not in _READABLE_METHODS:
            raise _refuse(ErrorCode.SCORM_NOT_ZIP)  # encrypted or compressed in a way zipfile cannot read
        members.append(_Member(info=info, path=path, is_dir=is_dir))
    # A file and a folder of the same name cannot both be extracted.
    folders: set[str] = set()
    for member in members:
        parts = member.path.split("/")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts) + (1 if member.is_dir else 0)))
    for member in members:
        if not member.is_dir and member.path in folders:
            raise _refuse(ErrorCode.SCORM_UNSAFE_PATH, path=member.info.filename)
    return members


def _safe_path(info: zipfile.ZipInfo) -> tuple[str, bool]:
    r"""The entry's name as a relative, normalised path (and whether it is a folder), or a refusal.

    Backslashes are read as separators (some Windows tools write them), so `..\x` is caught as `../x`.
    """
    raw = info.orig_filename  # zipfile cuts `filename` at a NUL; the original keeps it
    shown = raw.replace("\x00", "\\0")
    name = unicodedata.normalize("NFC", raw.replace("\\", "/"))
    parts = [p for p in name.split("/") if p not in ("", ".")]
    unsafe = (
        (not parts and not name.endswith("/"))
        or name.startswith("/")
        or (len(name) >= 2 and name[1] == ":" and name[0].isascii() and name[0].isalpha())
        or ".." in parts
        or any(unicodedata.category(ch) == "Cc" for ch in name)
        or stat.S_ISLNK(info.external_attr >> 16)
    )
    if unsafe:
        raise _refuse(ErrorCode.SCORM_UNSAFE_PATH, path=shown)
    return "/".join(parts), name.endswith("/")


def _check_sizes(members: list[_Member], archive_size: int) -> None:
    # The whole ratio is measured against the file itself, not the entries' compressed sizes: entries
    # that overlap (one compressed kernel named by many headers) would otherwise count the kernel each time.
    unpacked = 0
    for member in members:
        info = member.info
        unpacked += info.file_size
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(ErrorCode.SCORM_BOMB)
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refuse(ErrorCode.SCORM_BOMB)
    if unpacked > _RATIO_FLOOR and unpacked > MAX_ARCHIVE_RATIO * max(archive_size, 1):
        raise _refuse(ErrorCode.SCORM_BOMB)


def _root_manifest(files: dict[str, _Member]) -> _Member:
    """The manifest at the zip's root, or the refusal that says what the zip holds instead."""
    by_name: dict[str, list[str]] = {}
    for path in sorted(files, key=lambda p: (p.count("/"), p)):
        by_name.setdefault(posixpath.basename(path).lower(), []).append(path)
    manifests = by_name.get(MANIFEST, [])
    if manifests and "/" not in manifests[0]:
        return files[manifests[0]]
    if manifests:
        raise _refuse(ErrorCode.SCORM_MANIFEST_MISPLACED, path=posixpath.dirname(manifests[0]) + "/")
    if "cmi5.xml" in by_name:
        raise _refuse(ErrorCode.SCORM_OTHER_STANDARD, standard="cmi5")
    if "tincan.xml" in by_name:
        raise _refuse(ErrorCode.SCORM_OTHER_STANDARD, standard="xAPI (Tin Can)")
    if any(n.endswith(_AICC_COURSE) for n in by_name) and any(n.endswith(_AICC_UNITS) for n in by_name):
        raise _refuse(ErrorCode.SCORM_OTHER_STANDARD, standard="AICC")
    raise _refuse(ErrorCode.SCORM_NO_MANIFEST)


def _read_manifest(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_MANIFEST_BYTES:
        raise _refuse(ErrorCode.SCORM_TOO_BIG)
    try:
        with zf.open(info) as src:
            return src.read(MAX_MANIFEST_BYTES + 1)[:MAX_MANIFEST_BYTES]
    except _READ_ERRORS as exc:
        raise _refuse(ErrorCode.SCORM_NOT_ZIP) from exc


def _parse(data: bytes) -> Element:
    parser = DefusedXMLParser()
    try:
        parser.feed(data)
        root: Element = parser.close()
    except ParseError as exc:
        line, column = exc.position
        raise _bad_xml(line, column) from exc
    except defusedxml.DefusedXmlException as exc:  # entities (billion laughs), external references
        raise _bad_xml(parser.parser.CurrentLineNumber, parser.parser.CurrentColumnNumber) from exc
    return root


def _bad_xml(line: int, column: int) -> PlumeError:
    return _refuse(ErrorCode.SCORM_BAD_XML, detail=f"{line}:{column}", line=str(line), column=str(column))


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _namespace(name: str) -> str:
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if isinstance(child.tag, str) and _local(child.tag) == name)


def _child(element: Element | None, name: str) -> Element | None:
    return None if element is None else next(_children(element, name), None)


def _text(element: Element | None) -> str:
    return "" if element is None else " ".join((element.text or "").split())


def _attribute(element: Element, name: str) -> str:
    """An attribute by local name, whatever its prefix and case (`scormtype` in 1.2, `scormType` in 2004)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value.strip()
    return ""


def _version(root: Element) -> tuple[str, str]:
    if _local(root.tag) != "manifest":
        raise _refuse(ErrorCode.SCORM_UNKNOWN_VERSION)
    declared = " ".join(_text(_child(_child(root, "metadata"), "schemaversion")).lower().split())
    if declared in _SCHEMA_VERSIONS:
        return _SCHEMA_VERSIONS[declared]
    namespaces = set()
    for element in root.iter():
        if isinstance(element.tag, str):
            namespaces.add(_namespace(element.tag))
            namespaces.update(_namespace(key) for key in element.attrib)
    if _NS_ADLCP_12 in namespaces:
        return "1.2", "SCORM 1.2"
    if namespaces & _NS_2004:
        return "2004", "SCORM 2004"
    raise _refuse(ErrorCode.SCORM_UNKNOWN_VERSION)


def _default_organisation(root: Element) -> Element | None:
    organisations = _child(root, "organizations")
    if organisations is None:
        return None
    default = organisations.get("default", "").strip()
    candidates = list(_children(organisations, "organization"))
    chosen = next((o for o in candidates if default and o.get("identifier", "").strip() == default), None)
    return chosen if chosen is not None else next(iter(candidates), None)


def _items(root: Element, organisation: Element | None, version: str, files: dict[str, _Member]) -> list[ScormItem]:
    if organisation is None:
        return []
    resources_element = _child(root, "resources")
    resources = (
        {}
        if resources_element is None
        else {r.get("identifier", "").strip(): r for r in _children(resources_element, "resource")}
    )
    bases = [root.get(_XML_BASE, ""), "" if resources_element is None else resources_element.get(_XML_BASE, "")]
    collection = _sequencing_collection(root)
    items: list[ScormItem] = []
    # Depth first in document order, without recursion: a hostile manifest may nest thousands deep.
    stack = list(reversed(list(_children(organisation, "item"))))
    while stack:
        item = stack.pop()
        stack.extend(reversed(list(_children(item, "item"))))
        resource = resources.get(item.get("identifierref", "").strip())
        if resource is None:
            continue
        scorm_type = _attribute(resource, "scormtype").lower() or "asset"
        href = resource.get("href", "").strip()
        if scorm_type not in _LAUNCHABLE or not href:
            continue
        launch = _launch_path([*bases, resource.get(_XML_BASE, "")], href, files)
        identifier = item.get("identifier", "").strip()
        items.append(
            ScormItem(
                identifier=identifier,
                title=_text(_child(item, "title")) or identifier,
                href=_with_parameters(launch, item.get("parameters", "").strip()),
                resource_identifier=resource.get("identifier", "").strip(),
                mastery_score=_mastery_12(item) if version == "1.2" else _mastery_2004(item, collection),
                data_from_lms=_text(_child(item, "datafromlms")),
                prerequisites=_text(_child(item, "prerequisites")),
                time_limit_action=_text(_child(item, "timelimitaction")),
                scorm_type=scorm_type,
            )
        )
    return items


def _launch_path(bases: list[str], href: str, files: dict[str, _Member]) -> str:
    """The launch URL relative to the package's root, once its file is found in the zip.

    Raises:
        PlumeError: SCORM_LAUNCH_MISSING when the file is not in the zip (or lies outside it).
    """
    url = "".join(b.strip() if b.strip().endswith("/") else b.strip() + "/" for b in bases if b.strip()) + href
    parts = urlsplit(url)
    path = parts.path
    if not parts.scheme and not parts.netloc and path and not path.startswith("/"):
        for candidate in (unquote(path), path):
            normal = unicodedata.normalize("NFC", posixpath.normpath(candidate))
            if normal in files:
                return url
    raise _refuse(ErrorCode.SCORM_LAUNCH_MISSING, path=href)


def _with_parameters(href: str, parameters: str) -> str:
    """The launch URL with an item's `parameters`, as the SCORM CAM's algorithm joins them."""
    parameters = parameters.lstrip("?&")
    if not parameters:
        return href
    if parameters.startswith("#"):
        return href if "#" in href else href + parameters
    address, hash_mark, fragment = href.partition("#")
    joiner = "&" if "?" in address else "?"
    return address + joiner + parameters + hash_mark + fragment


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _mastery_12(item: Element) -> float | None:
    value = _number(_text(_child(item, "masteryscore")))
    return value if value is not None and 0 <= value <= 100 else None


def _sequencing_collection(root: Element) -> dict[str, Element]:
    collection = _child(root, "sequencingcollection")
    if collection is None:
        return {}
    return {s.get("ID", "").strip(): s for s in _children(collection, "sequencing") if s.get("ID")}


def _mastery_2004(item: Element, collection: dict[str, Element]) -> float | None:
    """The primary objective's `minNormalizedMeasure` × 100, when it decides success (`satisfiedByMeasure`)."""
    sequencing = _child(item, "sequencing")
    if sequencing is None:
        return None
    primary = _child(_child(sequencing, "objectives"), "primaryobjective")
    if primary is None:
        shared = collection.get(sequencing.get("IDRef", "").strip())
        primary = _child(_child(shared, "objectives"), "primaryobjective")
    if primary is None or _attribute(primary, "satisfiedbymeasure").lower() not in ("true", "1"):
        return None
    measure_element = _child(primary, "minnormalizedmeasure")
    measure = 1.0 if measure_element is None else _number(_text(measure_element))
    if measure is None or not -1 <= measure <= 1:
        return None
    return round(max(measure, 0.0) * 100, 4)


def _extract(zf: zipfile.ZipFile, members: list[_Member], staging: Path) -> None:
    budget = MAX_UNPACKED_BYTES
    for member in members:
        destination = staging / member.path
        if member.is_dir:
            _make_dirs(staging, member.path)
            continue
        _make_dirs(staging, posixpath.dirname(member.path))
        budget -= _copy(zf, member.info, destination, budget)


def _make_dirs(staging: Path, relative: str) -> None:
    current = staging
    for part in relative.split("/") if relative else []:
        current = current / part
        try:
            current.mkdir()
        except FileExistsError:
            if current.is_symlink() or not current.is_dir():
                raise
            continue
        current.chmod(_DIR_MODE)


def _copy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path, budget: int) -> int:
    """Stream one member to a new file, stopping at its declared size and at the whole package's budget.

    Returns:
        The bytes written.

    Raises:
        PlumeError: SCORM_BOMB when the member holds more than it declares or than the budget;
            SCORM_NOT_ZIP when its data is damaged (wrong checksum, cut short).
    """
    limit = min(info.file_size, budget)
    written = 0
    # O_EXCL and O_NOFOLLOW: never through a link, never over a file already written.
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, _FILE_MODE)
    try:
        os.fchmod(fd, _FILE_MODE)
        with zf.open(info) as src:
            while True:
                chunk = src.read(min(_CHUNK, limit - written + 1))
                if not chunk:
                    break
                written += len(chunk)
                if written > limit:
                    raise _refuse(ErrorCode.SCORM_BOMB)
                _write_all(fd, chunk)
        if written != info.file_size:
            raise _refuse(ErrorCode.SCORM_NOT_ZIP)
    except _READ_ERRORS as exc:
        raise _refuse(ErrorCode.SCORM_NOT_ZIP) from exc
    finally:
        os.close(fd)
    return written


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
