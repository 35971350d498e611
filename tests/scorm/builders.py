"""Small packages built in the tests themselves (real zip files on disk, nothing mocked)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

# The public SCORM sample packages: ../shared/scorm-samples beside the checkout, or elsewhere
# with LEARNPASS_SCORM_SAMPLES. Tests that need them skip when the folder is absent, and the
# test summary says so in one line (tests/conftest.py).
SAMPLES = Path(
    os.environ.get("LEARNPASS_SCORM_SAMPLES")
    or Path(__file__).parents[2].parent / "shared" / "scorm-samples"
)

PAGE = b"<!doctype html><html><head><title>SCO</title></head><body><p>Hello</p></body></html>"


def write_zip(
    path: Path, files: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED
) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in files.items():
            zf.writestr(name, data.encode() if isinstance(data, str) else data)
    return path


def manifest_12(
    items: str, resources: str, *, default: str = "org1", extra_orgs: str = "", base: str = ""
) -> str:
    manifest_base = f' xml:base="{base}"' if base else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="test.pkg.12" version="1.0"{manifest_base}
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="{default}">
    <organization identifier="org1"><title>Test course 1.2</title>{items}</organization>{extra_orgs}
  </organizations>
  <resources>{resources}</resources>
</manifest>"""


def manifest_2004(
    items: str,
    resources: str,
    *,
    edition: str = "2004 4th Edition",
    org_extra: str = "",
    identifier: str = "test.pkg.2004",
    title: str = "Test course 2004",
) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{identifier}" version="1"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
    xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
    xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
    xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>{edition}</schemaversion></metadata>
  <organizations default="org1">
    <organization identifier="org1"><title>{title}</title>{items}{org_extra}</organization>
  </organizations>
  <resources>{resources}</resources>
</manifest>"""


def single_sco_12(path: Path, extra_files: dict[str, bytes | str] | None = None) -> Path:
    """A one-SCO SCORM 1.2 package with a page, a script and a picture."""
    files: dict[str, bytes | str] = {
        "imsmanifest.xml": manifest_12(
            '<item identifier="i1" identifierref="r1"><title>Lesson one</title>'
            "<adlcp:masteryscore>80</adlcp:masteryscore></item>",
            '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"'
            ' href="sco/index.html">'
            '<file href="sco/index.html"/><file href="sco/app.js"/></resource>',
        ),
        "sco/index.html": PAGE,
        "sco/app.js": "console.log('sco');",
    }
    files.update(extra_files or {})
    return write_zip(path, files)


def single_sco_2004(path: Path, identifier: str = "test.pkg.2004", page: bytes = PAGE) -> Path:
    files: dict[str, bytes | str] = {
        "imsmanifest.xml": manifest_2004(
            '<item identifier="i1" identifierref="r1"><title>Lesson one</title></item>',
            '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html">'
            '<file href="index.html"/></resource>',
            identifier=identifier,
        ),
        "index.html": page,
    }
    return write_zip(path, files)
