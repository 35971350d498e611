from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.passports.frameworks import (
    MOODLE_HEADERS,
    FrameworkImportError,
    import_moodle_csv,
    moodle_csv,
)
from lti_tool.passports.models import Competence, CompetenceFramework
from lti_tool.passports.uploads import (
    UploadRefused,
    check_certificate,
    make_certificate,
    safe_filename,
)

from .conftest import EXECUTABLE, tiny_pdf, tiny_png

HEADER = ",".join(f'"{h}"' for h in MOODLE_HEADERS) + "\n"
ESCO_CSV = HEADER + (
    '"","ESCO-DEMO","ESCO demo","Skills named by ESCO URI","1","","","","","","","","1",""\n'
    '"","http://data.europa.eu/esco/skill/aaaa-1111","operate forklift","","1",'
    '"","","","","","","","0",""\n'
    '"http://data.europa.eu/esco/skill/aaaa-1111","CHILD-1","check forklift before use",'
    '"see http://data.europa.eu/esco/skill/bbbb-2222","1","","","","","","","","0",""\n'
)


def test_moodle_export_imports_with_areas_and_reimports_without_duplicates(passport_app):
    with passport_app.app_context():
        framework = db.session.scalars(
            select(CompetenceFramework).where(CompetenceFramework.idnumber == "LP-SITE")
        ).one()
        assert framework.shortname == "Safe work on site"
        assert "<p>" not in framework.description
        competences = {c.idnumber: c for c in framework.competences}
        assert len(competences) == 8
        assert competences["LP-SAFETY-HEIGHT"].area == "Safety"
        assert competences["LP-SAFETY-HEIGHT"].parent_id == competences["LP-SAFETY"].id
        assert (
            competences["LP-CARE"].parent_id is None
            and competences["LP-CARE"].area == "First aid and emergencies"
        )
        again = import_moodle_csv(db.session(), moodle_csv(framework))
        assert again.id == framework.id
        assert db.session.scalar(select(func.count()).select_from(Competence)) == 8


def test_esco_uris_are_kept(app):
    with app.app_context():
        framework = import_moodle_csv(db.session(), "\ufeff" + ESCO_CSV)
        by_id = {c.idnumber: c for c in framework.competences}
        assert (
            by_id["http://data.europa.eu/esco/skill/aaaa-1111"].uri
            == "http://data.europa.eu/esco/skill/aaaa-1111"
        )
        assert by_id["CHILD-1"].uri == "http://data.europa.eu/esco/skill/bbbb-2222"
        assert by_id["CHILD-1"].area == "operate forklift"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "name,description\nx,y\n",
        HEADER + '"","C1","No framework row","","1","","","","","","","","0",""\n',
    ],
)
def test_files_that_are_not_a_moodle_framework_are_refused(app, text):
    with app.app_context(), pytest.raises(FrameworkImportError):
        import_moodle_csv(db.session(), text)


def test_pdf_png_and_jpeg_are_recognised_by_their_bytes():
    assert check_certificate(tiny_pdf()) == "application/pdf"
    assert check_certificate(tiny_png()) == "image/png"
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="JPEG")
    assert check_certificate(out.getvalue()) == "image/jpeg"


@pytest.mark.parametrize(
    "data",
    [
        EXECUTABLE,
        b"\x7fELF\x02\x01\x01" + b"\x00" * 100,
        b"<html><script>alert(1)</script></html>",
        b"%PDF-1.7\n" + b"no end marker" * 10,
        b"\x89PNG\r\n\x1a\n" + b"not really a png",
        b"",
    ],
)
def test_forged_or_damaged_files_are_refused(data):
    with pytest.raises(UploadRefused):
        check_certificate(data)


def test_too_large_file_is_refused_without_reading_it_all():
    class Endless(io.RawIOBase):
        read_bytes = 0

        def readable(self):
            return True

        def read(self, n=-1):
            n = 1 << 20 if n is None or n < 0 else n
            Endless.read_bytes += n
            return b"%PDF-" + b"0" * (n - 5)

    with pytest.raises(UploadRefused, match="larger than"):
        make_certificate(Endless(), "huge.pdf", owner_id=1, uploaded_by_id=1, limit=2 * 1024 * 1024)
    assert Endless.read_bytes <= 2 * 1024 * 1024 + 1


def test_stored_name_has_no_path_and_the_real_suffix():
    assert safe_filename("../../etc/passwd.pdf", "application/pdf") == "passwd.pdf"
    assert safe_filename("C:\\tmp\\photo.exe", "image/png") == "photo.png"
    assert safe_filename('a"b;c.pdf', "application/pdf") == "a_b_c.pdf"
