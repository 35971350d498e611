"""A training that asks for a competence: the matrix counts an entry carrying that competence,
not only one of the training's type; the competence is set from the command line (the
organisation's types) or the admin page (a platform's own), and a change is confirmed first."""

from __future__ import annotations

from lxml import html
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.passports.models import Competence, TrainingType

from .conftest import csrf_token, sign_in


def _lena_cells(client) -> dict[str, str]:
    doc = html.fromstring(client.get("/passport/trainer/matrix").get_data(as_text=True))
    heads = [th.text_content().strip() for th in doc.xpath("//table[@class='matrix']//thead//th")]
    for row in doc.xpath('//*[@data-testid="matrix-row"]'):
        if "Lena de Vries" in row.xpath("string(th)"):
            return dict(zip(heads[1:], row.xpath("td/@data-state"), strict=True))
    raise AssertionError("Lena is not in the matrix")


def test_an_entry_carrying_the_competence_counts_for_the_training(passport_app):
    app = passport_app
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    # Lena's e-learning on ladders carries "working at height" but names no training type.
    assert _lena_cells(trainer)["Working at height"] == "missing"

    runner = app.test_cli_runner()
    args = ["passport", "add-training-type", "--code", "HEIGHT", "--name", "Working at height"]
    result = runner.invoke(
        args=[*args, "--months", "36", "--competence", "LP-SAFETY-HEIGHT", "--yes"]
    )
    assert result.exit_code == 0, result.output
    assert "competence_id" in result.output
    assert _lena_cells(trainer)["Working at height"] == "valid"

    result = runner.invoke(args=[*args, "--months", "36", "--competence", "NO-SUCH", "--yes"])
    assert result.exit_code != 0 and "no organisation-wide competence" in result.output
    # '' takes it away again.
    result = runner.invoke(args=[*args, "--months", "36", "--competence", "", "--yes"])
    assert result.exit_code == 0
    assert _lena_cells(trainer)["Working at height"] == "missing"


def test_admin_sets_a_competence_on_a_platform_type_and_confirms_the_change(passport_app):
    app = passport_app
    admin = app.test_client()
    sign_in(app, admin, "admin")
    with app.app_context():
        height = db.session.scalars(
            select(Competence).where(Competence.idnumber == "LP-SAFETY-HEIGHT")
        ).one()
        height_id, height_name = height.id, height.shortname
    token = csrf_token(admin, "/passport/admin/")
    form = {"csrf_token": token, "code": "LADDER", "name": "Ladder work", "validity_months": "24"}
    assert admin.post("/passport/admin/training-types", data=form).status_code == 303
    r = admin.post("/passport/admin/training-types", data={**form, "competence_id": str(height_id)})
    assert r.status_code == 200  # the confirmation page: nothing changed yet
    doc = html.fromstring(r.get_data(as_text=True))
    changes = " ".join(doc.xpath("string(//*[@data-testid='type-changes'])").split())
    assert height_name in changes
    confirm = doc.xpath("//input[@name='confirm']/@value")[0]
    with app.app_context():
        assert (
            db.session.scalars(
                select(TrainingType.competence_id).where(TrainingType.code == "LADDER")
            ).one()
            is None
        )
    r = admin.post(
        "/passport/admin/training-types",
        data={**form, "competence_id": str(height_id), "confirm": confirm},
    )
    assert r.status_code == 303
    with app.app_context():
        assert (
            db.session.scalars(
                select(TrainingType.competence_id).where(TrainingType.code == "LADDER")
            ).one()
            == height_id
        )
    page = admin.get("/passport/admin/").get_data(as_text=True)
    assert f"also proven by the competence {height_name}" in page
    # A competence the platform cannot see is refused with a reason, not a 500.
    r = admin.post("/passport/admin/training-types", data={**form, "competence_id": "987654"})
    assert r.status_code == 400
    assert "Choose one of the competences" in r.get_data(as_text=True)
