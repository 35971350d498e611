"""A package step of a path opens in the player for the course's learners: the launch names the
path, not the package, so the player asks the paths whether the package is one of their steps.
A learner of another course (where no path has that step) is refused (403)."""

from __future__ import annotations

from tests.passports.conftest import OTHER_COURSE, OUTSIDER, sign_in
from tests.scorm.builders import single_sco_12

from .test_paths import add_step, trainer_with_path


def test_course_learner_plays_a_path_package_others_do_not(app, runner, tmp_path):
    result = runner.invoke(args=["scorm", "import", str(single_sco_12(tmp_path / "p.zip"))])
    assert result.exit_code == 0, result.output
    trainer, path_id = trainer_with_path(app)
    r = add_step(
        trainer, path_id, "package", title_en="Online part", ref="1", required="1", hours="1"
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    learner = app.test_client()
    sign_in(app, learner, "learner")
    assert learner.get("/content/play/1").status_code == 200
    outsider = app.test_client()
    sign_in(app, outsider, OUTSIDER, OTHER_COURSE)
    assert outsider.get("/content/play/1").status_code == 403
