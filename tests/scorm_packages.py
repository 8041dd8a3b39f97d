"""SCORM packages the tests build themselves: two good ones, a large one for the bench, and malformed ones.

Every function writes a zip at `path` (the file to create; its folder must exist) and returns `path`.

- `scorm12_single`: SCORM 1.2, one SCO (`index.html`) with a mastery score of 80. The page finds `API` on
  its parent window, shows where the learner left off, lets them go to page 2 (bookmark + commit) and
  answer one question (score, status, then `LMSFinish`).
- `scorm2004_multi`: SCORM 2004 4th Edition, three SCOs (two in a "Module 1" folder item, one after it);
  the second has an `imsss` primary objective satisfied by measure at 0.7. Pages share
  `shared/sco2004.js` (relative links across folders) and call `API_1484_11` on their parent window.
- `large_package`: a valid SCORM 1.2 package of `files` files totalling about `total_mb` MB of random
  (incompressible) bytes.
- The rest: one refusal each (see each docstring).
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
from pathlib import Path

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="plume-test-12" version="1.0"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="ORG-1">
    <organization identifier="ORG-1">
      <title>Les fractions</title>
      <item identifier="ITEM-1" identifierref="RES-1" isvisible="true">
        <title>Additionner des fractions</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
        <adlcp:datafromlms>niveau=debutant</adlcp:datafromlms>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
"""

PAGE_12 = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Additionner des fractions</title></head>
<body>
<h1>Additionner des fractions</h1>
<p id="resume"></p>
<section id="page-1"><p>Page 1 : pour additionner 1/4 et 2/4, on additionne les numérateurs.</p>
<button type="button" id="next" onclick="goTo('page-2')">Page suivante</button></section>
<section id="page-2" hidden><p>Page 2 : combien font 1/4 + 2/4 ?</p>
<button type="button" id="answer-right" onclick="answer(100)">3/4</button>
<button type="button" id="answer-wrong" onclick="answer(0)">3/8</button></section>
<p id="result" role="status"></p>
<script>
function findAPI(win) {
  var tries = 0;
  while (win && !win.API && win.parent && win.parent !== win && tries < 10) { win = win.parent; tries++; }
  return win ? win.API : null;
}
var api = findAPI(window.parent);
var started = Date.now();
function sessionTime() {
  var s = Math.round((Date.now() - started) / 1000);
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
}
function show(page) {
  document.getElementById("page-1").hidden = page !== "page-1";
  document.getElementById("page-2").hidden = page !== "page-2";
}
function goTo(page) {
  show(page);
  api.LMSSetValue("cmi.core.lesson_location", page);
  api.LMSSetValue("cmi.suspend_data", "vu=" + page);
  api.LMSSetValue("cmi.core.lesson_status", "incomplete");
  api.LMSSetValue("cmi.core.exit", "suspend");
  api.LMSSetValue("cmi.core.session_time", sessionTime());
  api.LMSCommit("");
}
function answer(score) {
  api.LMSSetValue("cmi.core.score.raw", String(score));
  api.LMSSetValue("cmi.core.score.min", "0");
  api.LMSSetValue("cmi.core.score.max", "100");
  api.LMSSetValue("cmi.core.lesson_status", score >= 80 ? "passed" : "failed");
  api.LMSSetValue("cmi.core.exit", "");
  api.LMSSetValue("cmi.core.session_time", sessionTime());
  api.LMSCommit("");
  api.LMSFinish("");
  document.getElementById("result").textContent = "Score : " + score;
}
api.LMSInitialize("");
var where = api.LMSGetValue("cmi.core.lesson_location");
if (api.LMSGetValue("cmi.core.entry") === "resume" && where) {
  document.getElementById("resume").textContent = "Reprise à " + where;
  show(where);
}
</script>
</body>
</html>
"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="plume-test-2004" version="1.0"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
    xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
    xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
    xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
  <organizations default="ORG-2004">
    <organization identifier="ORG-2004">
      <title>Sécurité au poste de travail</title>
      <item identifier="MODULE-1">
        <title>Module 1</title>
        <item identifier="SCO-1" identifierref="RES-SCO-1">
          <title>Les risques</title>
        </item>
        <item identifier="SCO-2" identifierref="RES-SCO-2" parameters="?partie=quiz">
          <title>Le quiz</title>
          <adlcp:timeLimitAction>continue,no message</adlcp:timeLimitAction>
          <imsss:sequencing>
            <imsss:objectives>
              <imsss:primaryObjective objectiveID="quiz-reussi" satisfiedByMeasure="true">
                <imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>
              </imsss:primaryObjective>
            </imsss:objectives>
          </imsss:sequencing>
        </item>
      </item>
      <item identifier="SCO-3" identifierref="RES-SCO-3">
        <title>Synthèse</title>
        <adlcp:dataFromLMS>synthese</adlcp:dataFromLMS>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-SCO-1" type="webcontent" adlcp:scormType="sco" href="sco1/index.html">
      <file href="sco1/index.html"/>
      <dependency identifierref="RES-SHARED"/>
    </resource>
    <resource identifier="RES-SCO-2" type="webcontent" adlcp:scormType="sco" xml:base="sco2/" href="quiz.html">
      <file href="quiz.html"/>
      <dependency identifierref="RES-SHARED"/>
    </resource>
    <resource identifier="RES-SCO-3" type="webcontent" adlcp:scormType="sco" href="sco3/index.html">
      <file href="sco3/index.html"/>
      <dependency identifierref="RES-SHARED"/>
    </resource>
    <resource identifier="RES-SHARED" type="webcontent" adlcp:scormType="asset">
      <file href="shared/sco2004.js"/>
      <file href="shared/style.css"/>
    </resource>
  </resources>
