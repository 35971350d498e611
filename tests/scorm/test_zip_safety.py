"""Hostile and odd zips, built here: each is refused with its reason, or imported correctly."""

from __future__ import annotations

import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from learning_packages.errors import PackageRefused
from learning_packages.package import ImportLimits, inspect_package

from .builders import PAGE, manifest_12, single_sco_12, write_zip


def refused(path: Path, limits: ImportLimits | None = None) -> PackageRefused:
    with pytest.raises(PackageRefused) as caught:
        inspect_package(path, limits=limits)
    return caught.value


def test_zip_slip_is_refused(tmp_path: Path) -> None:
    path = single_sco_12(tmp_path / "slip.zip", {"sco/../../evil.sh": "rm -rf /"})
    error = refused(path)
    assert (error.code, error.file) == ("path_escape", "sco/../../evil.sh")
    assert "climbs out of the package folder" in error.reason


def test_absolute_member_is_refused(tmp_path: Path) -> None:
    path = single_sco_12(tmp_path / "abs.zip", {"/etc/cron.d/evil": "x"})
    error = refused(path)
    assert (error.code, error.file) == ("path_escape", "/etc/cron.d/evil")
    assert "absolute path" in error.reason


def test_windows_drive_member_is_refused(tmp_path: Path) -> None:
    path = single_sco_12(tmp_path / "drive.zip", {"C:\\Windows\\evil.dll": "x"})
    error = refused(path)
    assert error.code == "path_escape"


def test_backslash_climb_is_refused(tmp_path: Path) -> None:
    path = single_sco_12(tmp_path / "back.zip", {"sco\\..\\..\\evil.txt": "x"})
    assert refused(path).code == "path_escape"


def test_symlink_is_refused(tmp_path: Path) -> None:
    path = single_sco_12(tmp_path / "link.zip")
    with zipfile.ZipFile(path, "a") as zf:
        info = zipfile.ZipInfo("sco/passwd")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    error = refused(path)
    assert (error.code, error.file) == ("symlink", "sco/passwd")


def test_zip_bomb_ratio_is_refused(tmp_path: Path) -> None:
    path = single_sco_12(tmp_path / "bomb.zip", {"sco/video.mp4": b"\0" * (3 * 1024 * 1024)})
    error = refused(path, ImportLimits(ratio_min_bytes=1024 * 1024))
    assert (error.code, error.file) == ("zip_bomb", "sco/video.mp4")
    assert "looks like a zip bomb" in error.reason


def test_well_compressed_small_files_are_not_taken_for_bombs(tmp_path: Path) -> None:
    path = single_sco_12(tmp_path / "text.zip", {"sco/data.json": "[" + "0," * 200_000 + "0]"})
    assert inspect_package(path).course.title == "Test course 1.2"


def test_too_many_files_is_refused(tmp_path: Path) -> None:
    path = single_sco_12(tmp_path / "many.zip", {f"sco/img{i}.png": b"x" for i in range(20)})
    error = refused(path, ImportLimits(max_files=10))
    assert (error.code, error.file) == ("too_many_files", "many.zip")
    assert "more than 10 files" in error.reason


def test_too_large_total_is_refused(tmp_path: Path) -> None:
    path = single_sco_12(tmp_path / "big.zip", {"sco/big.bin": b"x" * 5000})
    error = refused(path, ImportLimits(max_total_bytes=4000))
    assert error.code == "too_large"
    assert "4,000 bytes" in error.reason


def test_not_a_zip_and_truncated_zip_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.zip"
    text.write_text("# just some markdown\n")
    assert refused(text).code == "not_a_zip"
    whole = single_sco_12(tmp_path / "whole.zip").read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    error = refused(cut)
    assert (error.code, error.file) == ("not_a_zip", "cut.zip")


def test_empty_zip_is_refused(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "empty.zip", {})
    assert refused(path).code == "empty_zip"


