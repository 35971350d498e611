"""Where package files live: ``<root>/<package id>/<version>/``, and safe lookups inside them.

Imports extract into ``<root>/.incoming/<random>/`` on the same file system and are moved into
place with one ``rename``, so a version folder is either complete or absent.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .hrefs import normalize_member

INCOMING = ".incoming"


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

    def publish(self, folder: Path, storage_path: str) -> Path:
        target = self.version_dir(storage_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise FileExistsError(f"{target} already exists")
        os.rename(folder, target)  # atomic on one file system: the version appears whole
        return target

    def remove(self, storage_path: str) -> None:
        target = self.version_dir(storage_path)
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        parent = target.parent
        if parent != self.root and parent.exists() and not any(parent.iterdir()):
            parent.rmdir()

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
