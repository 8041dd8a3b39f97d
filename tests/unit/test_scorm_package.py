"""SCORM package checks: what `inspect` reads from a manifest, every refusal, and `unpack`'s all-or-nothing."""

from __future__ import annotations

import shutil
import stat
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from app.i18n.en import EN
from app.i18n.fr import FR
from app.services.errors import ErrorCode, PlumeError
from app.services.scorm import package
from app.services.scorm.package import inspect, unpack
from tests import scorm_packages as packages


def _refusal(action: Callable[[], object]) -> PlumeError:
    with pytest.raises(PlumeError) as caught:
        action()
    assert caught.value.field == "package"
    return caught.value


def _variant_12(path: Path, old: str, new: str, **extra: str | bytes) -> Path:
    files = packages.scorm12_files()
    manifest = str(files["imsmanifest.xml"])
    assert old in manifest
    return packages.write_zip(path, {**files, "imsmanifest.xml": manifest.replace(old, new), **extra})


def _variant_2004(path: Path, old: str, new: str) -> Path:
    files = packages.scorm2004_files()
    manifest = str(files["imsmanifest.xml"])
    assert old in manifest
    return packages.write_zip(path, {**files, "imsmanifest.xml": manifest.replace(old, new)})


def test_scorm12_single_sco(tmp_path: Path) -> None:
    manifest = inspect(packages.scorm12_single(tmp_path / "p.zip"))

    assert (manifest.version, manifest.edition) == ("1.2", "SCORM 1.2")
    assert (manifest.identifier, manifest.title) == ("plume-test-12", "Les fractions")
    assert manifest.file_count == 2
    assert manifest.unpacked_bytes == sum(len(str(c).encode()) for c in packages.scorm12_files().values())
    [item] = manifest.items
    assert item == package.ScormItem(
        identifier="ITEM-1",
        title="Additionner des fractions",
        href="index.html",
        resource_identifier="RES-1",
        mastery_score=80.0,
        data_from_lms="niveau=debutant",
        prerequisites="",
        time_limit_action="",
        scorm_type="sco",
    )


def test_scorm12_prerequisites_and_time_limit_action(tmp_path: Path) -> None:
    archive = _variant_12(
        tmp_path / "p.zip",
        "<adlcp:masteryscore>80</adlcp:masteryscore>",
        "<adlcp:prerequisites type='aicc_script'>ITEM-0</adlcp:prerequisites>"
        "<adlcp:timelimitaction>exit,message</adlcp:timelimitaction>",
    )

    [item] = inspect(archive).items

    assert (item.prerequisites, item.time_limit_action, item.mastery_score) == ("ITEM-0", "exit,message", None)


@pytest.mark.parametrize("score", ["abc", "120", "-1", "nan"])
def test_scorm12_unusable_mastery_score_is_none(tmp_path: Path, score: str) -> None:
    archive = _variant_12(tmp_path / "p.zip", ">80<", f">{score}<")

    assert inspect(archive).items[0].mastery_score is None


def test_scorm2004_multi_sco(tmp_path: Path) -> None:
    manifest = inspect(packages.scorm2004_multi(tmp_path / "p.zip"))

    assert (manifest.version, manifest.edition) == ("2004", "SCORM 2004 4th Edition")
    assert manifest.title == "Sécurité au poste de travail"
    assert manifest.file_count == 6
    # The folder item "Module 1" launches nothing: its SCOs come first, then the one after it.
    assert [(i.identifier, i.title) for i in manifest.items] == [
        ("SCO-1", "Les risques"),
        ("SCO-2", "Le quiz"),
        ("SCO-3", "Synthèse"),
    ]
    first, quiz, summary = manifest.items
    assert first.href == "sco1/index.html"
    assert quiz.href == "sco2/quiz.html?partie=quiz"  # xml:base, then the item's parameters
    assert (first.mastery_score, quiz.mastery_score, summary.mastery_score) == (None, 70.0, None)
    assert quiz.time_limit_action == "continue,no message"
    assert summary.data_from_lms == "synthese"
    assert {i.resource_identifier for i in manifest.items} == {"RES-SCO-1", "RES-SCO-2", "RES-SCO-3"}