def test_missing_launch_file_is_refused(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "nolaunch.zip",
        {
            "imsmanifest.xml": manifest_12(
                '<item identifier="i1" identifierref="r1"><title>One</title></item>',
                '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"'
                ' href="start.html"/>',
            ),
            "index.html": PAGE,
        },
    )
    error = refused(path)
    assert (error.code, error.file) == ("missing_file", "imsmanifest.xml")
    assert "'start.html', which is not in the zip" in error.reason


def test_missing_listed_asset_is_a_warning(tmp_path: Path) -> None:
    path = single_sco_12(tmp_path / "partial.zip")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert "sco/app.js" in names
    rebuilt = write_zip(
        tmp_path / "partial2.zip",
        {name: zipfile.ZipFile(path).read(name) for name in names if name != "sco/app.js"},
    )
    inspection = inspect_package(rebuilt)
    assert any("sco/app.js" in w for w in inspection.warnings)


def _patch_name(path: Path, placeholder: bytes, raw: bytes) -> None:
    data = path.read_bytes()
    assert data.count(placeholder) == 2  # local header + central directory
    path.write_bytes(data.replace(placeholder, raw))


def _manifest_for(href: str) -> str:
    return manifest_12(
        '<item identifier="i1" identifierref="r1"><title>Café</title></item>',
        f'<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="{href}"/>',
    )


def test_cp437_name_without_utf8_flag(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "cp437.zip",
        {"imsmanifest.xml": _manifest_for("caf%C3%A9.html"), "cafX.html": PAGE},
    )
    _patch_name(path, b"cafX.html", "café.html".encode("cp437"))
    course = inspect_package(path).course
    assert course.launchables()[0].launch_path == "café.html"


def test_utf8_name_without_utf8_flag(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "u8.zip", {"imsmanifest.xml": _manifest_for("café.html"), "cafXY.html": PAGE}
    )
    _patch_name(path, b"cafXY.html", "café.html".encode())
    inspection = inspect_package(path)
    assert "café.html" in {m.name for m in inspection.members}


def test_unicode_path_extra_field(tmp_path: Path) -> None:
    raw = "日本.html".encode("shift_jis")
    real = "日本.html".encode()
    path = tmp_path / "extra.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("imsmanifest.xml", _manifest_for("日本.html"))
        info = zipfile.ZipInfo("X" * len(raw))
        info.extra = struct.pack("<HHBI", 0x7075, 5 + len(real), 1, zlib.crc32(raw)) + real
        zf.writestr(info, PAGE)
    _patch_name(path, b"X" * len(raw), raw)
    assert inspect_package(path).course.launchables()[0].launch_path == "日本.html"


def test_decomposed_macos_names_match_composed_hrefs(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "nfd.zip",
        {"imsmanifest.xml": _manifest_for("café.html"), "cafe\u0301.html": PAGE},
    )
    assert inspect_package(path).course.launchables()[0].launch_path == "café.html"


def test_duplicate_members_are_refused(tmp_path: Path) -> None:
    path = single_sco_12(tmp_path / "dup.zip")
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "a") as zf:
        zf.writestr("sco/index.html", b"<p>second copy</p>")
    error = refused(path)
    assert (error.code, error.file) == ("duplicate_member", "sco/index.html")


def test_file_and_folder_with_one_name_is_refused(tmp_path: Path) -> None:
    path = single_sco_12(tmp_path / "clash.zip", {"sco/media": "a file", "sco/media/clip.mp4": "x"})
    error = refused(path)
    assert (error.code, error.file) == ("name_conflict", "sco/media")


def test_many_small_bombs_are_refused_as_a_whole(tmp_path: Path) -> None:
    """Each member stays under the per-member threshold; together they are a bomb."""
    members = {f"sco/part{i}.bin": b"\0" * (900 * 1024) for i in range(20)}
    path = single_sco_12(tmp_path / "bombs.zip", members)
    error = refused(path, ImportLimits(ratio_min_bytes=1024 * 1024))
    assert (error.code, error.file) == ("zip_bomb", "bombs.zip")
    assert "as a whole" in error.reason
