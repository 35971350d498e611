"""The issuing organisation a platform's documents name: its name, postal address and logo.

The platform's administrator sets them (``save_issuer``). Until then the documents name the
platform's registered name, and only when that is empty the tool's title, so a passport never
says "issued by learnpass" once an organisation has said who it is.

A logo is any PNG or JPEG up to ``MAX_LOGO_BYTES``; it is opened with Pillow, shrunk to fit
``LOGO_BOX`` and re-encoded as PNG, so what is served and printed is an image the tool wrote,
never the uploaded bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lti_tool.models import Platform, utcnow

from .errors import PassportError
from .models import IssuingOrganisation

MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_BOX = (600, 300)
MAX_NAME = 255
MAX_ADDRESS = 1000


@dataclass(frozen=True)
class Issuer:
    """What a document prints about its issuer. ``logo_version`` changes with every new logo
    (for the logo's URL); it is None when there is no logo."""

    platform_id: int | None
    name: str
    address: str
    logo_png: bytes | None
    logo_version: int | None

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


def issuer_for(session: Session, platform_id: int | None, fallback_name: str) -> Issuer:
    """The platform's issuing organisation, or its registered name, or ``fallback_name``."""
    row = session.get(IssuingOrganisation, platform_id) if platform_id is not None else None
    platform = session.get(Platform, platform_id) if platform_id is not None else None
    name = (row.name if row else "") or (platform.name if platform else "") or fallback_name
    return Issuer(
        platform_id=platform_id,
        name=name,
        address=row.address if row else "",
        logo_png=row.logo_png if row else None,
        logo_version=int(row.updated_at.timestamp()) if row and row.logo_png else None,
    )


class IssuerRefused(PassportError):
    """Fields of the issuer form the tool cannot keep; ``reasons`` name which (the page words
    them), all at once; ``reason`` is the first."""

    def __init__(self, reason: str, *more: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reasons = [reason, *more]


def logo_png(data: bytes) -> bytes:
    """The uploaded image as a PNG that fits ``LOGO_BOX``, or IssuerRefused."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_LOGO_BYTES:
        raise IssuerRefused("too_large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise IssuerRefused("not_an_image")
            image.load()
            picture = image.convert("RGBA") if image.mode not in ("RGB", "RGBA") else image.copy()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise IssuerRefused("not_an_image") from exc
    picture.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def save_issuer(
    session: Session,
    platform_id: int,
    *,
    name: str,
    address: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> IssuingOrganisation:
    """Store the platform's issuing organisation; nothing is written when a field is refused."""
    name = " ".join(name.split())
    address = "\n".join(line.strip() for line in address.strip().splitlines())
    reasons = []
    if len(name) > MAX_NAME:
        reasons.append("name_too_long")
    if len(address) > MAX_ADDRESS:
        reasons.append("address_too_long")
    new_logo = None
    if logo:
        try:
            new_logo = logo_png(logo)
        except IssuerRefused as exc:
            reasons.extend(exc.reasons)
    if reasons:
        raise IssuerRefused(*reasons)
    row = session.get(IssuingOrganisation, platform_id)
    if row is None:
        row = IssuingOrganisation(platform_id=platform_id, logo_png=None)
        session.add(row)
    row.name = name
    row.address = address
    if new_logo is not None:
        row.logo_png = new_logo
    elif remove_logo:
        row.logo_png = None
    row.updated_at = utcnow()
    session.commit()
    return row
