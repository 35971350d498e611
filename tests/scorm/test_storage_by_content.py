"""Package files are stored once by content: importing the same package again (or a version
that changes one file) adds no second copy, and removing a version frees only what no other
version uses. Real zips, real files, real hard links."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from learning_packages.package import import_package
from learning_packages.storage import PackageStorage

from .builders import PAGE, manifest_12, write_zip
from .conftest import stored_files

MANIFEST = manifest_12(
    '<item identifier="i1" identifierref="r1"><title>Lesson one</title></item>',
    '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="sco/index.html">'
    '<file href="sco/index.html"/></resource>',
)
MEDIA = bytes(range(256)) * 4096  # 1 MiB that a new version keeps as it is


def package(path: Path, page: bytes = PAGE) -> Path:
    return write_zip(
        path,
        {"imsmanifest.xml": MANIFEST, "sco/index.html": page, "sco/media/clip.bin": MEDIA},
    )


def inode(storage: PackageStorage, storage_path: str, member: str) -> int:
    found = storage.find_file(storage_path, member)
    assert found is not None
    return os.stat(found).st_ino


def disk_bytes(storage: PackageStorage) -> int:
    """Bytes the versions take on disk: each stored content counted once, however many links."""
    seen: dict[int, int] = {}
    for path in stored_files(storage):
        if path.is_relative_to(storage.root / ".blobs" / "index"):
            continue  # the list of a version's digests, not package content
        info = os.stat(path)
        seen[info.st_ino] = info.st_size
    return sum(seen.values())


def test_reimporting_the_same_package_stores_its_files_once(
    session: Any, storage: PackageStorage, tmp_path: Path
) -> None:
    zip_path = package(tmp_path / "course.zip")
    first = import_package(session, storage, zip_path)
    stored = disk_bytes(storage)
    blobs = storage.blob_count()
    assert blobs == 3
    again = import_package(session, storage, zip_path)
    assert (again.package_id, again.version) == (first.package_id, 2)
    # The second version is complete for the player, and takes no room of its own.
    for member in ("imsmanifest.xml", "sco/index.html", "sco/media/clip.bin"):
        assert inode(storage, first.storage_path, member) == inode(
            storage, again.storage_path, member
        )
    assert (storage.root / again.storage_path / "sco/media/clip.bin").read_bytes() == MEDIA
    assert storage.blob_count() == blobs and disk_bytes(storage) == stored

    # A version that changes one page adds that page only.
    changed = import_package(session, storage, package(tmp_path / "v3.zip", b"<p>new</p>"))
    assert storage.blob_count() == blobs + 1
    assert inode(storage, changed.storage_path, "sco/media/clip.bin") == inode(
        storage, first.storage_path, "sco/media/clip.bin"
    )
    assert (storage.root / first.storage_path / "sco/index.html").read_bytes() == PAGE
    assert (storage.root / changed.storage_path / "sco/index.html").read_bytes() == b"<p>new</p>"


def test_removing_versions_frees_only_what_no_other_version_uses(
    session: Any, storage: PackageStorage, tmp_path: Path
) -> None:
    v1 = import_package(session, storage, package(tmp_path / "v1.zip"))
    v2 = import_package(session, storage, package(tmp_path / "v2.zip", b"<p>two</p>"))
    assert storage.blob_count() == 4
    storage.remove(v1.storage_path)
    assert not (storage.root / v1.storage_path).exists()
    # The first version's own page goes; the media both versions hold stays, whole.
    assert storage.blob_count() == 3
    assert (storage.root / v2.storage_path / "sco/media/clip.bin").read_bytes() == MEDIA
    assert (storage.root / v2.storage_path / "sco/index.html").read_bytes() == b"<p>two</p>"
    storage.remove(v2.storage_path)
    assert storage.blob_count() == 0
    assert stored_files(storage) == []
    # Removing again (an import's clean-up that runs twice) is harmless.
    storage.remove(v2.storage_path)


def test_a_failed_import_takes_back_only_its_own_blobs(
    session: Any, storage: PackageStorage, tmp_path: Path
) -> None:
    """The import's clean-up after publishing (a commit that fails) is ``remove``: the blobs the
    earlier version shares survive it."""
    v1 = import_package(session, storage, package(tmp_path / "v1.zip"))
    folder = storage.root / ".incoming" / "by-hand"
    (folder / "sco").mkdir(parents=True)
    (folder / "sco" / "index.html").write_bytes(PAGE)
    (folder / "sco" / "extra.txt").write_bytes(b"only here")
    digests = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in ("sco/index.html", "sco/extra.txt")
    }
    storage.publish(folder, "1/99", digests)
    assert storage.blob_count() == 4
    storage.remove("1/99")
    assert storage.blob_count() == 3
    assert (storage.root / v1.storage_path / "sco/index.html").read_bytes() == PAGE
