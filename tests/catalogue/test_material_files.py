"""The knowledge base's files and packages: a provider uploads a file (checked by its content with
the passport's rules), visitors download public files from the content origin only, as downloads
that cannot run; members' files need a launch; bad uploads answer 400 with the reason and write
nothing; replacing a file leaves no old one behind; a package item names a package the provider
may use (its platform's, or the organisation's)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from learning_packages import tables as t
from lti_tool.catalogue import providers
from lti_tool.catalogue.material import CatalogueMaterial
from lti_tool.catalogue.material_files import (
    MAX_FILE_BYTES,
    CatalogueMaterialFile,
    UploadRefused,
    check_material_file,
)
from lti_tool.extensions import db
from lti_tool.models import User
from tests.security.conftest import OTHER_ISSUER, csrf_token, launch_as, sign_in

from .helpers import provider

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
FORM = {
    "title_nl": "Lasprocedure",
    "kind": "file",
    "language": "nl",
    "licence": "cc-by",
    "visibility": "public",
}


def _zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in names.items():
            archive.writestr(name, body)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


@pytest.fixture
def setup(app: Any) -> dict[str, Any]:
    editor = launch_as(app, platform="demo", role="instructor", sub="editor-1")
    rival = launch_as(app, platform="demo", role="instructor", sub="rival-1")
    with app.app_context():
        session = db.session()
        mine = provider(session)
        other = provider(session, "other", "Other Provider")
        mine.platform_id = session.get(User, editor.user_id).platform_id
        providers.add_member(session, mine, session.get(User, editor.user_id))
        providers.add_member(session, other, session.get(User, rival.user_id))
        session.commit()
        return {
            "editor": editor,
            "rival": rival,
            "provider": mine.id,
            "other": other.id,
            "content": app.config["LEARNPASS"].content_url,
        }


def _create(
    client: Any, provider_id: int, body: bytes | None, name: str = "x.pdf", **changes: str
) -> Any:
    new = f"/catalogue/provider/{provider_id}/material/new"
    data: dict[str, Any] = {**FORM, **changes, "csrf_token": csrf_token(client, new)}
    if body is not None:
        data["file"] = (io.BytesIO(body), name)
    return client.post(new, data=data, content_type="multipart/form-data")


def _edit(client: Any, page: str, body: bytes | None, name: str = "y.pdf", **changes: str) -> Any:
    data: dict[str, Any] = {**FORM, **changes, "csrf_token": csrf_token(client, page)}
    if body is not None:
        data["file"] = (io.BytesIO(body), name)
    return client.post(page, data=data, content_type="multipart/form-data")


def _item_id(response: Any) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _counts(app: Any) -> tuple[int, int]:
    with app.app_context():
        items = db.session.scalar(select(func.count(CatalogueMaterial.id)))
        files = db.session.scalar(select(func.count(CatalogueMaterialFile.id)))
        return int(items or 0), int(files or 0)


def test_public_file_is_downloaded_from_the_content_origin_only(
    app: Any, client: Any, setup: dict[str, Any]
) -> None:
    sign_in(client, setup["editor"])
    item_id = _item_id(_create(client, setup["provider"], PDF, "../../etc/Las procedure.pdf"))
    visitor = app.test_client()
    page = visitor.get(f"/catalogue/material/{item_id}").get_data(as_text=True)
    assert f'href="/catalogue/material/{item_id}/file"' in page and "Las procedure.pdf" in page

    to_file = visitor.get(f"/catalogue/material/{item_id}/file")
    assert to_file.status_code == 303
    location = to_file.headers["Location"]
    assert location.startswith(setup["content"] + "/files/material/")
    download = visitor.get(location)
    assert download.status_code == 200
    assert download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="Las procedure.pdf"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in download.headers
    # The same path on the tool's origin does not answer.
    assert visitor.get(location.replace(setup["content"], "")).status_code == 404
    # Another file number, or another item's: not served.
    with app.app_context():
        file_id = db.session.get(CatalogueMaterial, item_id).file_id  # type: ignore[union-attr]
    assert visitor.get(location.replace(f"/{file_id}", f"/{file_id + 1}")).status_code == 404


def test_members_file_needs_a_launch_and_a_single_use_ticket(
    app: Any, client: Any, setup: dict[str, Any]
) -> None:
    sign_in(client, setup["editor"])
    item_id = _item_id(_create(client, setup["provider"], DOCX, "plan.docx", visibility="network"))
    visitor = app.test_client()
    assert visitor.get(f"/catalogue/material/{item_id}/file").status_code == 404

    member = app.test_client()
    sign_in(member, launch_as(app, platform="other", role="learner", sub="member-1"))
    to_file = member.get(f"/catalogue/material/{item_id}/file")
    assert to_file.status_code == 303
    ticket_url = to_file.headers["Location"]
    assert ticket_url.startswith(setup["content"] + "/files/material-ticket/")
    download = member.get(ticket_url)
    assert download.status_code == 200 and download.data == DOCX
    assert download.mimetype.endswith("wordprocessingml.document")
    assert download.headers["Content-Disposition"] == 'attachment; filename="plan.docx"'
    again = visitor.get(ticket_url)
    assert again.status_code == 403 and "only once" in again.get_data(as_text=True)


HTML = b"<!doctype html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("body", "name", "reason"),
    [
        (None, "", "Choose the file to upload."),
        (b"", "empty.pdf", "The file is empty."),
        (HTML, "page.pdf", "Send a PDF, a Word"),
        (SVG, "drawing.svg", "Send a PDF, a Word"),
        (b"MZ\x90\x00" + b"\x00" * 60, "setup.pdf", "Send a PDF, a Word"),
        (b"%PDF-1.4\nno end", "cut.pdf", "The PDF file is incomplete."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "bad.png", "damaged or not an image"),
        (_zip({"a.txt": b"hi"}), "notes.docx", "Send a PDF, a Word"),
        (
            _zip(
                {"[Content_Types].xml": b"", "word/document.xml": b"", "word/vbaProject.bin": b""}
            ),
            "macro.docx",
            "Office files with macros are not taken.",
        ),
        (b"PK\x03\x04broken", "broken.xlsx", "The office file is damaged."),
    ],
)
def test_refused_uploads_write_nothing(
    app: Any, client: Any, setup: dict[str, Any], body: bytes | None, name: str, reason: str
) -> None:
    sign_in(client, setup["editor"])
    refused = _create(client, setup["provider"], body, name)
    assert refused.status_code == 400
    assert reason in refused.get_data(as_text=True)
    assert _counts(app) == (0, 0)


def test_a_file_over_the_limit_is_refused(app: Any, client: Any, setup: dict[str, Any]) -> None:
    sign_in(client, setup["editor"])
    body = b"%PDF-1.4\n" + b"0" * MAX_FILE_BYTES + b"%%EOF\n"
    refused = _create(client, setup["provider"], body, "big.pdf")
    assert refused.status_code == 400
    assert "The file is larger than 10 MB." in refused.get_data(as_text=True)
    assert _counts(app) == (0, 0)


def test_a_body_far_over_the_limit_is_refused_unread(
    app: Any, client: Any, setup: dict[str, Any]
) -> None:
    sign_in(client, setup["editor"])
    body = b"%PDF-1.4\n" + b"0" * (MAX_FILE_BYTES + 512 * 1024) + b"%%EOF\n"
    refused = _create(client, setup["provider"], body, "huge.pdf")
    assert refused.status_code == 413
    assert "too large" in refused.get_data(as_text=True)
    assert _counts(app) == (0, 0)


def test_names_become_plain_header_values(app: Any, client: Any, setup: dict[str, Any]) -> None:
    sign_in(client, setup["editor"])
    item_id = _item_id(_create(client, setup["provider"], PDF, "Lasprocédure Łódź.pdf"))
    location = client.get(f"/catalogue/material/{item_id}/file").headers["Location"]
    download = client.get(location)
    assert download.headers["Content-Disposition"] == 'attachment; filename="Lasprocedure _odz.pdf"'


def test_other_fields_wrong_keep_the_good_file_out(
    app: Any, client: Any, setup: dict[str, Any]
) -> None:
    sign_in(client, setup["editor"])
    refused = _create(client, setup["provider"], PDF, licence="gpl")
    assert refused.status_code == 400
    assert _counts(app) == (0, 0)


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (PDF, "application/pdf"),
        (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (
            _zip({"[Content_Types].xml": b"", "xl/workbook.xml": b""}),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b""}),
            "application/vnd.oasis.opendocument.text",
        ),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 16, "video/mp4"),
        (b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 16, "audio/mp4"),
        (b"ID3\x03\x00" + b"\x00" * 16, "audio/mpeg"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 16, "video/webm"),
        (b"OggS" + b"\x00" * 16, "audio/ogg"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\x00" * 8, "audio/wav"),
    ],
)
def test_kinds_are_recognised_by_content(body: bytes, media_type: str) -> None:
    assert check_material_file(body) == media_type


def test_names_do_not_make_a_type(app: Any) -> None:
    with app.app_context(), pytest.raises(UploadRefused):
        check_material_file(b"just text, named report.pdf")


def test_replacing_and_withdrawing(app: Any, client: Any, setup: dict[str, Any]) -> None:
    sign_in(client, setup["editor"])
    item_id = _item_id(_create(client, setup["provider"], PDF, "first.pdf"))
    url = f"/catalogue/provider/{setup['provider']}/material/{item_id}"
    assert "first.pdf" in client.get(url).get_data(as_text=True)
    # Saved again without a file: the file stays.
    assert _edit(client, url, None, title_nl="Nieuwe titel").status_code == 303
    assert _counts(app) == (1, 1)
    # A new file replaces the old one, which is gone.
    second = PDF.replace(b"1 0 obj", b"2 0 obj")
    assert _edit(client, url, second, "second.pdf").status_code == 303
    assert _counts(app) == (1, 1)
    with app.app_context():
        item = db.session.get(CatalogueMaterial, item_id)
        assert item is not None and item.file is not None
        assert item.file.filename == "second.pdf" and item.file.content == second
    # A refused replacement keeps the current file.
    assert _edit(client, url, HTML, "page.html").status_code == 400
    assert _counts(app) == (1, 1)

    public = app.test_client().get(f"/catalogue/material/{item_id}/file").headers["Location"]
    assert (
        client.post(url + "/withdraw", data={"csrf_token": csrf_token(client, url)}).status_code
        == 303
    )
    # Withdrawn: visitors lose the file, the provider's people keep it (the history stays).
    assert app.test_client().get(f"/catalogue/material/{item_id}/file").status_code == 404
    assert app.test_client().get(public).status_code == 404
    own = client.get(url + "/file")
    assert own.status_code == 303 and client.get(own.headers["Location"]).data == second
    assert _counts(app) == (1, 1)
    # Made a link: the file is deleted with it.
    assert _edit(client, url, None, kind="link", url="https://example.org/x").status_code == 303
    assert _counts(app) == (1, 0)


def test_other_provider_cannot_touch_a_file(app: Any, client: Any, setup: dict[str, Any]) -> None:
    sign_in(client, setup["editor"])
    item_id = _item_id(_create(client, setup["provider"], PDF, visibility="network"))
    rival = app.test_client()
    sign_in(rival, setup["rival"])
    under_own = f"/catalogue/provider/{setup['other']}/material/{item_id}"
    token = csrf_token(rival, f"/catalogue/provider/{setup['other']}/material/new")
    assert rival.get(under_own + "/file").status_code == 403
    sent = rival.post(
        under_own,
        data={**FORM, "csrf_token": token, "file": (io.BytesIO(DOCX), "mine.docx")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 403
    under_owner = f"/catalogue/provider/{setup['provider']}/material/{item_id}"
    assert rival.get(under_owner + "/file").status_code == 404
    assert _counts(app) == (1, 1)
    with app.app_context():
        item = db.session.get(CatalogueMaterial, item_id)
        assert item is not None and item.file is not None and item.file.content == PDF


def _package(app: Any, title: str, tenant: str | None) -> int:
    with app.app_context():
        result = db.session.execute(
            insert(t.packages).values(
                identifier=title.lower(), title=title, kind="scorm2004", tenant=tenant
            )
        )
        db.session.commit()
        return int(result.inserted_primary_key[0])


def test_package_items_name_a_package_the_provider_may_use(
    app: Any, client: Any, setup: dict[str, Any]
) -> None:
    own = _package(app, "Heftruck veilig", setup["editor"].issuer)
    everyone = _package(app, "Brandveiligheid", None)
    foreign = _package(app, "Pakket van een ander platform", OTHER_ISSUER)
    sign_in(client, setup["editor"])
    new = f"/catalogue/provider/{setup['provider']}/material/new"
    form = client.get(new).get_data(as_text=True)
    assert "Heftruck veilig (SCORM 2004)" in form and "Brandveiligheid" in form
    assert "Pakket van een ander platform" not in form

    for refused in (str(foreign), "999999", "", "abc"):
        answer = _create(client, setup["provider"], None, kind="scorm", package=refused)
        assert answer.status_code == 400
        assert "packages from the list." in answer.get_data(as_text=True)
    assert _counts(app) == (0, 0)

    item_id = _item_id(_create(client, setup["provider"], None, kind="scorm", package=str(own)))
    _item_id(_create(client, setup["provider"], None, kind="scorm", package=str(everyone)))
    page = app.test_client().get(f"/catalogue/material/{item_id}").get_data(as_text=True)
    assert "A SCORM 2004 package of the tool: Heftruck veilig." in page
    assert "material-preview" not in page
    # A trainer of the package's platform may open it in the player.
    trainer_page = client.get(f"/catalogue/material/{item_id}").get_data(as_text=True)
    assert f'href="/content/play/{own}"' in trainer_page
    # The provider of another platform may not use this platform's package.
    with app.app_context():
        other = db.session.get(providers.CatalogueProvider, setup["other"])
        assert other is not None and other.platform_id is None
    rival = app.test_client()
    sign_in(rival, setup["rival"])
    answer = _create(rival, setup["other"], None, kind="scorm", package=str(own))
    assert answer.status_code == 400
    assert _counts(app) == (2, 0)


def test_migration_keeps_items_and_widens_the_kinds(app: Any) -> None:
    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from lti_tool.cli import alembic_config

    insert_item = (
        "INSERT INTO catalogue_material (provider_id, kind, url, titles, descriptions,"
        " search_text, language, licence, visibility, status, created_at, updated_at)"
        " VALUES (1, :kind, '', '{}', '{}', '', 'nl', 'cc0', 'public', 'active',"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    with app.app_context():
        db.drop_all()
        db.session.remove()
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        command.upgrade(alembic_config(), "c7d2e9a4b1f6")  # the revision before files
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            conn.execute(
                text(
                    "INSERT INTO catalogue_provider (id, code, name, website, contact_email,"
                    " created_at, feed_url, feed_every_hours, feed_etag, feed_last_modified)"
                    " VALUES (1, 'ocg', 'OCG', '', '', CURRENT_TIMESTAMP, '', 24, '', '')"
                )
            )
            conn.execute(text(insert_item), {"kind": "link"})
        command.upgrade(alembic_config(), "head")
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            assert conn.execute(text("SELECT kind, file_id FROM catalogue_material")).all() == [
                ("link", None)
            ]
            conn.execute(text(insert_item), {"kind": "scorm"})
        with pytest.raises(IntegrityError), db.engine.begin() as conn:  # type: ignore[union-attr]
            conn.execute(text(insert_item), {"kind": "html"})
        # Down again: the new kinds go, the links stay.
        command.downgrade(alembic_config(), "c7d2e9a4b1f6")
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            kinds = conn.execute(text("SELECT kind FROM catalogue_material")).scalars().all()
            assert kinds == ["link"]
        command.upgrade(alembic_config(), "head")


def test_in_the_course_a_file_is_downloaded_and_a_package_started(
    app: Any, client: Any, setup: dict[str, Any]
) -> None:
    """The in-course page (a placed link or a path step) offers what the kind needs: the file's
    download through the members' ticket, the package in the player when the learner's platform
    may play it; a one-platform item's file reaches that platform's people only."""
    own = _package(app, "Heftruck veilig", setup["editor"].issuer)
    sign_in(client, setup["editor"])
    file_id = _item_id(_create(client, setup["provider"], PDF, "plan.pdf", visibility="network"))
    package_id = _item_id(_create(client, setup["provider"], None, kind="scorm", package=str(own)))
    with app.app_context():
        platform_id = db.session.get(User, setup["editor"].user_id).platform_id
    only_ours = _item_id(
        _create(
            client,
            setup["provider"],
            PDF,
            "ours.pdf",
            visibility="platform",
            platform_id=str(platform_id),
        )
    )

    learner = app.test_client()
    sign_in(learner, launch_as(app, platform="demo", role="learner", sub="learner-9"))
    page = learner.get(f"/catalogue/material/{file_id}/course").get_data(as_text=True)
    assert f'href="/catalogue/material/{file_id}/file"' in page and "plan.pdf" in page
    to_file = learner.get(f"/catalogue/material/{file_id}/file")
    assert to_file.status_code == 303
    assert learner.get(to_file.headers["Location"]).data == PDF
    page = learner.get(f"/catalogue/material/{package_id}/course").get_data(as_text=True)
    assert f'href="/content/play/{own}"' in page and "Heftruck veilig" in page
    ours = learner.get(f"/catalogue/material/{only_ours}/file")
    assert ours.status_code == 303 and learner.get(ours.headers["Location"]).data == PDF

    stranger = app.test_client()
    sign_in(stranger, launch_as(app, platform="other", role="learner", sub="stranger-1"))
    assert stranger.get(f"/catalogue/material/{only_ours}/file").status_code == 404
    # Another platform's learner sees the package item but may not play its platform's package.
    page = stranger.get(f"/catalogue/material/{package_id}/course").get_data(as_text=True)
    assert "/content/play/" not in page and "cannot be opened from your" in page
