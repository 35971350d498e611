"""A search as the public page and the API receive it (``?q=...&format=...``): read into an
``OfferQuery``, or refused naming the parameter, never guessed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .search import MAX_PER_PAGE, OfferQuery, QueryRefused

MAX_TEXT = 200
FLAGS = ("1", "true", "on", "yes")


def _int(args: Any, name: str, default: int | None) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise QueryRefused(name)
    return int(raw)


def _date(args: Any, name: str) -> dt.date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise QueryRefused(name) from None


def query_from_args(args: Any, language: str, per_page: int = 20) -> OfferQuery:
    text = (args.get("q") or "").strip()
    if len(text) > MAX_TEXT:
        raise QueryRefused("q")
    postcode = (args.get("postcode") or "").strip()
    if len(postcode) > 16:
        raise QueryRefused("postcode")
    return OfferQuery(
        language=language,
        text=text,
        competence_id=_int(args, "competence", None),
        format=(args.get("format") or "").strip() or None,
        taught_in=(args.get("taught_in") or "").strip() or None,
        postcode=postcode,
        date_from=_date(args, "from"),
        date_to=_date(args, "to"),
        free_seats=(args.get("free_seats") or "").lower() in FLAGS,
        funding=(args.get("funding") or "").lower() in FLAGS,
        sort=(args.get("sort") or ("relevance" if text else "soonest")).strip(),
        page=_int(args, "page", 1) or 0,
        per_page=min(_int(args, "per_page", per_page) or 0, MAX_PER_PAGE + 1),
    )
