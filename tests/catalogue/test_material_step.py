"""A knowledge-base item as a step of a learning path: the trainer picks among the items the
course's platform may see (another platform's item is refused, nothing saved); the learner opens
it from the path and the step is done; the erase takes the openings away."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from lti_tool.blended.path_models import BlendedPath, BlendedStep
from lti_tool.catalogue.material import CatalogueMaterial, withdraw_material
from lti_tool.catalogue.material_opens import CatalogueMaterialOpen
from lti_tool.erasure import run_erasers
from lti_tool.extensions import db
from lti_tool.models import User
from tests.blended.test_paths import add_step, build_path
from tests.passports.conftest import sign_in

from .test_material_placement import make_items


def _count(app: Any, model: Any, *where: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_an_item_is_a_path_step_done_once_opened(app):
    ids = make_items(app)
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    path_id = build_path(app, trainer)
    form = trainer.get(f"/blended/paths/{path_id}/steps/new?kind=material").get_data(as_text=True)
    assert "Welding rules of the demo school" in form and "other school" not in form
    refused = add_step(
        trainer, path_id, "material", title_en="Rules", ref=str(ids["other"]), required="1"
    )
    assert refused.status_code == 400
    assert "Choose an item of the knowledge base that this platform may see." in (
        refused.get_data(as_text=True)
    )
    assert _count(app, BlendedStep) == 0
    saved = add_step(
        trainer,
        path_id,
        "material",
        title_en="Watch the film",
        ref=str(ids["public"]),
        required="1",
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[:600]
    with app.app_context():
        (step,) = db.session.get(BlendedPath, path_id).steps
        assert (step.kind, step.ref) == ("material", str(ids["public"]))

    learner = app.test_client()
    sign_in(app, learner, "learner")
    page = learner.get(f"/blended/my/paths/{path_id}").get_data(as_text=True)
    opens = f'href="/catalogue/material/{ids["public"]}/course" data-testid="open-step"'
    assert opens in page and 'data-state="done"' not in page
    assert learner.get(f"/catalogue/material/{ids['public']}/course").status_code == 200
    page = learner.get(f"/blended/my/paths/{path_id}").get_data(as_text=True)
    assert 'data-state="done"' in page and "Opened" in page

    with app.app_context():  # the provider withdraws it: the builder flags the step
        session = db.session()
        withdraw_material(session, session.get(CatalogueMaterial, ids["public"]))
        session.commit()
    edit = trainer.get(f"/blended/paths/{path_id}").get_data(as_text=True)
    assert "points at an item of the knowledge base that was withdrawn" in edit

    learner_id = sign_in(app, learner, "learner").user_id
    with app.app_context():
        session = db.session()
        counts = run_erasers(session, session.get(User, learner_id))
        session.commit()
    assert counts["catalogue_material_opened"] == 1
    assert _count(app, CatalogueMaterialOpen) == 0