def test_scorm2004_mastery_only_when_satisfied_by_measure(tmp_path: Path) -> None:
    archive = _variant_2004(tmp_path / "p.zip", 'satisfiedByMeasure="true"', 'satisfiedByMeasure="false"')

    assert [i.mastery_score for i in inspect(archive).items] == [None, None, None]


def test_scorm2004_mastery_defaults_to_full_measure(tmp_path: Path) -> None:
    archive = _variant_2004(tmp_path / "p.zip", "<imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>", "")

    assert inspect(archive).items[1].mastery_score == 100.0


def test_scorm2004_mastery_from_sequencing_collection(tmp_path: Path) -> None:
    manifest = str(packages.scorm2004_files()["imsmanifest.xml"])
    start = manifest.index("<imsss:sequencing>")
    end = manifest.index("</imsss:sequencing>") + len("</imsss:sequencing>")
    shared = manifest[start:end].replace("<imsss:sequencing>", '<imsss:sequencing ID="quiz-rules">')
    manifest = manifest[:start] + '<imsss:sequencing IDRef="quiz-rules"/>' + manifest[end:]
    manifest = manifest.replace(
        "</resources>", f"</resources>\n<imsss:sequencingCollection>{shared}</imsss:sequencingCollection>"
    )
    archive = packages.write_zip(tmp_path / "p.zip", {**packages.scorm2004_files(), "imsmanifest.xml": manifest})

    assert inspect(archive).items[1].mastery_score == 70.0


@pytest.mark.parametrize(
    ("declared", "edition"),
    [
        ("CAM 1.3", "SCORM 2004 2nd Edition"),
        ("2004 3rd Edition", "SCORM 2004 3rd Edition"),
        ("  2004   4TH edition ", "SCORM 2004 4th Edition"),
    ],
)
def test_scorm2004_editions(tmp_path: Path, declared: str, edition: str) -> None:
    archive = _variant_2004(tmp_path / "p.zip", "2004 4th Edition", declared)

    assert (inspect(archive).version, inspect(archive).edition) == ("2004", edition)


def test_version_from_namespaces_when_schemaversion_is_missing(tmp_path: Path) -> None:
    old_12 = _variant_12(tmp_path / "12.zip", "<schemaversion>1.2</schemaversion>", "")
    old_2004 = _variant_2004(tmp_path / "2004.zip", "<schemaversion>2004 4th Edition</schemaversion>", "")

    assert (inspect(old_12).version, inspect(old_12).edition) == ("1.2", "SCORM 1.2")
    assert (inspect(old_2004).version, inspect(old_2004).edition) == ("2004", "SCORM 2004")


def test_default_organisation_from_attribute_else_first(tmp_path: Path) -> None:
    two = (
        '<organizations default="ORG-B">'
        '<organization identifier="ORG-A"><title>A</title><item identifier="IA" identifierref="RES-1"><title>A1</title></item></organization>'
        '<organization identifier="ORG-B"><title>B</title><item identifier="IB" identifierref="RES-1"><title>B1</title></item></organization>'
        "</organizations>"
    )
    files = packages.scorm12_files()
    manifest = str(files["imsmanifest.xml"])
    start, end = manifest.index("<organizations"), manifest.index("</organizations>") + len("</organizations>")
    chosen = packages.write_zip(
        tmp_path / "b.zip", {**files, "imsmanifest.xml": manifest[:start] + two + manifest[end:]}
    )
    first = packages.write_zip(
        tmp_path / "a.zip",
        {**files, "imsmanifest.xml": manifest[:start] + two.replace(' default="ORG-B"', "") + manifest[end:]},
    )

    assert (inspect(chosen).title, [i.identifier for i in inspect(chosen).items]) == ("B", ["IB"])
    assert (inspect(first).title, [i.identifier for i in inspect(first).items]) == ("A", ["IA"])


