"""Import of a signed paper attendance list typed in later: CSV with the columns learner, status,
hours, note (a heading line is optional). Checked whole before anything is written: one wrong
line and nothing is saved, and the trainer sees every wrong line with its number.

A learner is named by their e-mail address, their name as the platform gives it, or their user
id in the platform (``sub``); it must be one learner of the sheet's roster.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..models import User
from .attendance import MarkInput, checked
from .attendance_models import ATTENDANCE_STATUSES
from .session_models import BlendedSessionDay

MAX_LINES = 2000
STATUS_WORDS = {s: s for s in ATTENDANCE_STATUSES} | {
    "left early": "left_early",
    "left-early": "left_early",
}


@dataclass(frozen=True)
class ImportLine:
    line: int
    user: User
    mark: MarkInput


class ImportRefused(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _keys(user: User) -> set[str]:
    keys = {user.sub.strip().lower()}
    if user.email:
        keys.add(user.email.strip().lower())
    if user.name:
        keys.add(" ".join(user.name.split()).lower())
    return keys


def parse_import(
    text: str, day: BlendedSessionDay, learners: list[User], reason: str
) -> list[ImportLine]:
    """The lines of the list, or ``ImportRefused`` with every problem and its line number."""
    by_key: dict[str, list[User]] = {}
    for user in learners:
        for key in _keys(user):
            by_key.setdefault(key, []).append(user)
    errors: list[str] = []
    lines: list[ImportLine] = []
    seen: dict[int, int] = {}
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if len(rows) > MAX_LINES:
        raise ImportRefused([str(_l("The list has more than %(num)d lines.", num=MAX_LINES))])
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in ("learner", "name", "e-mail", "email"):
            continue
        where = str(_l("Line %(num)d:", num=number))
        if len(cells) < 2 or len(cells) > 4:
            errors.append(f"{where} " + str(_l("give learner, status, hours, note.")))
            continue
        cells += [""] * (4 - len(cells))
        who, status_word, hours_text, note = cells
        matches = by_key.get(" ".join(who.split()).lower(), [])
        if len(matches) != 1:
            errors.append(
                f"{where} "
                + str(
                    _l("%(who)s is not one learner of this session.", who=who)
                    if not matches
                    else _l("%(who)s names more than one learner: use the e-mail.", who=who)
                )
            )
            continue
        user = matches[0]
        if user.id in seen:
            errors.append(
                f"{where} "
                + str(_l("%(who)s is already on line %(other)d.", who=who, other=seen[user.id]))
            )
            continue
        seen[user.id] = number
        status = STATUS_WORDS.get(status_word.lower().replace("_", " ").strip())
        status = status or STATUS_WORDS.get(status_word.lower())
        if status is None:
            errors.append(
                f"{where} "
                + str(_l("the status must be present, late, left early, excused or absent."))
            )
            continue
        hours: float | None = None
        if hours_text:
            try:
                hours = float(hours_text.replace(",", "."))
            except ValueError:
                errors.append(f"{where} " + str(_l("the hours must be a number, like 3.5.")))
                continue
        mark = MarkInput(status, hours, note, reason)
        from .sessions import Refused

        try:
            checked(day, mark)
        except Refused as exc:
            errors.append(f"{where} {exc.message}")
            continue
        lines.append(ImportLine(number, user, mark))
    if not errors and not lines:
        errors.append(str(_l("The list is empty.")))
    if errors:
        raise ImportRefused(errors)
    return lines
