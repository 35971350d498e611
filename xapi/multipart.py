"""multipart/mixed for statements with attachments (Communication 1.5.2), both directions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field


class MultipartError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class Part:
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def boundary_of(content_type: str) -> str:
    for piece in content_type.split(";")[1:]:
        name, _, value = piece.strip().partition("=")
        if name.strip().lower() == "boundary" and value:
            return value.strip().strip('"')
    raise MultipartError("Content-Type", "multipart/mixed needs a boundary parameter")


def parse_multipart(body: bytes, content_type: str) -> list[Part]:
    """Split a multipart/mixed body into parts (headers lower-cased)."""
    boundary = boundary_of(content_type).encode()
    delimiter = b"--" + boundary
    if delimiter not in body:
        raise MultipartError("body", "no part starts with the boundary given in Content-Type")
    chunks = body.split(delimiter)
    parts: list[Part] = []
    closed = False
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            closed = True
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith(b"\n"):
            chunk = chunk[1:]
        else:
            raise MultipartError("body", "a boundary line must end with CRLF")
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, sep, content = chunk.partition(b"\n\n")
            if not sep:
                if chunk.startswith((b"\r\n", b"\n")):
                    head, content = b"", chunk.lstrip(b"\r\n")
                else:
                    raise MultipartError("body", "a part has no blank line after its headers")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        elif content.endswith(b"\n"):
            content = content[:-1]
        headers: dict[str, str] = {}
        for line in head.decode("latin-1").splitlines():
            if not line.strip():
                continue
            name, colon, value = line.partition(":")
            if not colon:
                raise MultipartError("body", f"bad part header line {line!r}")
            headers[name.strip().lower()] = value.strip()
        parts.append(Part(headers, content))
    if not closed:
        raise MultipartError("body", "the multipart body has no closing boundary")
    if not parts:
        raise MultipartError("body", "the multipart body has no parts")
    return parts


def build_multipart(first: bytes, attachments: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """(body, content type) with the JSON first, then each (sha2, content type, content)."""
    boundary = "xapi-" + secrets.token_hex(12)
    out = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), first, b"\r\n"]
    for sha2, content_type, content in attachments:
        out.append(
            f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode()
        )
        out.extend([content, b"\r\n"])
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/mixed; boundary={boundary}"
