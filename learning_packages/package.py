"""Import a package zip: check it, read its descriptor, extract it, record it; all or nothing.

The zip is read through its central directory and each member is copied in chunks, so memory
stays flat whatever the package size. Every check that can be made from the central directory
(names, counts, sizes, ratios) runs before a single byte is extracted.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import aicc, cmi5, manifest
from .errors import N_, PackageRefused
from .hrefs import normalize_member
from .storage import PackageStorage
from .structure import Course, Item
from .tables import packages, scos, utcnow, versions

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    max_files: int = 20_000
    max_total_bytes: int = 10 * 1024**3  # uncompressed; video-heavy packages run to gigabytes
    max_ratio: float = 200.0  # uncompressed / compressed, per member...
    ratio_min_bytes: int = (
        10 * 1024**2
    )  # ...for members larger than this (small text files compress well)


@dataclass
class Member:
    info: zipfile.ZipInfo
    name: str  # decoded, NFC, "/"-separated


@dataclass
class Inspection:
    """What a zip holds and what its descriptor says, before anything is written."""

    course: Course
    members: list[Member]
    total_bytes: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    package_id: int
    version_id: int
    version: int
    course: Course
    file_count: int
    total_bytes: int
    storage_path: str
    warnings: list[str]
    new_package: bool


# ---------------------------------------------------------------- reading the zip


def open_zip(path: str | os.PathLike[str], label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise PackageRefused(
            "not_a_zip", N_("is not a zip file (or its end is cut off)"), label
        ) from None
    except (OSError, ValueError, EOFError) as exc:
        raise PackageRefused(
            "not_a_zip", N_("cannot be read as a zip: %(error)s"), label, error=str(exc)
        ) from None


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name.

    The UTF-8 flag, else the Info-ZIP Unicode path field, else UTF-8 if valid, else cp437.
    """
    name = info.filename
    if not info.flag_bits & 0x800:
        raw = info.orig_filename.encode("cp437", errors="replace")
        unicode_path = _unicode_path_field(info.extra, raw)
        if unicode_path is not None:
            name = unicode_path
        else:
            try:
                name = raw.decode("utf-8")
            except UnicodeDecodeError:
                name = info.orig_filename  # cp437 as the zip format defines it
    return normalize_member(name)


def _unicode_path_field(extra: bytes, raw_name: bytes) -> str | None:
    offset = 0
    while offset + 4 <= len(extra):
        header_id, size = struct.unpack_from("<HH", extra, offset)
        body = extra[offset + 4 : offset + 4 + size]
        if header_id == 0x7075 and len(body) > 5 and body[0] == 1:
            (crc,) = struct.unpack_from("<I", body, 1)
            if crc == zlib.crc32(raw_name):
                try:
                    return body[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
        offset += 4 + size
    return None


def check_members(
    zf: zipfile.ZipFile, limits: ImportLimits, label: str = "the zip"
) -> tuple[list[Member], int]:
    members: list[Member] = []
    seen: dict[str, str] = {}
    folders: set[str] = set()
    total = compressed = 0
    for info in zf.infolist():
        name = member_name(info)
        mode = info.external_attr >> 16
        if info.create_system == 3 and stat.S_ISLNK(mode):
            raise PackageRefused(
                "symlink", N_("is a symbolic link; packages may only hold plain files"), name
            )
        if "\x00" in name:
            raise PackageRefused(
                "bad_name", N_("has a NUL character in its name"), name.replace("\x00", "?")
            )
        if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
            raise PackageRefused(
                "path_escape", N_("is an absolute path; zip members must be relative"), name
            )
        if ".." in name.split("/"):
            raise PackageRefused("path_escape", N_("climbs out of the package folder (../)"), name)
        if info.is_dir() or name.endswith("/"):
            continue
        if info.create_system == 3 and stat.S_IFMT(mode) and not stat.S_ISREG(mode):
            raise PackageRefused(
                "special_file", N_("is not a plain file (device, pipe or socket)"), name
            )
        if info.flag_bits & 0x1:
            raise PackageRefused(
                "encrypted", N_("is encrypted; upload the package without a password"), name
            )
        if info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
            zipfile.ZIP_BZIP2,
            zipfile.ZIP_LZMA,
        ):
            raise PackageRefused(
                "unsupported_compression",
                N_("uses compression method %(method)s, which cannot be read; re-zip with deflate"),
                name,
                method=str(info.compress_type),
            )
        folded = name.casefold()
        if folded in seen:
            raise PackageRefused(
                "duplicate_member",
                N_("appears twice in the zip (also as %(other)s)"),
                name,
                other=repr(seen[folded]),
            )
        seen[folded] = name
        if info.file_size > limits.ratio_min_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise PackageRefused(
                "zip_bomb",
                N_(
                    "expands %(ratio)s times (%(packed)s to %(size)s bytes); "
                    "that looks like a zip bomb"
                ),
                name,
                ratio=round(info.file_size / max(info.compress_size, 1)),
                packed=info.compress_size,
                size=info.file_size,
            )
        total += info.file_size
        compressed += info.compress_size
        members.append(Member(info, name))
        folders.update(folded.rsplit("/", i)[0] for i in range(1, folded.count("/") + 1))
        if len(members) > limits.max_files:
            raise PackageRefused(
                "too_many_files", N_("holds more than %(n)s files"), label, n=limits.max_files
            )
        if total > limits.max_total_bytes:
            raise PackageRefused(
                "too_large",
                N_("expands to more than %(limit)s bytes"),
                label,
                limit=limits.max_total_bytes,
            )
    # Many members each just under the per-member threshold add up: judge the whole zip too.
    if total > limits.ratio_min_bytes * 10 and total > limits.max_ratio * max(compressed, 1):
        raise PackageRefused(
            "zip_bomb",
            N_(
                "expands %(ratio)s times as a whole (%(packed)s to %(size)s bytes); "
                "that looks like a zip bomb"
            ),
            label,
            ratio=round(total / max(compressed, 1)),
            packed=compressed,
            size=total,
        )
    clash = next((m.name for m in members if m.name.casefold() in folders), None)
    if clash is not None:
        raise PackageRefused("name_conflict", N_("is both a file and a folder in the zip"), clash)
    return members, total


