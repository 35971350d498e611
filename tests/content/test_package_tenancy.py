"""Which platform sees which package: the CLI's --platform, admin uploads, re-imports, the
admin list, previews and plays, cmi5 waivers and Deep Linking.

Platform A is the seeded demo platform, platform B a second one registered as
``learnpass platform add`` does (tests/security/conftest.py); people are signed in with the
session a real ``record_launch`` produces.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from learning_packages import tables as t
from learning_packages.errors import PackageRefused
from learning_packages.package import import_package
from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from tests.scorm.builders import SAMPLES, single_sco_12, single_sco_2004
from tests.security.conftest import (
    OTHER_ISSUER,
    csrf_token,
    launch_as,
    other_platform,
    sign_in,
)

CMI5_SAMPLE = SAMPLES / "catapult-single_au_basic_framed.zip"


def demo_issuer(app: Any) -> str:
    with app.app_context():
        return demo.issuer()


def cli_import(runner: Any, path: Path, *extra: str) -> int:
    result = runner.invoke(args=["scorm", "import", str(path), *extra])
    assert result.exit_code == 0, result.output
    return int(result.output.split("package ", 1)[1].split(" ", 1)[0])


def tenants(app: Any) -> dict[int, tuple[str | None, int, str]]:
    """Each package's tenant, latest version and title."""
    with app.app_context():
        rows = db.session.execute(
            select(
                t.packages.c.id,
                t.packages.c.tenant,
                t.packages.c.latest_version,
                t.packages.c.title,
            )
        )
        return {row.id: (row.tenant, row.latest_version, row.title) for row in rows}


def three_packages(app: Any, runner: Any, tmp_path: Path) -> dict[str, int]:
    """One package of each platform and one organisation-wide, with titles that say which."""
    other_platform(app)
    ids = {
        "a": cli_import(
            runner,
            single_sco_2004(tmp_path / "a.zip", identifier="pkg.a"),
            "--platform",
            demo_issuer(app),
            "--title",
            "Alpha only",
        ),
        "b": cli_import(
            runner,
            single_sco_2004(tmp_path / "b.zip", identifier="pkg.b"),
            "--platform",
            OTHER_ISSUER,
            "--title",
            "Beta only",
        ),
        "org": cli_import(
            runner,
            single_sco_2004(tmp_path / "o.zip", identifier="pkg.org"),
            "--title",
            "Everyone course",
        ),
    }
    assert tenants(app) == {
        ids["a"]: (demo_issuer(app), 1, "Alpha only"),
        ids["b"]: (OTHER_ISSUER, 1, "Beta only"),
        ids["org"]: (None, 1, "Everyone course"),
    }
    return ids


def upload(client: Any, path: Path, title: str = "") -> Any:
    token = csrf_token(client, "/content/admin")
    with open(path, "rb") as stream:
        return client.post(
            "/content/admin",
            data={"csrf_token": token, "title": title, "package": (stream, path.name)},
            content_type="multipart/form-data",
        )


# ---------------------------------------------------------------- the CLI


