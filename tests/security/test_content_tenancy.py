"""SCORM / cmi5 packages of one platform stay with that platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.scorm.builders import single_sco_12

from .conftest import csrf_token, launch_as, sign_in


def test_a_package_uploaded_on_platform_a_is_not_reachable_from_platform_b(
    app: Any, client: Any, tmp_path: Path
) -> None:
    sign_in(client, launch_as(app, platform="demo", role="admin", sub="a-admin"))
    token = csrf_token(client, "/content/admin")
    with open(single_sco_12(tmp_path / "alpha.zip"), "rb") as stream:
        uploaded = client.post(
            "/content/admin",
            data={
                "csrf_token": token,
                "title": "Alpha secret course",
                "package": (stream, "a.zip"),
            },
            content_type="multipart/form-data",
        )
    assert uploaded.status_code == 201, uploaded.get_data(as_text=True)[:300]
    with app.app_context():
        from sqlalchemy import select

        from learning_packages import tables as t
        from lti_tool.extensions import db

        package_id = db.session.scalars(select(t.packages.c.id)).one()

    sign_in(client, launch_as(app, platform="other", role="admin", sub="b-admin"))
    assert "Alpha secret course" not in client.get("/content/admin").get_data(as_text=True)
    sign_in(client, launch_as(app, platform="other", role="instructor", sub="b-trainer"))
    assert client.get(f"/content/play/{package_id}").status_code == 404