</manifest>
"""

SCRIPT_2004 = """// Shared by the three SCOs: find API_1484_11, bookmark, score, finish.
function findAPI(win) {
  var tries = 0;
  while (win && !win.API_1484_11 && win.parent && win.parent !== win && tries < 10) { win = win.parent; tries++; }
  return win ? win.API_1484_11 : null;
}
var api = findAPI(window.parent);
var started = Date.now();
function sessionTime() { return "PT" + Math.round((Date.now() - started) / 1000) + "S"; }
function start(sco) {
  api.Initialize("");
  var where = api.GetValue("cmi.location");
  if (api.GetValue("cmi.entry") === "resume" && where) {
    document.getElementById("resume").textContent = "Reprise à " + where;
  }
  api.SetValue("cmi.location", sco + "-vu");
  api.SetValue("cmi.completion_status", "incomplete");
  api.SetValue("cmi.exit", "suspend");
  api.SetValue("cmi.session_time", sessionTime());
  api.Commit("");
}
function finish(scaled) {
  if (scaled !== null) {
    api.SetValue("cmi.score.scaled", String(scaled));
    api.SetValue("cmi.score.raw", String(Math.round(scaled * 100)));
    api.SetValue("cmi.score.min", "0");
    api.SetValue("cmi.score.max", "100");
    api.SetValue("cmi.success_status", scaled >= 0.7 ? "passed" : "failed");
  }
  api.SetValue("cmi.completion_status", "completed");
  api.SetValue("cmi.exit", "normal");
  api.SetValue("cmi.session_time", sessionTime());
  api.Commit("");
  api.Terminate("");
  document.getElementById("result").textContent = "Terminé";
}
"""

STYLE_2004 = "body { font-family: sans-serif; max-width: 40rem; margin: 1rem auto; padding: 0 1rem; }\n"


def _page_2004(title: str, sco: str, depth_prefix: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="stylesheet" href="{depth_prefix}shared/style.css"></head>
<body>
<h1>{title}</h1>
<p id="resume"></p>
{body}
<p id="result" role="status"></p>
<script src="{depth_prefix}shared/sco2004.js"></script>
<script>start("{sco}");</script>
</body>
</html>
"""


