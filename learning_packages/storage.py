"""Where package files live: ``<root>/<package id>/<version>/``, and safe lookups inside them.

Imports extract into ``<root>/.incoming/<random>/`` on the same file system and are moved into
place with one ``rename``, so a version folder is either complete or absent.

Files are stored once, by content: every file of a version is a hard link to a blob in
``<root>/.blobs/<2 hex>/<sha256>``, so a package imported again (or a new version that changes
a few files) adds only what is new on disk, while each version folder still holds its whole
tree for the player. The digests of a version are kept in ``.blobs/index/<package>/<version>``;
removing a version unlinks its files and then the blobs no version links to any more (a blob's
link count is 1). Where the file system has no hard links, versions keep their own copies.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .hrefs import normalize_member

INCOMING = ".incoming"
BLOBS = ".blobs"


class PackageStorage:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def version_path(self, package_id: int, version: int) -> str:
        """The storage path recorded in the database (relative, so the data folder can move)."""
        return f"{package_id}/{version}"

    def version_dir(self, storage_path: str) -> Path:
        return self.root / storage_path

    @contextmanager
    def incoming(self) -> Iterator[Path]:
        """A fresh folder to extract into; removed on exit unless it was published."""
        folder = self.root / INCOMING / uuid.uuid4().hex
        folder.mkdir(parents=True, mode=0o750)
        try:
            yield folder
        finally:
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)

    def publish(
        self, folder: Path, storage_path: str, digests: Mapping[str, str] | None = None
    ) -> Path:
        """Move an extracted folder into place. With ``digests`` (member name: sha256 of its
        bytes), each file becomes a link to the blob of its content first."""
        target = self.version_dir(storage_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise FileExistsError(f"{target} already exists")
        if digests:
            shared = self._share(folder, digests)
            index = self._index(storage_path)
            index.parent.mkdir(parents=True, exist_ok=True)
            index.write_text(json.dumps(sorted(set(shared))))
            try:
                os.rename(folder, target)  # atomic on one file system: the version appears whole
            except OSError:
                shutil.rmtree(folder, ignore_errors=True)
                self.remove(storage_path)  # the blobs only this version added go too
                raise
            return target
        os.rename(folder, target)
        return target

    def remove(self, storage_path: str) -> None:
        target = self.version_dir(storage_path)
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        parent = target.parent
        if parent != self.root and parent.exists() and not any(parent.iterdir()):
            parent.rmdir()
        index = self._index(storage_path)
        try:
            digests = json.loads(index.read_text())
        except (OSError, ValueError):
            return
        index.unlink(missing_ok=True)
        for digest in digests:
            self._drop_if_unused(digest)

    def blob_count(self) -> int:
        """How many distinct file contents are stored (for tests and the operator)."""
        blobs = self.root / BLOBS
        return sum(1 for p in blobs.glob("??/*") if p.is_file()) if blobs.exists() else 0

    # ------------------------------------------------------------ content-addressed blobs

    def _blob(self, digest: str) -> Path:
        return self.root / BLOBS / digest[:2] / digest

    def _index(self, storage_path: str) -> Path:
        return self.root / BLOBS / "index" / storage_path

    def _share(self, folder: Path, digests: Mapping[str, str]) -> list[str]:
        """Link each file of ``folder`` with the blob of its content; the digests now shared."""
        shared: list[str] = []
        for member, digest in digests.items():
            path = folder.joinpath(*member.split("/"))
            blob = self._blob(digest)
            blob.parent.mkdir(parents=True, exist_ok=True)
            for _ in range(3):  # a blob removed by a concurrent sweep between two steps: again
                try:
                    os.link(path, blob)  # new content: this file is the blob
                except FileExistsError:
                    pass
                except OSError:
                    return shared  # no hard links here: the version keeps its own files
                else:
                    _read_only(path)
                    shared.append(digest)
                    break
                # Stored already: the version links to it instead of keeping a second copy.
                spare = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
                try:
                    os.link(blob, spare)
                except FileNotFoundError:
                    continue
                except OSError:
                    return shared
                os.replace(spare, path)
                shared.append(digest)
                break
        return shared

    def _drop_if_unused(self, digest: str) -> None:
        blob = self._blob(digest)
        try:
            if os.stat(blob).st_nlink <= 1:
                blob.unlink()
        except FileNotFoundError:
            pass

    # ------------------------------------------------------------ reading

    def find_file(self, storage_path: str, member: str) -> Path | None:
        """The file ``member`` names inside a version, or None; never a path outside it.

        Content written on Windows often gets the case of its own file names wrong, so an exact
        miss falls back to a case-insensitive match, one folder level at a time.
        """
        base = self.version_dir(storage_path).resolve()
        name = normalize_member(member)
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if not parts or any(p == ".." or "\x00" in p for p in parts):
            return None
        current = base
        for part in parts:
            candidate = current / part
            if not candidate.exists():
                lowered = part.lower()
                try:
                    match = next((c for c in current.iterdir() if c.name.lower() == lowered), None)
                except (NotADirectoryError, FileNotFoundError):
                    return None
                if match is None:
                    return None
                candidate = match
            if candidate.is_symlink():
                return None
            current = candidate
        if not current.is_file() or not current.resolve().is_relative_to(base):
            return None
        return current


def _read_only(path: Path) -> None:
    """A blob is shared by every version holding the same bytes: nothing may write through one
    version's link into the others."""
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)
