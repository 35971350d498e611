"""Where a company is: its postcode and country, set by the platform's administrator. The
catalogue measures distance to offers from it and counts demand per postcode area; "" is
"not given". No person is stored here."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from .errors import N_, PassportError
from .models import Company

_POSTCODE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{0,14}[A-Z0-9]?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def set_place(session: Session, company: Company, postcode: str, country: str) -> None:
    """Save the company's postcode and country (both, or neither); refuses what is not one."""
    code = " ".join(postcode.upper().split())
    land = country.strip().upper()
    if code and not (len(code) <= 16 and _POSTCODE.match(code)):
        raise PassportError(
            N_("A postcode has letters, digits, spaces or hyphens only, 16 at most, e.g. 9000.")
        )
    if land and not _COUNTRY.match(land):
        raise PassportError(N_("Give the country as its two-letter code, e.g. BE or NL."))
    if bool(code) != bool(land):
        raise PassportError(N_("Give both the postcode and the country, or neither."))
    company.postcode, company.country = code, land
    session.flush()


def place_of(session: Session, company_id: int | None) -> tuple[str, str]:
    """(postcode, country) of a company, ("", "") when none or not given."""
    company = session.get(Company, company_id) if company_id else None
    return (company.postcode, company.country) if company else ("", "")