def test_title_falls_back_to_manifest_identifier_and_item_identifier(tmp_path: Path) -> None:
    archive = _variant_12(tmp_path / "p.zip", "<title>Les fractions</title>", "")
    untitled = _variant_12(tmp_path / "q.zip", "<title>Additionner des fractions</title>", "")

    assert inspect(archive).title == "plume-test-12"
    assert inspect(untitled).items[0].title == "ITEM-1"


@pytest.mark.parametrize(
    ("href", "parameters", "launch"),
    [
        ("index.html", "", "index.html"),
        ("index.html", "?chapitre=2", "index.html?chapitre=2"),
        ("index.html?lang=fr", "&chapitre=2", "index.html?lang=fr&chapitre=2"),
        ("index.html?lang=fr", "?chapitre=2", "index.html?lang=fr&chapitre=2"),
        ("index.html", "#page-2", "index.html#page-2"),
        ("index.html#debut", "#page-2", "index.html#debut"),
        ("index.html#debut", "chapitre=2", "index.html?chapitre=2#debut"),
        ("./index.html", "", "./index.html"),
    ],
)
def test_launch_href_with_parameters(tmp_path: Path, href: str, parameters: str, launch: str) -> None:
    manifest = str(packages.scorm12_files()["imsmanifest.xml"])
    manifest = manifest.replace('href="index.html">', f'href="{href}">')
    manifest = manifest.replace('identifierref="RES-1"', f'identifierref="RES-1" parameters="{escape(parameters)}"')
    archive = packages.write_zip(tmp_path / "p.zip", {**packages.scorm12_files(), "imsmanifest.xml": manifest})

    assert inspect(archive).items[0].href == launch


def test_launch_file_found_through_percent_encoding(tmp_path: Path) -> None:
    archive = _variant_12(
        tmp_path / "p.zip", 'href="index.html">', 'href="ma%20page.html">', **{"ma page.html": "<p>page</p>"}
    )

    assert inspect(archive).items[0].href == "ma%20page.html"


def test_assets_launch_and_other_resources_do_not(tmp_path: Path) -> None:
    asset = _variant_12(tmp_path / "a.zip", 'adlcp:scormtype="sco"', 'adlcp:scormtype="asset"')
    other = _variant_12(tmp_path / "b.zip", 'adlcp:scormtype="sco"', 'adlcp:scormtype="other"')

    assert inspect(asset).items[0].scorm_type == "asset"
    assert _refusal(lambda: inspect(other)).code == ErrorCode.SCORM_NO_SCO


def test_macos_resource_forks_are_ignored(tmp_path: Path) -> None:
    archive = packages.write_zip(
        tmp_path / "p.zip",
        {**packages.scorm12_files(), "__MACOSX/._index.html": b"\x00\x05\x16\x07", "__MACOSX/../../evil.html": "x"},
    )
    target = tmp_path / "out"

    manifest = unpack(archive, target)

    assert manifest.file_count == 2
    assert sorted(p.name for p in target.iterdir()) == ["imsmanifest.xml", "index.html"]


def test_backslashes_are_folder_separators(tmp_path: Path) -> None:
    archive = packages.with_entry(tmp_path / "p.zip", "images\\logo.png", b"\x89PNG")
    target = tmp_path / "out"

    unpack(archive, target)

    assert (target / "images" / "logo.png").read_bytes() == b"\x89PNG"


