"""Reading the JSON of a definition piece by piece, collecting every problem on the way."""

from __future__ import annotations

from typing import Any

from learning_packages.errors import N_

from .model import (
    KEY,
    LANGUAGES,
    MAX_KEY,
    MAX_OPTIONS,
    MAX_WORDING,
    Option,
    Point,
    Problem,
    Wording,
)


class Reader:
    """Collects problems while reading, so every mistake is reported, not just the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # Keys of questions left out for a problem of their own: a condition naming one is not
        # reported again.
        self.dropped: set[str] = set()
        # The survey's main language (its ``language``): every wording given must have it.
        self.language = ""

    def problem(self, where: str, template: str, **params: Any) -> None:
        self.problems.append(Problem(where, template, params))

    def obj(self, value: Any, where: str, known: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(where, N_("This should be an object ({...})."))
            return None
        for name in value:
            if name not in known:
                self.problem(
                    where,
                    N_("Unknown field '%(name)s' (known: %(known)s)."),
                    name=str(name)[:MAX_KEY],
                    known=", ".join(known),
                )
        return value

    def items(self, value: Any, where: str, *, least: int = 0, most: int = MAX_OPTIONS) -> list:
        if not isinstance(value, list):
            self.problem(where, N_("This should be a list ([...])."))
            return []
        if len(value) < least:
            self.problem(where, N_("This needs at least %(n)s items."), n=least)
        if len(value) > most:
            self.problem(where, N_("This may have at most %(n)s items."), n=most)
            return value[:most]
        return value

    def key(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not KEY.match(value):
            self.problem(
                where,
                N_(
                    "A key is 1 to 64 letters, digits, '_', '.' or '-', starting with a letter "
                    "or digit."
                ),
            )
            return ""
        return value

    def wording(self, value: Any, where: str, *, required: bool = True) -> Wording:
        if value is None and not required:
            return {}
        if not isinstance(value, dict) or (required and not value):
            self.problem(
                where,
                N_('This should be the wording per language: {"nl": ..., "fr": ..., "en": ...}.'),
            )
            return {}
        out: Wording = {}
        for lang, text in value.items():
            if lang not in LANGUAGES:
                self.problem(
                    where,
                    N_("Unknown language '%(lang)s' (known: nl, fr, de, en)."),
                    lang=str(lang)[:8],
                )
            elif not isinstance(text, str) or not text.strip():
                self.problem(where, N_("The wording in '%(lang)s' is empty."), lang=lang)
            elif len(text) > MAX_WORDING:
                self.problem(
                    where,
                    N_("The wording in '%(lang)s' is longer than %(n)s characters."),
                    lang=lang,
                    n=MAX_WORDING,
                )
            else:
                out[lang] = text.strip()
        if self.language and value and self.language not in value:
            self.problem(
                where,
                N_("The wording in '%(lang)s', the survey's main language, is missing."),
                lang=self.language,
            )
        return out

    def boolean(self, value: Any, where: str, default: bool = False) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(where, N_("This should be true or false."))
            return default
        return value

    def number(self, value: Any, where: str, *, integer: bool = False) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where, N_("This should be a number."))
            return None
        if integer and value != int(value):
            self.problem(where, N_("This should be a whole number."))
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.problem(where, N_("This should be a number."))
            return None
        return int(value) if integer else float(value)

    def unique(self, keys: list[str], where: str, what: str) -> None:
        seen: set[str] = set()
        for key in keys:
            if key and key in seen:
                self.problem(
                    where, N_("The %(what)s key '%(key)s' is used twice."), what=what, key=key
                )
            seen.add(key)

    def options(self, value: Any, where: str, *, least: int) -> tuple[Option, ...]:
        out = []
        for i, item in enumerate(self.items(value, where, least=least)):
            at = f"{where}[{i}]"
            data = self.obj(item, at, ("key", "label"))
            if data is None:
                continue
            out.append(
                Option(
                    self.key(data.get("key"), f"{at}.key"),
                    self.wording(data.get("label"), f"{at}.label"),
                )
            )
        self.unique([o.key for o in out], where, "option")
        return tuple(out)

    def points(self, value: Any, where: str, *, least: int, most: int) -> tuple[Point, ...]:
        out = []
        for i, item in enumerate(self.items(value, where, least=least, most=most)):
            at = f"{where}[{i}]"
            data = self.obj(item, at, ("value", "label", "description"))
            if data is None:
                continue
            number = self.number(data.get("value"), f"{at}.value", integer=True)
            if number is None:
                if data.get("value") is None:
                    self.problem(f"{at}.value", N_("A point needs its value (a whole number)."))
                continue
            out.append(
                Point(
                    int(number),
                    self.wording(data.get("label"), f"{at}.label"),
                    self.wording(data.get("description"), f"{at}.description", required=False),
                )
            )
        values = [p.value for p in out]
        if values != sorted(set(values)):
            self.problem(where, N_("The values should rise, each used once."))
        return tuple(out)
