from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from learning_packages.storage import PackageStorage
from lti_tool.extensions import db


@pytest.fixture
def session(app: Any) -> Iterator[Any]:
    with app.app_context():
        yield db.session()


@pytest.fixture
def storage(app: Any) -> PackageStorage:
    return PackageStorage(Path(app.config["LEARNPASS"].data_dir) / "scorm")


def stored_files(storage: PackageStorage) -> list[Path]:
    if not storage.root.exists():
        return []
    return [p for p in storage.root.rglob("*") if not p.is_dir()]