def write_zip(path: Path, files: dict[str, str | bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Write a zip holding `files` (name -> content) in that order.

    Args:
        path: The zip to create.
        files: Entry names and their contents (text is written as UTF-8).
        compression: The zipfile method for every entry.

    Returns:
        `path`.
    """
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return path


def scorm12_files() -> dict[str, str | bytes]:
    """The files of the SCORM 1.2 single-SCO package, to build variants from.

    Returns:
        Entry names and contents.
    """
    return {"imsmanifest.xml": MANIFEST_12, "index.html": PAGE_12}


def scorm12_single(path: Path) -> Path:
    """A SCORM 1.2 package with one SCO (`index.html`, mastery score 80).

    Args:
        path: The zip to create.

    Returns:
        `path`.
    """
    return write_zip(path, scorm12_files())


def scorm2004_files() -> dict[str, str | bytes]:
    """The files of the SCORM 2004 4th Edition multi-SCO package, to build variants from.

    Returns:
        Entry names and contents.
    """
    return {
        "imsmanifest.xml": MANIFEST_2004,
        "shared/sco2004.js": SCRIPT_2004,
        "shared/style.css": STYLE_2004,
        "sco1/index.html": _page_2004(
            "Les risques",
            "sco1",
            "../",
            '<p>Trois risques : chute, coupure, bruit.</p>\n<button type="button" id="done-1" onclick="finish(null)">J\'ai lu</button>',
        ),
        "sco2/quiz.html": _page_2004(
            "Le quiz",
            "sco2",
            "../",
            '<p>Faut-il porter des gants pour couper ?</p>\n<button type="button" id="answer-right" onclick="finish(1)">Oui</button>\n<button type="button" id="answer-wrong" onclick="finish(0)">Non</button>',
        ),
        "sco3/index.html": _page_2004(
            "Synthèse",
            "sco3",
            "../",
            '<p>Portez vos protections.</p>\n<button type="button" id="done-3" onclick="finish(null)">Terminer</button>',
        ),
    }


def scorm2004_multi(path: Path) -> Path:
    """A SCORM 2004 4th Edition package with three SCOs in nested items (no sequencing rules to follow).

    Args:
        path: The zip to create.

    Returns:
        `path`.
    """
    return write_zip(path, scorm2004_files())


def large_package(path: Path, files: int = 2000, total_mb: int = 100) -> Path:
    """A valid SCORM 1.2 package of `files` files weighing about `total_mb` MB of random bytes.

    The payload is incompressible, as media are: the zip is as large as what it unpacks to.

    Args:
        path: The zip to create.
        files: Number of files, the manifest and the SCO included.
        total_mb: Approximate unpacked size, in MB.

    Returns:
        `path`.
    """
    payloads = max(files - 2, 1)
    size = total_mb * 1024 * 1024 // payloads
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, content in scorm12_files().items():
            zf.writestr(name, content)
        for index in range(payloads):
            zf.writestr(f"media/{index // 100:02d}/part-{index:05d}.bin", os.urandom(size))
    return path


def _patch(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert len(old) == len(new) and old in data
    path.write_bytes(data.replace(old, new))


def lying_sizes(path: Path, *, declared: int = 1000, real: int = 2 * 1024 * 1024) -> Path:
    """A SCORM 1.2 package whose `media/big.bin` unpacks to `real` bytes while its headers say `declared`.

    Args:
        path: The zip to create.
        declared: The uncompressed size the headers claim.
        real: The size its data inflates to (zeros).

    Returns:
        `path`.
    """
    write_zip(path, {**scorm12_files(), "media/big.bin": bytes(real)})
    _patch_headers(path, "media/big.bin", "<L", central=24, local=22, value=declared)
    return path


def encrypted_entry(path: Path) -> Path:
    """A SCORM 1.2 package whose `index.html` is flagged as encrypted.

    Returns:
        `path`.
    """
    write_zip(path, scorm12_files(), compression=zipfile.ZIP_STORED)
    _patch_headers(path, "index.html", "<H", central=8, local=6, value=0x1)
    return path


def under_declared_entries(path: Path, declared: int = 1) -> Path:
    """The SCORM 2004 package whose end of central directory record declares `declared` entries.

    zipfile still reads every entry of the directory: a count checked only there would be fooled.

    Returns:
        `path`.
    """
    write_zip(path, scorm2004_files())
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, declared, declared)
    path.write_bytes(bytes(data))
    return path


def _patch_headers(path: Path, name: str, fmt: str, *, central: int, local: int, value: int) -> None:
    """Overwrite one field of `name`'s central directory entry and local header (offsets from each signature)."""
    data = bytearray(path.read_bytes())
    wanted = name.encode()
    # (signature, offset of the name length, offset of the name, offset of the field)
    for signature, length_at, name_at, field_at in ((b"PK\x01\x02", 28, 46, central), (b"PK\x03\x04", 26, 30, local)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            name_length = struct.unpack_from("<H", data, at + length_at)[0]
            if data[at + name_at : at + name_at + name_length] == wanted:
                struct.pack_into(fmt, data, at + field_at, value)
            at += 4
    path.write_bytes(bytes(data))


def symlink_entry(path: Path) -> Path:
    """A SCORM 1.2 package with `media/passwd`, a symbolic link to /etc/passwd.

    Returns:
        `path`.
    """
    write_zip(path, scorm12_files())
    with zipfile.ZipFile(path, "a") as zf:
        link = zipfile.ZipInfo("media/passwd")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    return path


def with_entry(path: Path, name: str, content: str | bytes = "x") -> Path:
    """A SCORM 1.2 package plus one entry named `name` (`../evil.html`, `/etc/passwd`, `C:/x`...).

    Returns:
        `path`.
    """
    return write_zip(path, {**scorm12_files(), name: content})


def nul_name(path: Path) -> Path:
    """A SCORM 1.2 package with an entry whose name holds a NUL byte (`evil.html\\0.png`).

    Returns:
        `path`.
    """
    with_entry(path, "evil.htmlX.png")
    _patch(path, b"evil.htmlX.png", b"evil.html\x00.png")
    return path


def duplicate_names(path: Path) -> Path:
    """A SCORM 1.2 package with `café.html` twice: composed (NFC) and decomposed (NFD).

    Returns:
        `path`.
    """
    return write_zip(path, {**scorm12_files(), "caf\u00e9.html": "1", "cafe\u0301.html": "2"})


def manifest_in_folder(path: Path, folder: str = "cours") -> Path:
    """The SCORM 1.2 package zipped with its folder: `cours/imsmanifest.xml`.

    Returns:
        `path`.
    """
    return write_zip(path, {f"{folder}/{name}": content for name, content in scorm12_files().items()})


def cmi5(path: Path) -> Path:
    """A cmi5 package (`cmi5.xml`, no manifest).

    Returns:
        `path`.
    """
    course = (
        '<?xml version="1.0"?><courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"/>'
    )
    return write_zip(path, {"cmi5.xml": course, "index.html": "<p>cmi5</p>"})


def tincan(path: Path) -> Path:
    """An xAPI (Tin Can) package (`tincan.xml`, no manifest).

    Returns:
        `path`.
    """
    activities = '<?xml version="1.0"?><tincan xmlns="http://projecttincan.com/tincan.xsd"><activities/></tincan>'
    return write_zip(path, {"tincan.xml": activities, "index_lms.html": "<p>xAPI</p>"})


def aicc(path: Path) -> Path:
    """An AICC package (`course.au`, `.crs`, `.des`, `.cst`; no manifest).

    Returns:
        `path`.
    """
    return write_zip(
        path,
        {
            "course.crs": "[Course]\nCourse_ID=PLUME\n",
            "course.au": '"System_ID","File_Name"\n"A1","index.html"\n',
            "course.des": '"System_ID","Title"\n"A1","Lesson"\n',
            "course.cst": '"Block","Member"\n"Root","A1"\n',
            "index.html": "<p>AICC</p>",
        },
    )


def no_manifest(path: Path) -> Path:
    """A zip of web pages without any manifest.

    Returns:
        `path`.
    """
    return write_zip(path, {"index.html": PAGE_12})


def invalid_xml(path: Path) -> Path:
    """A SCORM 1.2 package whose manifest is cut after its fourth line (an unclosed element).

    Returns:
        `path`.
    """
    broken = "\n".join(MANIFEST_12.splitlines()[:4]) + "\n  <metadata><schema>ADL SCORM</schema>\n</manifest>\n"
    return write_zip(path, {"imsmanifest.xml": broken, "index.html": PAGE_12})


def billion_laughs(path: Path) -> Path:
    """A package whose manifest declares nested entities (the "billion laughs" attack).

    Returns:
        `path`.
    """
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    manifest = (
        '<?xml version="1.0"?>\n<!DOCTYPE manifest [\n'
        + "\n".join(entities)
        + "\n]>\n<manifest identifier='lol'><metadata><schemaversion>&lol9;</schemaversion></metadata></manifest>\n"
    )
    return write_zip(path, {"imsmanifest.xml": manifest, "index.html": PAGE_12})


def launch_missing(path: Path) -> Path:
    """A SCORM 1.2 package whose SCO's `index.html` is not in the zip.

    Returns:
        `path`.
    """
    return write_zip(path, {"imsmanifest.xml": MANIFEST_12, "other.html": PAGE_12})


def unknown_version(path: Path) -> Path:
    """A plain IMS content package: no SCORM schema version, no ADL namespace.

    Returns:
        `path`.
    """
    manifest = (
        '<?xml version="1.0"?>\n<manifest identifier="ims" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1">'
        '<organizations default="O"><organization identifier="O"><title>T</title>'
        '<item identifier="I" identifierref="R"><title>T</title></item></organization></organizations>'
        '<resources><resource identifier="R" type="webcontent" href="index.html"/></resources></manifest>\n'
    )
    return write_zip(path, {"imsmanifest.xml": manifest, "index.html": PAGE_12})


def no_sco(path: Path) -> Path:
    """A SCORM 1.2 package whose only item points at a resource without a launch file.

    Returns:
        `path`.
    """
    manifest = MANIFEST_12.replace('adlcp:scormtype="sco" href="index.html"', 'adlcp:scormtype="sco"')
    return write_zip(path, {"imsmanifest.xml": manifest, "index.html": PAGE_12})


def ratio_bomb(path: Path, megabytes: int = 20) -> Path:
    """A SCORM 1.2 package with `megabytes` MB of zeros in one entry (a ratio near 1,000).

    Returns:
        `path`.
    """
    return write_zip(path, {**scorm12_files(), "media/zeros.bin": bytes(megabytes * 1024 * 1024)})


def not_zip(path: Path) -> Path:
    """A text file named like a zip.

    Returns:
        `path`.
    """
    path.write_text("ceci n'est pas un zip\n", encoding="utf-8")
    return path
