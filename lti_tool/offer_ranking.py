"""Ranking the offers of a gap report: which offers cover most of the largest gaps, and why.

Pure: it reads only what ``competence_offers.offers_for`` returned (each offer's next date,
languages and distance come with it, from the catalogue's finder), so ranking never asks the
database anything. The order:

1. the number of top gaps an offer covers (most first),
2. the size of those gaps together (largest first),
3. how near it is to the reader's company: by km when measured (nearest first), then offers
   "in your postcode area", then the rest,
4. its next date (soonest first, none last),
5. whether it is given in the reader's language,
6. its title.

The reason says the same in plain words ("covers 3 of your 5 largest gaps; 12 km; in Dutch;
starts 14 March 2027"). Distance is measured from the company's postcode, so a report that is
not of one company (or of a company without a postcode) ranks without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from .competence_offers import OfferRef


@dataclass(frozen=True)
class RankedOffer:
    offer: OfferRef
    covered: int  # how many of the top gaps it covers
    top: int  # how many top gaps there are
    gap_sum: float  # the size of the gaps it covers, together
    language_match: bool  # given in the reader's language
    language: str  # the language it is given in, as named in the reason ("" unknown)


def rank_offers(
    gaps: Sequence[tuple[int, float]],
    offers: Mapping[int, Sequence[OfferRef]],
    language: str,
) -> list[RankedOffer]:
    """``gaps``: (key, gap size) of the top gaps, largest first; ``offers``: key -> the offers
    covering that gap. Each offer once, best first."""
    sizes = dict(gaps)
    covering: dict[tuple[str, int], tuple[OfferRef, set[int]]] = {}
    for key, refs in offers.items():
        if key not in sizes:
            continue
        for ref in refs:
            covering.setdefault((ref.kind, ref.id), (ref, set()))[1].add(key)
    ranked = []
    for ref, keys in covering.values():
        match = language in ref.languages
        ranked.append(
            RankedOffer(
                offer=ref,
                covered=len(keys),
                top=len(sizes),
                gap_sum=sum(sizes[k] for k in keys),
                language_match=match,
                language=language if match else (ref.languages[0] if ref.languages else ""),
            )
        )
    far = dt.date.max
    return sorted(
        ranked,
        key=lambda r: (
            -r.covered,
            -r.gap_sum,
            _nearness(r.offer),
            r.offer.starts_on or far,
            not r.language_match,
            r.offer.title.lower(),
            r.offer.kind,
            r.offer.id,
        ),
    )


def _nearness(offer: OfferRef) -> tuple[int, int]:
    """Measured first (by km), then in the postcode area, then unknown."""
    if offer.km is not None:
        return (0, offer.km)
    return (1, 0) if offer.same_area else (2, 0)


def language_names() -> dict[str, str]:
    """Languages as a reason names them, in the reader's language."""
    return {"nl": _("in Dutch"), "fr": _("in French"), "de": _("in German"), "en": _("in English")}


def reason(ranked: RankedOffer) -> str:
    """The ranked offer's reason in the reader's language (needs a request's locale)."""
    parts = [
        ngettext(
            "covers %(num)d of your %(top)d largest gaps",
            "covers %(num)d of your %(top)d largest gaps",
            ranked.covered,
            top=ranked.top,
        )
        if ranked.top > 1
        else _("covers your largest gap")
    ]
    if ranked.offer.km is not None:
        parts.append(_("%(km)d km", km=ranked.offer.km))
    elif ranked.offer.same_area:
        parts.append(_("in your postcode area"))
    if ranked.language:
        parts.append(language_names().get(ranked.language, ranked.language))
    if ranked.offer.starts_on:
        parts.append(_("starts %(date)s", date=format_date(ranked.offer.starts_on, "long")))
    return "; ".join(parts)
