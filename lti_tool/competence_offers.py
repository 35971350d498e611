"""What the tool and the network offer for a competence: a registry that features fill.

The needs analysis (surveys) asks "which offers cover these competences?"; the features that hold
offers answer through a finder they register here (the catalogue its published offers, surveys the
links trainers made to paths, packages and training types), so surveys never imports the catalogue,
which reads surveys itself. Like ``lti.placements``: the asker never knows who answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

# The kinds an offer may be, in the order a page lists them.
KINDS = ("path", "package", "training_type", "catalogue")


@dataclass(frozen=True)
class Where:
    """Whose offers: the platform (tenant) and its issuer (packages are keyed by it), the
    reader's language for titles, and where the reader's company is."""

    platform_id: int
    issuer: str
    language: str
    # Where the reader's company is ("" unknown): finders that know places measure from it.
    postcode: str = ""
    country: str = ""


@dataclass(frozen=True)
class OfferRef:
    kind: str  # one of KINDS
    id: int
    title: str
    url: str | None = None  # where a reader opens it, when it has a page of its own
    # What ranks it (``offer_ranking``), when its finder knows: the next date it starts on
    # (today or later) and the languages it is given in, the reader's first when it has it.
    starts_on: dt.date | None = None
    languages: tuple[str, ...] = ()
    # How far its nearest date is from the reader's company (``Where.postcode``): whole km when
    # both postcodes' coordinates are known, else whether a date is in the company's postcode area.
    km: int | None = None
    same_area: bool = False


Finder = Callable[[Session, Where, Collection[int]], dict[int, list[OfferRef]]]
_finders: list[Finder] = []


def register_finder(finder: Finder) -> None:
    if finder not in _finders:
        _finders.append(finder)


def offers_for(
    session: Session, where: Where, competence_ids: Collection[int]
) -> dict[int, list[OfferRef]]:
    """Competence id -> the offers covering it, each once, by kind then title."""
    wanted = {int(c) for c in competence_ids}
    found: dict[int, list[OfferRef]] = {}
    if not wanted:
        return found
    for finder in _finders:
        for competence_id, refs in finder(session, where, wanted).items():
            if competence_id in wanted:
                found.setdefault(competence_id, []).extend(refs)
    order = {kind: n for n, kind in enumerate(KINDS)}
    return {
        cid: sorted(
            dict.fromkeys(refs), key=lambda r: (order.get(r.kind, 99), r.title.lower(), r.id)
        )
        for cid, refs in found.items()
    }
