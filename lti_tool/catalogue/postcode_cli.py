"""``learnpass catalogue postcodes load FILE``: the administrator loads GeoNames postal codes
(``postcodes``), so the gap report can say how far an offer is. A line that cannot be read is
reported with its number and reason; the good lines are loaded all the same. Loading the same
file again changes nothing."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from .postcodes import load_places

SHOWN_REFUSALS = 20  # refused lines listed one by one; the rest as a count


def _lines(path: Path) -> Iterator[str]:
    """The file's lines: a GeoNames zip (its data file, not the readme) or the text itself."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [
                n for n in archive.namelist() if n.endswith(".txt") and "readme" not in n.lower()
            ]
            if len(names) != 1:
                raise click.ClickException(
                    "The zip holds no single postal-code file (expected one .txt beside the readme)."
                )
            with archive.open(names[0]) as raw:
                yield from io.TextIOWrapper(raw, encoding="utf-8")
        return
    with path.open(encoding="utf-8") as text:
        yield from text


@click.group("postcodes")
def postcodes_group() -> None:
    """Postcodes and their coordinates (GeoNames), for distances in the gap report."""


@postcodes_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def load(file: Path) -> None:
    """Load a GeoNames postal-code file (BE.zip, BE.txt, allCountries.zip...)."""
    session = db.session()
    try:
        result = load_places(session, _lines(file))
    except UnicodeDecodeError as exc:
        session.rollback()
        raise click.ClickException(
            f"The file is not UTF-8 text ({exc.reason}); nothing loaded."
        ) from exc
    session.commit()
    click.echo(f"Loaded {result.loaded} postcodes from {file.name}.")
    if result.refused:
        click.echo(f"{len(result.refused)} lines refused:", err=True)
        for number, reason in result.refused[:SHOWN_REFUSALS]:
            click.echo(f"  line {number}: {reason}", err=True)
        if len(result.refused) > SHOWN_REFUSALS:
            click.echo(f"  and {len(result.refused) - SHOWN_REFUSALS} more", err=True)
