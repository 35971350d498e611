"""The report's figures, computed in SQL, against figures worked out by hand (SQLite and
PostgreSQL): the gap table with Borich scores, the heat map, distributions, free text, self vs
manager; groups below the minimum left out of each; one version at a time."""

from __future__ import annotations

from typing import Any

import pytest

from lti_tool.extensions import db
from lti_tool.surveys import analysis, analysis_manager
from lti_tool.surveys.analysis import COMPANY, Scope

from .analysis_data import DAY, HOSTILE, SCRIPT, seed_manager_pairs, seed_report_data


@pytest.fixture
def seeded(app: Any) -> Any:
    with app.app_context():
        data = seed_report_data()
        yield data
        db.session.remove()


def _question_ids(version_id: int) -> dict[str, int]:
    from lti_tool.surveys.models import SurveyQuestion

    rows = db.session.query(SurveyQuestion).filter_by(version_id=version_id)
    return {q.key: q.id for q in rows}


def _gaps(scope: Scope) -> dict[str, tuple[Any, ...]]:
    ids = {v: k for k, v in _question_ids(scope.version_id).items()}
    return {
        ids[g.question_id]: (
            g.rank,
            g.responses,
            g.current,
            g.required,
            g.importance,
            g.gap,
            g.borich,
        )
        for g in analysis.gap_table(db.session(), scope)
    }


def test_gap_table_of_the_whole_version_and_of_one_company(seeded: Any) -> None:
    # All nine: c1 current 18/9, required 29/9, importance 29/9, gap 11/9, Borich 11/9 * 29/9;
    # c2 current 14/9, required 30/9, importance 28/9, gap 16/9, Borich 16/9 * 28/9 = 5.53.
    assert _gaps(Scope(seeded.v1, min_group=5)) == {
        "c2": (1, 9, 1.56, 3.33, 3.11, 1.78, 5.53),
        "c1": (2, 9, 2.0, 3.22, 3.22, 1.22, 3.94),
    }
    # Bakker Bouw's six: c1 gap 11/6 x importance 26/6 = 7.94 ranks first; c2 4/6 x 13/6 = 1.44.
    assert _gaps(Scope(seeded.v1, min_group=5, company_id=seeded.bakker)) == {
        "c1": (1, 6, 1.0, 2.83, 4.33, 1.83, 7.94),
        "c2": (2, 6, 2.33, 3.0, 2.17, 0.67, 1.44),
    }


def test_versions_are_never_mixed(seeded: Any) -> None:
    assert _gaps(Scope(seeded.v2, min_group=5)) == {
        "c1": (1, 5, 0.0, 4.0, 5.0, 4.0, 20.0),
        "c2": (2, 5, 0.0, 4.0, 5.0, 4.0, 20.0),
    }
    groups = analysis.groups(db.session(), Scope(seeded.v1, min_group=5))
    assert groups.responses == 9


def test_a_scope_below_the_minimum_shows_nothing_anywhere(seeded: Any) -> None:
    session = db.session()
    jansen = Scope(seeded.v1, min_group=5, company_id=seeded.jansen)  # three responses
    assert analysis.gap_table(session, jansen) == []
    assert analysis.choice_counts(session, jansen) == []
    assert analysis.means(session, jansen) == []
    assert analysis.free_texts(session, jansen) == {}
    assert analysis.groups(session, jansen) == analysis.Groups(shown=[], hidden=1)
    assert analysis.heat_map(session, Scope(seeded.v1, 5, seeded.jansen, COMPANY)).cells == {}
    # A stricter minimum hides Bakker Bouw's six too.
    assert (
        analysis.gap_table(session, Scope(seeded.v1, min_group=7, company_id=seeded.bakker)) == []
    )