def test_unpack_writes_every_file_with_safe_modes(tmp_path: Path) -> None:
    archive = packages.scorm2004_multi(tmp_path / "p.zip")
    target = tmp_path / "packages" / "abc123"

    manifest = unpack(archive, target)

    assert manifest == inspect(archive)
    for name, content in packages.scorm2004_files().items():
        written = target / name
        assert written.read_bytes() == (content.encode() if isinstance(content, str) else content)
        assert stat.S_IMODE(written.stat().st_mode) == 0o644
    for folder in (target, target / "sco1", target / "sco2", target / "shared"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert [p.name for p in target.parent.iterdir()] == ["abc123"]  # no staging folder left


def test_unpack_refuses_an_existing_target(tmp_path: Path) -> None:
    archive = packages.scorm12_single(tmp_path / "p.zip")
    target = tmp_path / "out"
    target.mkdir()

    with pytest.raises(FileExistsError):
        unpack(archive, target)

    assert list(target.iterdir()) == []


Builder = Callable[[Path], Path]

REFUSALS: list[tuple[str, Builder, ErrorCode, dict[str, str]]] = [
    ("not a zip", packages.not_zip, ErrorCode.SCORM_NOT_ZIP, {}),
    ("encrypted entry", packages.encrypted_entry, ErrorCode.SCORM_NOT_ZIP, {}),
    ("ratio bomb", packages.ratio_bomb, ErrorCode.SCORM_BOMB, {}),
    (
        "header claims 2 GB",
        lambda p: packages.lying_sizes(p, declared=2 * 1024**3),
        ErrorCode.SCORM_BOMB,
        {},
    ),
    ("symlink", packages.symlink_entry, ErrorCode.SCORM_UNSAFE_PATH, {"path": "media/passwd"}),
    ("parent", lambda p: packages.with_entry(p, "../evil.html"), ErrorCode.SCORM_UNSAFE_PATH, {"path": "../evil.html"}),
    (
        "nested parent",
        lambda p: packages.with_entry(p, "media/../../evil.html"),
        ErrorCode.SCORM_UNSAFE_PATH,
        {"path": "media/../../evil.html"},
    ),
    ("absolute", lambda p: packages.with_entry(p, "/etc/passwd"), ErrorCode.SCORM_UNSAFE_PATH, {"path": "/etc/passwd"}),
    (
        "backslash parent",
        lambda p: packages.with_entry(p, "..\\evil.html"),
        ErrorCode.SCORM_UNSAFE_PATH,
        {"path": "..\\evil.html"},
    ),
    (
        "drive letter",
        lambda p: packages.with_entry(p, "C:\\Windows\\evil.html"),
        ErrorCode.SCORM_UNSAFE_PATH,
        {"path": "C:\\Windows\\evil.html"},
    ),
    ("control character", lambda p: packages.with_entry(p, "evil\n.html"), ErrorCode.SCORM_UNSAFE_PATH, {}),
    ("NUL", packages.nul_name, ErrorCode.SCORM_UNSAFE_PATH, {"path": "evil.html\\0.png"}),
    ("duplicate", packages.duplicate_names, ErrorCode.SCORM_UNSAFE_PATH, {}),
    ("file and folder", lambda p: packages.with_entry(p, "index.html/x.js"), ErrorCode.SCORM_UNSAFE_PATH, {}),
    ("no manifest", packages.no_manifest, ErrorCode.SCORM_NO_MANIFEST, {}),
    ("misplaced", packages.manifest_in_folder, ErrorCode.SCORM_MANIFEST_MISPLACED, {"path": "cours/"}),
    ("cmi5", packages.cmi5, ErrorCode.SCORM_OTHER_STANDARD, {"standard": "cmi5"}),
    ("tincan", packages.tincan, ErrorCode.SCORM_OTHER_STANDARD, {"standard": "xAPI (Tin Can)"}),
    ("aicc", packages.aicc, ErrorCode.SCORM_OTHER_STANDARD, {"standard": "AICC"}),
    ("invalid xml", packages.invalid_xml, ErrorCode.SCORM_BAD_XML, {"detail": "6:2", "line": "6", "column": "2"}),
    ("billion laughs", packages.billion_laughs, ErrorCode.SCORM_BAD_XML, {}),
    ("unknown version", packages.unknown_version, ErrorCode.SCORM_UNKNOWN_VERSION, {}),
    ("launch missing", packages.launch_missing, ErrorCode.SCORM_LAUNCH_MISSING, {"path": "index.html"}),
    ("no sco", packages.no_sco, ErrorCode.SCORM_NO_SCO, {}),
]


@pytest.mark.parametrize(("builder", "code", "params"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refusals(tmp_path: Path, builder: Builder, code: ErrorCode, params: dict[str, str]) -> None:
    archive = builder(tmp_path / "package.zip")
    out = tmp_path / "out"
    out.mkdir()

    refused = _refusal(lambda: inspect(archive))
    unpacked = _refusal(lambda: unpack(archive, out / "package"))

    assert refused.code == unpacked.code == code
    assert params.items() <= refused.params.items()
    assert list(out.iterdir()) == []  # nothing left behind, not even the staging folder


def test_every_refusal_has_a_message() -> None:
    codes = [c for c in ErrorCode if c.name.startswith("SCORM_") and c is not ErrorCode.SCORM_STALE_RUN]
    assert len(codes) == 12  # the package's refusals (the stale run is the run-time's)
    for code in codes:
        assert f"error.{code.value}" in FR
        assert f"error.{code.value}" in EN


def test_messages_name_what_was_found(tmp_path: Path) -> None:
    misplaced = _refusal(lambda: inspect(packages.manifest_in_folder(tmp_path / "a.zip")))
    other = _refusal(lambda: inspect(packages.cmi5(tmp_path / "b.zip")))

    assert FR[f"error.{misplaced.code.value}"].format(**misplaced.params) == (
        "imsmanifest.xml doit être à la racine du zip ; il se trouve dans « cours/ ». "
        "Zippez le contenu du dossier, pas le dossier."
    )
    assert FR[f"error.{other.code.value}"].format(**other.params) == (
        "Ce fichier n'est pas un paquet SCORM mais un paquet cmi5 : Plume lit les paquets SCORM 1.2 et 2004."
    )


def test_external_entity_is_bad_xml(tmp_path: Path) -> None:
    manifest = (
        '<?xml version="1.0"?>\n<!DOCTYPE manifest [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        "<manifest identifier='x'><metadata><schemaversion>&secret;</schemaversion></metadata></manifest>\n"
    )
    archive = packages.write_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, "index.html": "x"})

    assert _refusal(lambda: inspect(archive)).code == ErrorCode.SCORM_BAD_XML


@pytest.mark.parametrize(
    "href", ["../index.html", "sco/../../index.html", "/index.html", "https://example.com/index.html"]
)
def test_launch_outside_the_package_is_missing(tmp_path: Path, href: str) -> None:
    archive = _variant_12(tmp_path / "p.zip", 'href="index.html">', f'href="{href}">')

    refused = _refusal(lambda: inspect(archive))

    assert (refused.code, refused.params["path"]) == (ErrorCode.SCORM_LAUNCH_MISSING, href)


def test_launch_file_name_is_case_sensitive(tmp_path: Path) -> None:
    archive = _variant_12(tmp_path / "p.zip", 'href="index.html">', 'href="Index.html">')

    assert _refusal(lambda: inspect(archive)).params["path"] == "Index.html"


def test_lying_header_writes_no_more_than_declared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = packages.lying_sizes(tmp_path / "p.zip", declared=1000, real=2 * 1024 * 1024)
    out = tmp_path / "out"
    out.mkdir()
    sizes: dict[str, int] = {}
    real_rmtree = shutil.rmtree

    def measuring_rmtree(path: Path, *args: object, **kwargs: object) -> None:
        sizes.update({str(p.relative_to(path)): p.stat().st_size for p in Path(path).rglob("*") if p.is_file()})
        real_rmtree(path, ignore_errors=True)

    monkeypatch.setattr(package.shutil, "rmtree", measuring_rmtree)

    assert inspect(archive).unpacked_bytes < 5000  # the headers are consistent: only the data tells
    refused = _refusal(lambda: unpack(archive, out / "package"))

    assert refused.code == ErrorCode.SCORM_NOT_ZIP
    assert sizes["media/big.bin"] <= 1000
    assert list(out.iterdir()) == []


def test_more_files_than_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = packages.scorm2004_multi(tmp_path / "p.zip")
    monkeypatch.setattr(package, "MAX_FILES", 5)

    assert _refusal(lambda: inspect(archive)).code == ErrorCode.SCORM_TOO_MANY_FILES
    monkeypatch.setattr(package, "MAX_FILES", 6)
    assert inspect(archive).file_count == 6


def test_more_files_than_the_end_record_declares(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = packages.under_declared_entries(tmp_path / "p.zip", declared=1)
    monkeypatch.setattr(package, "MAX_FILES", 5)

    assert _refusal(lambda: inspect(archive)).code == ErrorCode.SCORM_TOO_MANY_FILES


def test_central_directory_larger_than_its_count_allows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = packages.under_declared_entries(tmp_path / "p.zip", declared=1)
    monkeypatch.setattr(package, "MAX_FILES", 1)
    monkeypatch.setattr(package, "_DIRECTORY_BYTES_PER_FILE", 100)

    assert _refusal(lambda: inspect(archive)).code == ErrorCode.SCORM_TOO_MANY_FILES


def test_bomb_over_the_unpacked_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = packages.with_entry(tmp_path / "p.zip", "media/noise.bin", bytes(range(256)) * 400)
    monkeypatch.setattr(package, "MAX_UNPACKED_BYTES", 100_000)
    out = tmp_path / "out"
    out.mkdir()

    assert _refusal(lambda: inspect(archive)).code == ErrorCode.SCORM_BOMB
    assert _refusal(lambda: unpack(archive, out / "package")).code == ErrorCode.SCORM_BOMB
    assert list(out.iterdir()) == []


def test_whole_archive_ratio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 30 entries of 100 kB of zeros: each under the per-entry floor, together over the archive's ratio.
    files = {**packages.scorm12_files(), **{f"media/{i}.bin": bytes(100_000) for i in range(30)}}
    archive = packages.write_zip(tmp_path / "p.zip", files)

    assert _refusal(lambda: inspect(archive)).code == ErrorCode.SCORM_BOMB
    monkeypatch.setattr(package, "MAX_ARCHIVE_RATIO", 10_000)
    assert inspect(archive).file_count == 32


def test_archive_too_big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = packages.scorm12_single(tmp_path / "p.zip")
    monkeypatch.setattr(package, "MAX_ARCHIVE_BYTES", archive.stat().st_size - 1)

    assert _refusal(lambda: inspect(archive)).code == ErrorCode.SCORM_TOO_BIG


def test_manifest_too_big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = packages.scorm12_single(tmp_path / "p.zip")
    monkeypatch.setattr(package, "MAX_MANIFEST_BYTES", 100)

    assert _refusal(lambda: inspect(archive)).code == ErrorCode.SCORM_TOO_BIG


def test_large_package(tmp_path: Path) -> None:
    archive = packages.large_package(tmp_path / "large.zip", files=2000, total_mb=100)
    target = tmp_path / "out"

    started = time.perf_counter()
    manifest = inspect(archive)
    unpack(archive, target)
    elapsed = time.perf_counter() - started

    print(
        f"\nlarge package: {manifest.file_count} files, {manifest.unpacked_bytes / 1e6:.0f} MB, inspect+unpack {elapsed:.2f} s"
    )
    assert manifest.file_count == 2000
    with zipfile.ZipFile(archive) as zf:
        last = zf.infolist()[-1]
        assert (target / last.filename).read_bytes() == zf.read(last)
    assert sum(1 for p in target.rglob("*") if p.is_file()) == 2000


def test_root_folder_entry_is_ignored(tmp_path: Path) -> None:
    archive = packages.with_entry(tmp_path / "p.zip", "./")

    assert inspect(archive).file_count == 2


def test_sun_audio_alone_is_not_aicc(tmp_path: Path) -> None:
    archive = packages.write_zip(tmp_path / "p.zip", {"son.au": b".snd", "index.html": "x"})

    assert _refusal(lambda: inspect(archive)).code == ErrorCode.SCORM_NO_MANIFEST