def test_cli_platform_flag_binds_the_package_and_the_list_says_so(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    other_platform(app)
    result = runner.invoke(
        args=["scorm", "import", str(single_sco_12(tmp_path / "p.zip")), "--platform", OTHER_ISSUER]
    )
    assert result.exit_code == 0, result.output
    assert f"platform: {OTHER_ISSUER}" in result.output
    plain = runner.invoke(
        args=["scorm", "import", str(single_sco_2004(tmp_path / "q.zip", identifier="q"))]
    )
    assert "platform: all platforms (organisation-wide)" in plain.output
    assert {tenant for tenant, _, _ in tenants(app).values()} == {OTHER_ISSUER, None}
    listing = runner.invoke(args=["scorm", "list"]).output
    assert f"\t{OTHER_ISSUER}\tTest course 1.2" in listing
    assert "\tall platforms (organisation-wide)\t" in listing
    # What the demo platform sees: the organisation-wide package only.
    seen = runner.invoke(args=["scorm", "list", "--platform", demo_issuer(app)]).output
    assert "Test course 1.2" not in seen and "organisation-wide" in seen


QUICK_LIST = """
import sys
from lti_tool.command import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    print("exit", stop.code)
print("app built" if "flask" in sys.modules else "no app")
"""


def quick_list(app: Any, *args: str) -> subprocess.CompletedProcess[str]:
    """``learnpass scorm list ...`` as its own process, on the test's database."""
    settings = app.config["LEARNPASS"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNPASS_")}
    env.update(
        LEARNPASS_DATABASE_URL=settings.database_url,
        LEARNPASS_DATA_DIR=settings.data_dir,
        LEARNPASS_SECRET_KEY="quick-list-test",
        LEARNPASS_CONTENT_URL="http://content.invalid",
    )
    return subprocess.run(
        [sys.executable, "-c", QUICK_LIST, "scorm", "list", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_scorm_list_answers_without_building_the_app_and_says_what_the_app_says(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    other_platform(app)
    cli_import(runner, single_sco_12(tmp_path / "p.zip"), "--platform", OTHER_ISSUER)
    cli_import(runner, single_sco_2004(tmp_path / "q.zip", identifier="q"))
    for args in ([], ["--platform", OTHER_ISSUER], ["--platform", demo_issuer(app)]):
        quick = quick_list(app, *args)
        assert quick.returncode == 0, quick.stderr
        *listing, ended, built = quick.stdout.splitlines(keepends=True)
        assert (ended, built) == ("exit 0\n", "no app\n")  # no Flask imported, so no app built
        assert "".join(listing) == runner.invoke(args=["scorm", "list", *args]).output
    assert "Test course 1.2" in quick_list(app).stdout
    typo = quick_list(app, "--platform", "https://typo.example")
    assert "exit 1" in typo.stdout
    assert "no platform with issuer https://typo.example is registered" in typo.stderr


def test_cli_refuses_an_unknown_platform_and_imports_nothing(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    result = runner.invoke(
        args=[
            "scorm",
            "import",
            str(single_sco_12(tmp_path / "p.zip")),
            "--platform",
            "https://not-registered.example",
        ]
    )
    assert result.exit_code == 1
    assert "no platform with issuer https://not-registered.example is registered" in result.output
    assert tenants(app) == {}
    listing = runner.invoke(args=["scorm", "list", "--platform", "https://typo.example"])
    assert listing.exit_code == 1


def test_a_new_version_keeps_its_package_tenant(app: Any, runner: Any, tmp_path: Path) -> None:
    other_platform(app)
    first = cli_import(runner, single_sco_12(tmp_path / "v1.zip"), "--platform", OTHER_ISSUER)
    # The same manifest identifier for the same platform: its next version.
    again = runner.invoke(
        args=[
            "scorm",
            "import",
            str(single_sco_12(tmp_path / "v2.zip")),
            "--platform",
            OTHER_ISSUER,
        ]
    )
    assert f"new version of package {first} (version 2)" in again.output
    # By id, without the flag (the operator's organisation-wide CLI): still platform B's.
    by_id = runner.invoke(
        args=[
            "scorm",
            "import",
            str(single_sco_12(tmp_path / "v3.zip")),
            "--package-id",
            str(first),
        ]
    )
    assert f"new version of package {first} (version 3)" in by_id.output
    assert f"platform: {OTHER_ISSUER}" in by_id.output
    # The same identifier imported organisation-wide is another package: B's course is untouched.
    org_wide = cli_import(runner, single_sco_12(tmp_path / "o.zip"), "--title", "For everyone")
    assert org_wide != first
    # Naming B's package with another platform is refused, nothing is added.
    refused = runner.invoke(
        args=[
            "scorm",
            "import",
            str(single_sco_12(tmp_path / "v4.zip")),
            "--package-id",
            str(first),
            "--platform",
            demo_issuer(app),
        ]
    )
    assert refused.exit_code == 1
    assert f"package {first} belongs to {OTHER_ISSUER}" in refused.output
    assert tenants(app) == {
        first: (OTHER_ISSUER, 3, "Test course 1.2"),
        org_wide: (None, 1, "For everyone"),
    }


def test_the_library_refuses_a_version_of_another_tenants_package(app: Any, tmp_path: Path) -> None:
    from lti_tool.content import services

    with app.app_context():
        session = db.session()
        storage = services.storage()
        mine = import_package(session, storage, single_sco_12(tmp_path / "a.zip"), tenant="iss:a")
        with pytest.raises(PackageRefused) as refused:
            import_package(
                session,
                storage,
                single_sco_12(tmp_path / "b.zip"),
                package_id=mine.package_id,
                tenant="iss:b",
            )
        assert refused.value.code == "unknown_package"
        theirs = import_package(session, storage, single_sco_12(tmp_path / "c.zip"), tenant="iss:b")
        assert theirs.new_package and theirs.package_id != mine.package_id
    assert tenants(app)[mine.package_id] == ("iss:a", 1, "Test course 1.2")
    assert tenants(app)[theirs.package_id] == ("iss:b", 1, "Test course 1.2")


# ---------------------------------------------------------------- the admin page


def test_admin_lists_own_and_organisation_wide_packages_only(
    app: Any, runner: Any, client: Any, tmp_path: Path
) -> None:
    three_packages(app, runner, tmp_path)
    sign_in(client, launch_as(app, platform="other", role="admin", sub="b-admin"))
    page = client.get("/content/admin").get_data(as_text=True)
    assert "Beta only" in page and "Everyone course" in page
    assert "Alpha only" not in page
    sign_in(client, launch_as(app, platform="demo", role="admin", sub="a-admin"))
    page = client.get("/content/admin").get_data(as_text=True)
    assert "Alpha only" in page and "Everyone course" in page
    assert "Beta only" not in page


def test_admin_upload_never_becomes_a_version_of_another_platforms_package(
    app: Any, runner: Any, client: Any, tmp_path: Path
) -> None:
    ids = three_packages(app, runner, tmp_path)
    sign_in(client, launch_as(app, platform="other", role="admin", sub="b-admin"))
    # Platform A's manifest identifier, and the organisation-wide one, uploaded on platform B.
    for identifier, title in (("pkg.a", "Beta copy of A"), ("pkg.org", "Beta copy of org")):
        response = upload(
            client, single_sco_2004(tmp_path / f"{identifier}.zip", identifier), title
        )
        assert response.status_code == 201, response.get_data(as_text=True)[:300]
        assert "Imported: " + title in response.get_data(as_text=True)
    # Platform B's own identifier: its next version.
    response = upload(client, single_sco_2004(tmp_path / "b2.zip", identifier="pkg.b"), "Beta v2")
    assert "New version 2 of: Beta v2" in response.get_data(as_text=True)
    after = tenants(app)
    assert after[ids["a"]] == (demo_issuer(app), 1, "Alpha only")
    assert after[ids["org"]] == (None, 1, "Everyone course")
    assert after[ids["b"]] == (OTHER_ISSUER, 2, "Beta v2")
    new = {title: tenant for tenant, _, title in after.values()}
    assert new["Beta copy of A"] == OTHER_ISSUER and new["Beta copy of org"] == OTHER_ISSUER


# ---------------------------------------------------------------- preview and play


def test_trainers_preview_only_what_their_platform_sees(
    app: Any, runner: Any, client: Any, tmp_path: Path
) -> None:
    ids = three_packages(app, runner, tmp_path)
    sign_in(client, launch_as(app, platform="other", role="instructor", sub="b-trainer"))
    assert client.get(f"/content/play/{ids['a']}").status_code == 404
    assert "Beta only" in client.get(f"/content/play/{ids['b']}").get_data(as_text=True)
    token = csrf_token(client, f"/content/play/{ids['b']}")
    refused = client.post(f"/content/play/{ids['a']}/new-attempt", data={"csrf_token": token})
    assert refused.status_code == 404
    assert "Everyone course" in client.get(f"/content/play/{ids['org']}").get_data(as_text=True)
    sign_in(client, launch_as(app, platform="demo", role="instructor", sub="a-trainer"))
    assert client.get(f"/content/play/{ids['a']}").status_code == 200
    assert client.get(f"/content/play/{ids['b']}").status_code == 404
    with app.app_context():
        # The refused previews started no attempt.
        contexts = db.session.scalars(select(t.attempts.c.version_id)).all()
        versions = dict(db.session.execute(select(t.versions.c.id, t.versions.c.package_id)).all())
    assert sorted(versions[v] for v in contexts) == sorted([ids["b"], ids["org"], ids["a"]])


def test_a_learners_link_must_name_a_package_of_their_platform(
    app: Any, runner: Any, client: Any, tmp_path: Path
) -> None:
    ids = three_packages(app, runner, tmp_path)
    # Platform B puts platform A's package id in a link's custom target: it does not exist there.
    sign_in(
        client,
        launch_as(
            app, platform="other", role="learner", sub="b-learner", target=f"scorm:{ids['a']}"
        ),
    )
    assert client.get(f"/content/play/{ids['a']}").status_code == 404
    sign_in(
        client,
        launch_as(
            app, platform="other", role="learner", sub="b-learner", target=f"scorm:{ids['org']}"
        ),
    )
    assert client.get(f"/content/play/{ids['org']}").status_code == 200
    assert client.get(f"/content/play/{ids['b']}").status_code == 403  # not their link's package
    sign_in(
        client,
        launch_as(
            app, platform="demo", role="learner", sub="a-learner", target=f"scorm:{ids['a']}"
        ),
    )
    assert "Alpha only" in client.get(f"/content/play/{ids['a']}").get_data(as_text=True)


@pytest.mark.skipif(
    not CMI5_SAMPLE.is_file(), reason="shared/scorm-samples is not beside the checkout"
)
def test_cmi5_waivers_page_of_another_platforms_package_is_not_found(
    app: Any, runner: Any, client: Any
) -> None:
    other_platform(app)
    package_id = cli_import(runner, CMI5_SAMPLE, "--platform", demo_issuer(app))
    sign_in(client, launch_as(app, platform="other", role="instructor", sub="b-trainer"))
    assert client.get(f"/content/play/{package_id}/waivers").status_code == 404
    sign_in(client, launch_as(app, platform="demo", role="instructor", sub="a-trainer"))
    assert client.get(f"/content/play/{package_id}/waivers").status_code == 200


# ---------------------------------------------------------------- Deep Linking


def test_deep_linking_offers_only_what_the_trainers_platform_sees(
    app: Any, runner: Any, client: Any, tmp_path: Path
) -> None:
    ids = three_packages(app, runner, tmp_path)
    for platform, shown, hidden in (("other", "b", "a"), ("demo", "a", "b")):
        ctx = launch_as(app, platform=platform, role="instructor", sub=f"{platform}-trainer")
        ctx.message_type = "LtiDeepLinkingRequest"
        ctx.deep_linking = {"deep_link_return_url": "https://lms.example/return"}
        sign_in(client, ctx)
        page = client.get("/lti/deep-linking")
        assert page.status_code == 200, page.get_data(as_text=True)[:300]
        text = page.get_data(as_text=True)
        assert f'value="scorm:{ids[shown]}"' in text
        assert f'value="scorm:{ids["org"]}"' in text
        assert f'value="scorm:{ids[hidden]}"' not in text
