"""The build step that makes a wheel work on its own (the project's metadata is in pyproject.toml).

Beside the Python files, ``build_py`` puts into the ``lti_tool`` package what a checkout keeps
elsewhere or builds by hand:

- ``lti_tool/migrations``: the Alembic migrations from ``migrations/`` (developers keep adding
  files there; ``lti_tool.resources.migrations_dir`` finds whichever copy exists);
- ``lti_tool/translations/*/LC_MESSAGES/messages.mo``: the catalogues compiled from the ``.po``
  files with Babel (the ``.po`` files are the source; ``.mo`` files are never committed);
- ``lti_tool/content/scorm_again``: the scorm-again files the SCORM player serves, with their
  licence, from ``node_modules`` as pinned by package-lock.json (``npm ci`` runs first when they
  are missing, so a clean checkout builds; see docs/deployment.md, "Building the wheel").

An editable install (``pip install -e``) only compiles the catalogues in place: the running code
reads the migrations and node_modules from the checkout.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SCORM_AGAIN_FILES = ("scorm12.min.js", "scorm2004.min.js", "scorm12.js", "scorm2004.js")


def compile_catalogues(source: Path, target: Path) -> list[Path]:
    """Compile every ``<locale>/LC_MESSAGES/messages.po`` under source into target (as pybabel
    compile does: fuzzy entries left out)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        locale = po.parent.parent.name
        with po.open("rb") as f:
            catalog = read_po(f, locale=locale)
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        written.append(mo)
    if not written:
        raise SystemExit(f"no .po catalogues under {source}")
    return written


def copy_migrations(target: Path) -> None:
    source = ROOT / "migrations"
    if not (source / "env.py").is_file():
        raise SystemExit(f"the Alembic migrations are missing: {source}")
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(
        source,
        target,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "new_revision.py", "alembic.ini"),
    )


def scorm_again_dist() -> Path:
    """node_modules/scorm-again/dist, running ``npm ci`` (pinned by package-lock.json) when the
    checkout has none yet."""
    dist = ROOT / "node_modules" / "scorm-again" / "dist"
    if not all((dist / name).is_file() for name in SCORM_AGAIN_FILES):
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit(
                "building learnpass needs scorm-again (the SCORM player's run-time): install npm "
                "(Debian: apt install npm) or run 'npm ci' in the checkout first"
            )
        subprocess.run(  # noqa: S603 - a fixed command on the checkout's own lock file
            [npm, "ci", "--no-audit", "--no-fund", "--omit=dev"], cwd=ROOT, check=True
        )
    missing = [name for name in SCORM_AGAIN_FILES if not (dist / name).is_file()]
    if missing:
        raise SystemExit(f"npm ci did not install scorm-again's {', '.join(missing)}")
    return dist


def copy_scorm_again(target: Path) -> None:
    dist = scorm_again_dist()
    target.mkdir(parents=True, exist_ok=True)
    for name in SCORM_AGAIN_FILES:
        shutil.copyfile(dist / name, target / name)
    package = dist.parent
    shutil.copyfile(package / "LICENSE", target / "LICENSE")
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    (target / "VERSION").write_text(f"scorm-again {version}\n", encoding="utf-8")


class BuildWithAssets(build_py):
    """build_py, then the migrations, catalogues and scorm-again files into the package."""

    def run(self) -> None:
        super().run()
        source = ROOT / "lti_tool" / "translations"
        if getattr(self, "editable_mode", False):
            compile_catalogues(source, source)
            return
        package = Path(self.build_lib) / "lti_tool"
        compile_catalogues(source, package / "translations")
        copy_migrations(package / "migrations")
        copy_scorm_again(package / "content" / "scorm_again")


setup(cmdclass={"build_py": BuildWithAssets})