def test_heat_map_by_company_and_by_department_leaves_small_groups_out(seeded: Any) -> None:
    session = db.session()
    ids = _question_ids(seeded.v1)
    by_company = analysis.heat_map(session, Scope(seeded.v1, min_group=5, group_by=COMPANY))
    assert [g.key for g in by_company.groups] == [str(seeded.bakker)]  # Jansen's 3 left out
    assert by_company.cells == {
        ids["c1"]: {str(seeded.bakker): 1.83},
        ids["c2"]: {str(seeded.bakker): 0.67},
    }
    departments = analysis.heat_map(
        session, Scope(seeded.v1, 5, company_id=seeded.bakker, group_by="department")
    )
    assert [(g.key, g.responses) for g in departments.groups] == [("workshop", 5)]
    assert departments.cells == {ids["c1"]: {"workshop": 1.4}, ids["c2"]: {"workshop": 0.4}}
    assert (
        analysis.groups(
            session, Scope(seeded.v1, 5, company_id=seeded.bakker, group_by="department")
        ).hidden
        == 1
    )


def test_distributions_means_and_free_text_per_question(seeded: Any) -> None:
    session = db.session()
    ids = _question_ids(seeded.v1)
    bakker = Scope(seeded.v1, min_group=5, company_id=seeded.bakker)
    counts = {(c.question_id, c.option): c.count for c in analysis.choice_counts(session, bakker)}
    assert counts == {
        (ids["shift"], "day"): 4,
        (ids["shift"], "night"): 2,
        (ids["conf"], "2"): 1,
        (ids["conf"], "3"): 1,
        (ids["conf"], "4"): 3,
        (ids["conf"], "5"): 1,
    }
    assert [(m.question_id, m.responses, m.mean) for m in analysis.means(session, bakker)] == [
        (ids["hours"], 6, 35.0)
    ]
    # Sorted by text, not by when they came; raw here, escaped where shown.
    assert analysis.free_texts(session, bakker) == {
        ids["wish"]: sorted([HOSTILE, SCRIPT, "Forklift", "Office secret"])
    }
    # Grouped by department, the office's one text is in no group shown.
    by_department = Scope(seeded.v1, 5, company_id=seeded.bakker, group_by="department")
    assert "Office secret" not in analysis.free_texts(session, by_department)[ids["wish"]]


def test_self_vs_manager_from_five_pairs_only(app: Any, seeded: Any) -> None:
    seed_manager_pairs(seeded)
    session = db.session()
    scope = Scope(seeded.pairs_version, min_group=5)
    (row,) = analysis_manager.self_vs_manager(session, scope)
    # Own 1+2+3+0+4 = 10/5 = 2.0; managers 2+2+1+2+3 = 10/5 = 2.0; hence a difference of 0.
    assert (row.pairs, row.own, row.manager, row.difference) == (5, 2.0, 2.0, 0.0)
    assert analysis_manager.self_vs_manager(session, Scope(seeded.pairs_version, min_group=6)) == []
    # The managers' ratings are not self-assessments: the gap table counts the five learners.
    (gap,) = analysis.gap_table(session, scope)
    assert (gap.responses, gap.current, gap.required) == (5, 2.0, 3.0)


def test_invitation_use_per_company_of_large_groups_only(seeded: Any) -> None:
    from lti_tool.surveys.models import SurveyInvitation

    for company, made, used, token in ((seeded.bakker, 10, 6, "a"), (seeded.jansen, 4, 3, "b")):
        db.session.add(
            SurveyInvitation(
                survey_id=seeded.survey_id,
                company_id=company,
                token_hash=token * 64,
                shared=True,
                max_uses=made,
                uses=used,
                created_on=DAY,
            )
        )
    db.session.commit()
    session = db.session()
    found = analysis.invitation_use(session, seeded.survey_id, Scope(seeded.v1, min_group=5))
    assert [(i.company_id, i.made, i.used, i.rate) for i in found] == [(seeded.bakker, 10, 6, 60.0)]
    hr = Scope(seeded.v1, min_group=5, company_id=seeded.jansen)
    assert analysis.invitation_use(session, seeded.survey_id, hr) == []