# ---------------------------------------------------------------- the descriptor


def _read_member(zf: zipfile.ZipFile, member: Member) -> bytes:
    from .safe_xml import MAX_DESCRIPTOR_BYTES

    if member.info.file_size > MAX_DESCRIPTOR_BYTES:
        raise PackageRefused(
            "descriptor_too_large",
            N_("is over %(limit)s bytes"),
            member.name,
            limit=MAX_DESCRIPTOR_BYTES,
        )
    try:
        with zf.open(member.info) as stream:
            return stream.read(MAX_DESCRIPTOR_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise PackageRefused(
            "damaged", N_("cannot be read from the zip: %(error)s"), member.name, error=str(exc)
        ) from None


def read_descriptor(
    zf: zipfile.ZipFile, members: list[Member], label: str = "the zip"
) -> tuple[Course, list[str]]:
    by_lower = {m.name.lower(): m for m in members}
    warnings: list[str] = []
    scorm = by_lower.get("imsmanifest.xml")
    course_xml = by_lower.get("cmi5.xml")
    if scorm is not None:
        if course_xml is not None:
            warnings.append(
                "the zip has both imsmanifest.xml and cmi5.xml; it is imported as SCORM"
            )
        return manifest.parse_manifest(_read_member(zf, scorm), scorm.name), warnings
    if course_xml is not None:
        return cmi5.parse_cmi5(_read_member(zf, course_xml), course_xml.name), warnings
    root_aicc = {
        m.name.rsplit(".", 1)[-1].lower(): m for m in members if "/" not in m.name and "." in m.name
    }
    if "crs" in root_aicc or "cst" in root_aicc or "au" in root_aicc:
        files: dict[str, bytes] = {}
        for ext in aicc.PARTS:
            if ext in root_aicc:
                files[ext] = _read_member(zf, root_aicc[ext])
                files[f"{ext}:name"] = root_aicc[ext].name.encode()
        return aicc.parse_aicc(files), warnings
    nested = [
        m.name
        for m in members
        if m.name.lower().rsplit("/", 1)[-1] in ("imsmanifest.xml", "cmi5.xml")
    ]
    if nested:
        folder = nested[0].rsplit("/", 1)[0]
        raise PackageRefused(
            "descriptor_in_subfolder",
            N_(
                "the package descriptor is inside the folder %(folder)s, not at the root of the "
                "zip; zip the contents of %(folder)s instead of the folder itself"
            ),
            nested[0],
            folder=repr(folder),
        )
    raise PackageRefused(
        "no_descriptor",
        N_(
            "has no imsmanifest.xml (SCORM), cmi5.xml (cmi5) or .crs file (AICC) at its root; "
            "this is not an e-learning package"
        ),
        label,
    )


def check_references(course: Course, members: list[Member]) -> list[str]:
    """Refuse launch files that are missing; warn about other listed files that are."""
    present = {m.name for m in members}
    present_lower = {m.name.lower() for m in members}
    warnings: list[str] = []

    def missing(path: str) -> bool:
        if path in present:
            return False
        if path.lower() in present_lower:
            warnings.append(f"{path} is in the zip with different upper/lower case")
            return False
        return True

    for org in course.organizations:
        for item in org.walk():
            if item.launch_path is None or not missing(item.launch_path):
                continue
            if org.identifier == course.default_organization:
                raise PackageRefused(
                    "missing_file",
                    N_("the item %(item)s launches %(path)s, which is not in the zip"),
                    course.descriptor,
                    item=repr(item.identifier),
                    path=repr(item.launch_path),
                )
            warnings.append(
                f"the item {item.identifier!r} of the organization {org.identifier!r} launches "
                f"{item.launch_path!r}, which is not in the zip"
            )
    listed_missing = [
        path
        for r in course.resources.values()
        for path in r.files
        if path not in present and path.lower() not in present_lower
    ]
    if listed_missing:
        shown = ", ".join(listed_missing[:5]) + (
            f" and {len(listed_missing) - 5} more" if len(listed_missing) > 5 else ""
        )
        warnings.append(
            f"{len(listed_missing)} file(s) the manifest lists are not in the zip: {shown}"
        )
    return warnings


def inspect_package(
    path: str | os.PathLike[str], label: str = "", limits: ImportLimits | None = None
) -> Inspection:
    """Check a zip and parse its descriptor without writing anything."""
    label = label or Path(path).name
    with open_zip(path, label) as zf:
        members, total = check_members(zf, limits or ImportLimits(), label)
        if not members:
            raise PackageRefused("empty_zip", N_("holds no files"), label)
        course, warnings = read_descriptor(zf, members, label)
    warnings = course.warnings + warnings + check_references(course, members)
    course.warnings = warnings
    return Inspection(course=course, members=members, total_bytes=total, warnings=warnings)


# ---------------------------------------------------------------- extracting and recording


def _sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def extract(zf: zipfile.ZipFile, members: list[Member], target: Path) -> dict[str, str]:
    """Write the members under ``target``; the sha256 of each member's bytes, by name (the
    storage keeps each content once by it)."""
    created: set[Path] = set()
    digests: dict[str, str] = {}
    for member in members:
        destination = target.joinpath(*member.name.split("/"))
        parent = destination.parent
        if parent not in created:
            parent.mkdir(parents=True, exist_ok=True)
            created.add(parent)
        try:
            with zf.open(member.info) as source, open(destination, "xb") as sink:
                digests[member.name] = _copy_limited(source, sink, member)
        except PackageRefused:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise PackageRefused(
                "damaged", N_("is damaged in the zip: %(error)s"), member.name, error=str(exc)
            ) from None
        except FileExistsError:
            raise PackageRefused(
                "duplicate_member", N_("appears twice in the zip"), member.name
            ) from None
        except OSError as exc:
            raise PackageRefused(
                "write_failed",
                N_("could not be written: %(error)s"),
                member.name,
                error=str(exc.strerror),
            ) from None
    return digests


def _copy_limited(source: IO[bytes], sink: IO[bytes], member: Member) -> str:
    """Copy one member; the sha256 of what was written."""
    # The central directory may lie about sizes; stop at the declared size, whatever it says.
    digest = hashlib.sha256()
    remaining = member.info.file_size
    while True:
        chunk = source.read(min(CHUNK, remaining + 1))
        if not chunk:
            break
        if len(chunk) > remaining:
            raise PackageRefused(
                "zip_bomb", N_("expands beyond the size the zip declares for it"), member.name
            )
        remaining -= len(chunk)
        digest.update(chunk)
        sink.write(chunk)
    return digest.hexdigest()


def import_package(
    session: Session,
    storage: PackageStorage,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    source_name: str = "",
    package_id: int | None = None,
    limits: ImportLimits | None = None,
    tenant: str | None = None,
) -> ImportResult:
    """Import a zip as a new package, or as the next version of ``package_id`` (or of the package
    with the same manifest identifier). Commits; on any failure nothing is left behind.

    ``tenant`` is the platform issuer a new package belongs to (None: organisation-wide). A
    package matched by its identifier must be of the same tenant, so one platform's upload never
    replaces another platform's course. A new version keeps its package's tenant; with
    ``package_id`` and a tenant, the package must be that tenant's (None may name any package:
    the organisation-wide caller is the operator)."""
    label = source_name or Path(path).name
    inspection = inspect_package(path, label, limits)
    course = inspection.course
    if title:
        course.title = title
    digest = _sha256(path)
    with storage.incoming() as folder, open_zip(path, label) as zf:
        digests = extract(zf, inspection.members, folder)
        storage_path = ""
        published = False
        try:
            package_row, new_package = _package_row(session, course, package_id, tenant)
            version = (package_row.latest_version + 1) if not new_package else 1
            storage_path = storage.version_path(package_row.id, version)
            version_id = _record_version(
                session, package_row.id, version, course, inspection, label, digest, storage_path
            )
            session.execute(
                update(packages)
                .where(packages.c.id == package_row.id)
                .values(latest_version=version, title=course.title, updated_at=utcnow())
            )
            session.flush()
            storage.publish(folder, storage_path, digests)
            published = True
            session.commit()
        except BaseException as exc:
            session.rollback()
            if published:  # only ever remove what this import put in place
                storage.remove(storage_path)
            if isinstance(exc, IntegrityError | FileExistsError):
                # Another import of the same package took this version number first.
                raise PackageRefused(
                    "concurrent_import",
                    N_(
                        "another import of this package finished first; "
                        "import it again to add the next version"
                    ),
                    label,
                ) from None
            raise
    return ImportResult(
        package_id=package_row.id,
        version_id=version_id,
        version=version,
        course=course,
        file_count=len(inspection.members),
        total_bytes=inspection.total_bytes,
        storage_path=storage_path,
        warnings=inspection.warnings,
        new_package=new_package,
    )


def _package_row(
    session: Session, course: Course, package_id: int | None, tenant: str | None
) -> tuple[Any, bool]:
    if package_id is not None:
        row = session.execute(select(packages).where(packages.c.id == package_id)).first()
        if row is None or (tenant is not None and row.tenant != tenant):
            raise PackageRefused(
                "unknown_package",
                N_("there is no package %(package)s to add a version to"),
                package=str(package_id),
            )
        return row, False
    if course.identifier:
        same_tenant = packages.c.tenant.is_(None) if tenant is None else packages.c.tenant == tenant
        row = session.execute(
            select(packages)
            .where(
                packages.c.identifier == course.identifier,
                packages.c.kind == course.kind,
                same_tenant,
            )
            .order_by(packages.c.id.desc())
        ).first()
        if row is not None:
            return row, False
    new_id = session.execute(
        insert(packages)
        .values(
            identifier=course.identifier or "",
            title=course.title,
            kind=course.kind,
            tenant=tenant,
            latest_version=0,
        )
        .returning(packages.c.id)
    ).scalar_one()
    row = session.execute(select(packages).where(packages.c.id == new_id)).one()
    return row, True


def _record_version(
    session: Session,
    package_id: int,
    version: int,
    course: Course,
    inspection: Inspection,
    label: str,
    digest: str,
    storage_path: str,
) -> int:
    version_id = session.execute(
        insert(versions)
        .values(
            package_id=package_id,
            version=version,
            title=course.title,
            kind=course.kind,
            edition=course.edition,
            descriptor=course.descriptor,
            default_organization=course.default_organization,
            structure=course.to_dict(),
            warnings=inspection.warnings,
            file_count=len(inspection.members),
            total_bytes=inspection.total_bytes,
            source_name=label[:512],
            sha256=digest,
            storage_path=storage_path,
        )
        .returning(versions.c.id)
    ).scalar_one()
    rows = [
        _sco_row(version_id, org.identifier, position, item)
        for org in course.organizations
        for position, item in enumerate(org.launchables())
    ]
    if rows:
        session.execute(insert(scos), rows)
    return int(version_id)


def _sco_row(version_id: int, organization: str, position: int, item: Item) -> dict[str, object]:
    return {
        "version_id": version_id,
        "organization": organization,
        "identifier": item.identifier,
        "title": item.title[:512],
        "position": position,
        "scorm_type": item.scorm_type,
        "launch_url": item.launch_url,
        "mastery_score": item.mastery_score,
        "scaled_passing_score": item.scaled_passing_score,
        "data_from_lms": item.data_from_lms,
        "max_time_allowed": item.max_time_allowed[:64],
        "time_limit_action": item.time_limit_action[:64],
        "completion_threshold": item.completion_threshold,
    }


def count_packages(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(packages)).scalar_one())


__all__ = ["ImportLimits", "ImportResult", "Inspection", "import_package", "inspect_package"]
