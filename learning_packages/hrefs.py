"""Turn descriptor hrefs into package paths: xml:base, relative references, item parameters.

IMS CP resolves a file's href against the xml:base of its resource, then of ``<resources>``, then
of ``<manifest>`` (RFC 3986 relative resolution: a base without a trailing ``/`` names a file, so
its last segment is dropped). A reference that climbs out of the package root is refused.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from .errors import N_, PackageRefused


@dataclass(frozen=True)
class ResolvedHref:
    path: str | None  # package path (decoded, NFC), None for an absolute URL
    query: str  # "?..." and/or "#..." as written
    external_url: str | None


def is_absolute_url(ref: str) -> bool:
    parts = urlsplit(ref)
    return bool(parts.scheme and (parts.netloc or parts.scheme in ("mailto", "data")))


def normalize_member(name: str) -> str:
    """A zip member or descriptor path as we compare and store it: NFC, ``/``-separated."""
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def resolve(bases: list[str], href: str, descriptor: str) -> ResolvedHref:
    """``href`` resolved against ``bases`` (outermost first): a package path or an absolute URL."""
    refs = [ref.strip() for ref in [*bases, href]]
    directory = ""  # package path of the current base directory: "" = root, else ends with "/"
    for index, ref in enumerate(refs):
        is_href = index == len(refs) - 1
        if not ref:
            continue
        if is_absolute_url(ref):
            # An absolute xml:base makes every href below it external.
            url = ref
            for rest in refs[index + 1 :]:
                if rest:
                    url = urljoin(url, rest)
            return ResolvedHref(None, "", url)
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc:
            raise PackageRefused(
                "bad_href",
                N_("href %(href)s is neither a relative path nor a URL"),
                descriptor,
                href=repr(ref),
            )
        path = unquote(parts.path)
        if path.startswith("/"):
            raise PackageRefused(
                "path_escape",
                N_(
                    "href %(href)s is an absolute path; files must be named relative to the package"
                ),
                descriptor,
                href=repr(ref),
            )
        combined = _normalize(directory + path, ref, descriptor)
        if is_href:
            if not combined or combined.endswith("/"):
                raise PackageRefused(
                    "bad_href",
                    N_("href %(href)s names a folder, not a file"),
                    descriptor,
                    href=repr(ref),
                )
            query = ("?" + parts.query if parts.query else "") + (
                "#" + parts.fragment if parts.fragment else ""
            )
            return ResolvedHref(normalize_member(combined), query, None)
        directory = combined[: combined.rfind("/") + 1]
    raise PackageRefused("bad_href", N_("a resource has an empty href"), descriptor)


def _normalize(path: str, ref: str, descriptor: str) -> str:
    """Remove ``.`` and ``..`` segments; a ``..`` above the root is a path escape."""
    segments: list[str] = []
    pieces = path.split("/")
    for index, segment in enumerate(pieces):
        last = index == len(pieces) - 1
        if segment == "..":
            if not segments:
                raise PackageRefused(
                    "path_escape",
                    N_("href %(href)s points outside the package (../)"),
                    descriptor,
                    href=repr(ref),
                )
            segments.pop()
            if last:
                segments.append("")
        elif segment == ".":
            if last:
                segments.append("")
        elif segment == "" and not last:
            continue
        else:
            segments.append(segment)
    return "/".join(segments)


def apply_parameters(query: str, parameters: str) -> str:
    """Append an item's ``parameters`` to the launch URL, as SCORM 2004 CAM (3.4.1.9) says."""
    parameters = parameters.strip()
    if not parameters:
        return query
    base_query, _, fragment = query.partition("#")
    if parameters.startswith("#"):
        if fragment or "#" in query:
            return query
        return query + parameters
    while parameters[:1] in ("?", "&"):
        parameters = parameters[1:]
    if not parameters:
        return query
    joined = (
        (base_query + "&" + parameters)
        if base_query.startswith("?") and len(base_query) > 1
        else "?" + parameters
    )
    if base_query == "?":
        joined = "?" + parameters
    return joined + ("#" + fragment if fragment else "")
