"""Importing into storage and the database: all or nothing, versions, attempts kept per version."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from learning_packages import tables as t
from learning_packages.errors import PackageRefused
from learning_packages.package import import_package
from learning_packages.storage import PackageStorage

from .builders import SAMPLES, single_sco_12, single_sco_2004
from .conftest import stored_files


def counts(session: Any) -> tuple[int, ...]:
    return tuple(
        session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in (t.packages, t.versions, t.scos)
    )


def test_import_stores_files_and_rows(
    session: Any, storage: PackageStorage, tmp_path: Path
) -> None:
    result = import_package(
        session, storage, single_sco_12(tmp_path / "one.zip"), source_name="one.zip"
    )
    folder = storage.root / str(result.package_id) / "1"
    assert result.storage_path == f"{result.package_id}/1"
    assert (folder / "sco" / "index.html").read_bytes().startswith(b"<!doctype html>")
    assert (folder / "imsmanifest.xml").is_file()
    assert counts(session) == (1, 1, 1)
    sco = session.execute(select(t.scos)).one()
    assert (sco.identifier, sco.launch_url, sco.mastery_score) == ("i1", "sco/index.html", 80.0)
    version = session.execute(select(t.versions)).one()
    assert (version.kind, version.edition, version.file_count) == ("scorm12", "1.2", 3)
    assert version.structure["organizations"][0]["items"][0]["title"] == "Lesson one"
    assert not list((storage.root / ".incoming").iterdir())


def test_refused_import_leaves_nothing(
    session: Any, storage: PackageStorage, tmp_path: Path
) -> None:
    path = single_sco_12(tmp_path / "slip.zip", {"../evil.txt": "x"})
    with pytest.raises(PackageRefused):
        import_package(session, storage, path)
    assert counts(session) == (0, 0, 0)
    assert stored_files(storage) == []


def test_damaged_member_found_during_extraction_leaves_nothing(
    session: Any, storage: PackageStorage, tmp_path: Path
) -> None:
    path = single_sco_12(tmp_path / "crc.zip", {"sco/z-data.txt": b"A" * 4000})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("sco/z-data.txt")
    # Flip a byte of the member's compressed data: the central directory still looks fine.
    data_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[data_start + 5] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(PackageRefused) as caught:
        import_package(session, storage, path)
    assert (caught.value.code, caught.value.file) == ("damaged", "sco/z-data.txt")
    assert counts(session) == (0, 0, 0)
    assert stored_files(storage) == []


def test_failure_after_extraction_leaves_nothing(
    session: Any, storage: PackageStorage, tmp_path: Path
) -> None:
    with pytest.raises(PackageRefused) as caught:
        import_package(session, storage, single_sco_12(tmp_path / "one.zip"), package_id=9999)
    assert caught.value.code == "unknown_package"
    assert counts(session) == (0, 0, 0)
    assert stored_files(storage) == []


def test_reimport_adds_a_version_and_keeps_attempts_on_theirs(
    session: Any, storage: PackageStorage, tmp_path: Path
) -> None:
    first = import_package(
        session, storage, single_sco_2004(tmp_path / "v1.zip", page=b"<p>version one</p>")
    )
    session.execute(
        insert(t.attempts).values(
            version_id=first.version_id,
            learner="user:1",
            context="link:1",
            number=1,
            registration="r" * 36,
        )
    )
    session.commit()
    second = import_package(
        session, storage, single_sco_2004(tmp_path / "v2.zip", page=b"<p>version two</p>")
    )
    assert second.package_id == first.package_id
    assert (second.version, second.new_package) == (2, False)
    attempt = session.execute(select(t.attempts)).one()
    assert attempt.version_id == first.version_id
    assert (storage.root / first.storage_path / "index.html").read_bytes() == b"<p>version one</p>"
    assert (storage.root / second.storage_path / "index.html").read_bytes() == b"<p>version two</p>"
    package = session.execute(select(t.packages)).one()
    assert package.latest_version == 2
    other = import_package(
        session, storage, single_sco_2004(tmp_path / "o.zip", identifier="another.pkg")
    )
    assert other.new_package and other.package_id != first.package_id


def test_title_override(session: Any, storage: PackageStorage, tmp_path: Path) -> None:
    result = import_package(
        session, storage, single_sco_12(tmp_path / "one.zip"), title="Fire safety 2026"
    )
    assert session.execute(select(t.packages.c.title)).scalar_one() == "Fire safety 2026"
    assert result.course.title == "Fire safety 2026"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/scorm-samples is not beside the checkout")
@pytest.mark.parametrize(
    "name",
    [
        "moodle-RuntimeMinimumCalls_SCORM12.zip",
        "adl-cts-LMSTestPackage_SX-04a.zip",
        "catapult-multi_au_framed.zip",
    ],
)
def test_samples_import_into_storage(session: Any, storage: PackageStorage, name: str) -> None:
    result = import_package(session, storage, SAMPLES / name)
    for item in result.course.launchables():
        assert storage.find_file(result.storage_path, item.launch_path or "") is not None
    assert session.execute(select(func.count()).select_from(t.scos)).scalar_one() == len(
        result.course.launchables()
    )


def test_find_file_never_leaves_the_version(
    session: Any, storage: PackageStorage, tmp_path: Path
) -> None:
    result = import_package(session, storage, single_sco_12(tmp_path / "one.zip"))
    (tmp_path / "outside.txt").write_text("secret")
    assert storage.find_file(result.storage_path, "../../../outside.txt") is None
    assert (
        storage.find_file(result.storage_path, "SCO/Index.HTML") is not None
    )  # case-insensitive fallback
    assert storage.find_file(result.storage_path, "sco") is None  # a folder


def test_existing_version_folder_is_never_overwritten_or_removed(
    session: Any, storage: PackageStorage, tmp_path: Path
) -> None:
    first = import_package(session, storage, single_sco_12(tmp_path / "v1.zip"))
    stale = storage.root / str(first.package_id) / "2"
    stale.mkdir(parents=True)
    (stale / "keep.txt").write_text("another import's file")
    with pytest.raises(PackageRefused) as caught:
        import_package(session, storage, single_sco_12(tmp_path / "v2.zip"))
    assert caught.value.code == "concurrent_import"
    assert (stale / "keep.txt").read_text() == "another import's file"
    assert counts(session) == (1, 1, 1)
