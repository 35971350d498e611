"""Where learnpass finds the files it ships, installed from a wheel or run from a source checkout.

A wheel carries the Alembic migrations, the compiled catalogues and the scorm-again files the
player serves inside the ``lti_tool`` package (setup.py's build step puts them there). A source
checkout keeps them where developers edit them: ``migrations/`` at the top, ``node_modules/``
from ``npm ci``. Nothing here depends on the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent

# The scorm-again files the SCORM run-time frame loads (content/files.py serves them).
SCORM_AGAIN_FILES = ("scorm12.min.js", "scorm2004.min.js", "scorm12.js", "scorm2004.js")


def source_checkout() -> Path | None:
    """The checkout's top folder when learnpass runs from one (editable install), else None."""
    if (PROJECT_ROOT / "pyproject.toml").is_file() and (
        PROJECT_ROOT / "migrations" / "env.py"
    ).is_file():
        return PROJECT_ROOT
    return None


def migrations_dir() -> Path:
    """The Alembic script folder: shipped in the package (wheel), else the checkout's."""
    packaged = PACKAGE_DIR / "migrations"
    if (packaged / "env.py").is_file():
        return packaged
    return PROJECT_ROOT / "migrations"


def translations_dir() -> Path:
    return PACKAGE_DIR / "translations"


def scorm_again_dir() -> Path:
    """scorm-again's files: shipped in the package (wheel), else node_modules in the checkout."""
    packaged = PACKAGE_DIR / "content" / "scorm_again"
    if packaged.is_dir():
        return packaged
    return PROJECT_ROOT / "node_modules" / "scorm-again" / "dist"


def default_data_dir() -> Path:
    """``instance/`` in a checkout; for an installed package the user's data folder
    (``$XDG_DATA_HOME/learnpass``, i.e. ``~/.local/share/learnpass``), never site-packages."""
    checkout = source_checkout()
    if checkout is not None:
        return checkout / "instance"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "learnpass"


def default_config_file() -> Path:
    """``config/learnpass.toml`` in a checkout; ``/etc/learnpass/learnpass.toml`` when installed."""
    checkout = source_checkout()
    if checkout is not None:
        return checkout / "config" / "learnpass.toml"
    return Path("/etc/learnpass/learnpass.toml")
