"""The knowledge base's files: what a provider may upload, how it is kept, and how visitors get it.

The passport's upload rules (passports/uploads.py) hold here too: the file is read up to its
limit and never further (``read_limited``, the same 10 MB), its type is recognised by its first
bytes and never by its name or the browser's word, PDF, PNG and JPEG pass the passport's own
check (a complete PDF, an image Pillow can read), and a refusal is an ``UploadRefused`` with its
reason. The knowledge base takes a few more kinds, each recognised by its content too: office
documents (Word, Excel and PowerPoint files, OpenDocument text, sheets and slides; not the ones
with macros) and audio and video (MP3, MP4/M4A, WebM, Ogg, WAV). HTML, SVG and anything else a
browser could run are refused.

Files are kept in the database, like the passport's evidence and the learning paths' documents,
one row per upload; an item points at its current file, and replacing it deletes the old row.
They are served from the content origin only (docs/security.md), as downloads that cannot run:
a public item's file by its item and file number; a members' item's file through a single-use
ticket for the person of the launch (file_tickets.py). On the tool's origin these routes answer
404; the tool's route checks who may see the item and sends the browser on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata
import zipfile
from typing import IO, Any

from flask import redirect
from flask_babel import gettext as _
from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..content_origin import content_blueprint, content_url_for, download_response, refusal
from ..extensions import db
from ..file_tickets import redeem, ticket_url
from ..models import Base, User, utcnow
from ..passports.errors import N_
from ..passports.uploads import (
    MAX_CERTIFICATE_BYTES,
    UploadRefused,
    check_certificate,
    read_limited,
    safe_filename,
    sniff_media_type,
)

bp = content_blueprint("catalogue_files", __name__)

MAX_FILE_BYTES = MAX_CERTIFICATE_BYTES
TICKET_PREFIX = "material-file-ticket:"

_OOXML = (
    ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
)  # fmt: skip
_ODF = {
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
}
SUFFIXES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "audio/ogg": ".ogg",
    "audio/wav": ".wav",
    **{media_type: suffix for _part, media_type, suffix in _OOXML},
    **_ODF,
}
ACCEPTED = N_(
    "Send a PDF, a Word, Excel, PowerPoint or OpenDocument file, a PNG or JPEG image, "
    "or an audio or video file (MP3, MP4, M4A, WebM, Ogg, WAV)."
)


class CatalogueMaterialFile(Base):
    """A file of a knowledge-base item, as uploaded (no person is kept with it)."""

    __tablename__ = "catalogue_material_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_provider.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


def _media_type(head: bytes) -> str | None:
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:12] in (b"M4A ", b"M4B ") else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def _office_type(data: bytes) -> str:
    """The type of an office document (a zip of known parts), or UploadRefused."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            lowered = [name.lower() for name in names]
            if any(
                name.endswith("vbaproject.bin") or name.startswith("basic/") for name in lowered
            ):
                raise UploadRefused(N_("Office files with macros are not taken."))
            if "[Content_Types].xml" in names:
                for part, media_type, _suffix in _OOXML:
                    if part in names:
                        return media_type
            first = entries[0] if entries else None
            if first is not None and first.filename == "mimetype" and first.file_size < 100:
                declared = archive.read(first).decode("ascii", "replace").strip()
                if declared in _ODF:
                    return declared
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
        if isinstance(exc, UploadRefused):
            raise
        raise UploadRefused(N_("The office file is damaged.")) from exc
    raise UploadRefused(ACCEPTED)


def check_material_file(data: bytes) -> str:
    """The media type of an acceptable knowledge-base file, or UploadRefused with the reason."""
    if not data or sniff_media_type(data[:16]) is not None:
        return check_certificate(data)  # empty, or PDF / PNG / JPEG: the passport's own checks
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    media_type = _media_type(data[:16])
    if media_type is None:
        raise UploadRefused(ACCEPTED)
    return media_type


def file_name(name: str, media_type: str) -> str:
    """The passport's safe name (no path, plain characters), in ASCII (a header value: accents
    dropped, other letters become ``_``), with the suffix of the real type."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c if c.isascii() else "_" for c in plain if not unicodedata.combining(c))
    stem = safe_filename(plain.rsplit(".", 1)[0] if "." in plain else plain, "application/pdf")
    stem = stem[: -len(".pdf")]
    return (stem if stem != "certificate" else "material") + SUFFIXES[media_type]


def read_upload(stream: IO[bytes], filename: str, provider_id: int) -> CatalogueMaterialFile:
    """The upload checked and ready to keep (not added to a session): UploadRefused says why
    not."""
    data = read_limited(stream, MAX_FILE_BYTES)
    media_type = check_material_file(data)
    return CatalogueMaterialFile(
        provider_id=provider_id,
        filename=file_name(filename or "", media_type),
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
    )


def download_url(item: Any, viewer: User | None) -> str:
    """Where the browser downloads ``item``'s file: on the content origin, by its numbers for a
    public active item, else through a single-use ticket for ``viewer`` (whose right the caller
    checked)."""
    if item.visibility == "public" and item.status == "active":
        return content_url_for("catalogue_files.public_file", item_id=item.id, file_id=item.file_id)
    if viewer is None:
        raise ValueError("a members' file needs a viewer")
    return ticket_for(item.file_id, viewer)


def ticket_for(file_id: int, viewer: User) -> str:
    """A single-use URL of a file for ``viewer``, whose right to see it the caller checked."""
    return ticket_url(TICKET_PREFIX, file_id, viewer, "catalogue_files.member_file")


def send_to_file(item: Any, viewer: User | None) -> Any:
    return redirect(download_url(item, viewer), 303)


def _download(stored: CatalogueMaterialFile) -> Any:
    return download_response(stored.content, stored.media_type, stored.filename)


@bp.get("/files/material/<int:item_id>/<int:file_id>")
def public_file(item_id: int, file_id: int) -> Any:
    from .material import CatalogueMaterial

    session: Session = db.session()
    item = session.get(CatalogueMaterial, item_id)
    if (
        item is None
        or item.kind != "file"
        or item.status != "active"
        or item.visibility != "public"
        or item.file_id != file_id
        or item.file is None
    ):
        return refusal(
            _("This file is not in the knowledge base any more. Open the item's page again."),
            404,
        )
    return _download(item.file)


@bp.get("/files/material-ticket/<token>")
def member_file(token: str) -> Any:
    file_id = redeem(TICKET_PREFIX, token)
    if file_id is None:
        return refusal(
            _(
                "This link can be used only once, and only for a few minutes. "
                "Go back to the knowledge base and open the file again."
            )
        )
    stored = db.session().get(CatalogueMaterialFile, file_id)
    if stored is None:
        return refusal(
            _("This file is not in the knowledge base any more. Open the item's page again."),
            404,
        )
    return _download(stored)
