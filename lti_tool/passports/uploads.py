"""Certificate and evidence uploads: only PDF, PNG and JPEG, recognised by their first bytes.

The file name and the browser's declared type are never trusted: an executable renamed
``.pdf`` does not start with ``%PDF-`` and is refused.
"""

from __future__ import annotations

import hashlib
import io
from typing import IO

from .errors import N_, Refusal
from .models import CertificateFile

MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024

SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


class UploadRefused(Refusal):
    """The file is not one we keep; the message says what to send instead."""


def sniff_media_type(head: bytes) -> str | None:
    for signature, media_type, _suffix in SIGNATURES:
        if head.startswith(signature):
            return media_type
    return None


def read_limited(stream: IO[bytes], limit: int) -> bytes:
    """At most ``limit`` bytes; one byte more means the file is too large (never read it all)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(N_("The file is larger than %(mb)s MB."), mb=limit // (1024 * 1024))
    return data


def check_certificate(data: bytes) -> str:
    """The media type of an acceptable certificate, or UploadRefused."""
    if not data:
        raise UploadRefused(N_("The file is empty."))
    media_type = sniff_media_type(data[:16])
    if media_type is None:
        raise UploadRefused(N_("Send a PDF, PNG or JPEG file."))
    if media_type == "application/pdf" and b"%%EOF" not in data[-2048:]:
        raise UploadRefused(N_("The PDF file is incomplete."))
    if media_type.startswith("image/"):
        _check_image(data)
    return media_type


def _check_image(data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise UploadRefused(N_("The image file is damaged or not an image.")) from exc


def safe_filename(name: str, media_type: str) -> str:
    """A name for the download header: no path, plain characters, the suffix of the real type."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = (
        "".join(c if c.isalnum() or c in "-_ " else "_" for c in stem).strip()[:80] or "certificate"
    )
    suffix = next(s for _sig, mt, s in SIGNATURES if mt == media_type)
    return stem + suffix


def make_certificate(
    stream: IO[bytes],
    filename: str,
    *,
    owner_id: int,
    uploaded_by_id: int,
    limit: int = MAX_CERTIFICATE_BYTES,
) -> CertificateFile:
    data = read_limited(stream, limit)
    media_type = check_certificate(data)
    return CertificateFile(
        owner_id=owner_id,
        filename=safe_filename(filename, media_type),
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        uploaded_by_id=uploaded_by_id,
    )
