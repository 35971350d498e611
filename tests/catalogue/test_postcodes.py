"""Distance in the gap report's ranking (SQLite and PostgreSQL): the administrator loads GeoNames
postal codes with a command (bad lines reported, good ones loaded, a reload changes nothing) and
sets where a company is; the catalogue's finder measures each offer's nearest date from it, and
the ranking puts nearer offers first among equals, with "12 km" or "in your postcode area" in its
reason."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from lxml import html
from sqlalchemy import event, func, select

from lti_tool.catalogue import offers as catalogue_offers
from lti_tool.catalogue.matching import catalogue_offers as catalogue_finder
from lti_tool.catalogue.models import PostcodePlace
from lti_tool.catalogue.postcodes import area_of, haversine_km
from lti_tool.competence_offers import OfferRef, Where
from lti_tool.extensions import db
from lti_tool.models import Platform, utcnow
from lti_tool.offer_ranking import rank_offers, reason
from lti_tool.passports import companies
from lti_tool.passports.models import Company, Competence, CompetenceFramework
from tests.security.conftest import csrf_token, launch_as, sign_in

from .helpers import offer, provider

# GeoNames columns: country, postcode, place, admin name/code x3, latitude, longitude, accuracy
GOOD = [
    "BE\t9000\tGent\tVlaanderen\tVLG\tOost-Vlaanderen\tVOV\tGent\t44021\t51.0543\t3.7174\t4",
    "BE\t9050\tLedeberg\tVlaanderen\tVLG\tOost-Vlaanderen\tVOV\tGent\t44021\t51.0333\t3.7333\t4",
    "BE\t2000\tAntwerpen\tVlaanderen\tVLG\tAntwerpen\tVAN\tAntwerpen\t11002\t51.2205\t4.4003\t4",
    # a second place with the same postcode: kept once, at the mean of their coordinates
    "BE\t2000\tAntwerpen Zuid\tVlaanderen\tVLG\tAntwerpen\tVAN\tAntwerpen\t11002\t51.2005\t4.4003\t4",
]
BAD = [
    "BE\t1000\tBrussel",  # too few columns
    "Belgium\t1000\tBrussel\ta\tb\tc\td\te\tf\t50.8\t4.3\t4",  # not a country code
    "BE\t\tNowhere\ta\tb\tc\td\te\tf\t50.8\t4.3\t4",  # no postcode
    "BE\t1000\tBrussel\ta\tb\tc\td\te\tf\tnorth\t4.3\t4",  # latitude not a number
    "BE\t1000\tBrussel\ta\tb\tc\td\te\tf\t95.0\t4.3\t4",  # out of range
]


def _file(tmp_path: Path, lines: list[str], name: str = "BE.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _places(app: Any) -> dict[str, tuple[str, float, float]]:
    with app.app_context():
        return {
            p.postcode: (p.place, p.latitude, p.longitude)
            for p in db.session.scalars(select(PostcodePlace))
        }


def test_load_reports_bad_lines_loads_good_ones_and_reloads_the_same(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    path = _file(tmp_path, GOOD[:2] + BAD + GOOD[2:])
    first = runner.invoke(args=["catalogue", "postcodes", "load", str(path)])
    assert first.exit_code == 0, first.output
    assert "Loaded 3 postcodes from BE.txt." in first.output
    assert "5 lines refused:" in first.output
    for number, why in [
        (3, "3 columns"),
        (4, "'Belgium' is not a two-letter code"),
        (5, "no postcode"),
        (6, "'north'"),
        (7, "out of range"),
    ]:
        assert f"line {number}: " in first.output and why in first.output
    loaded = _places(app)
    assert sorted(loaded) == ["2000", "9000", "9050"]
    assert loaded["2000"] == ("Antwerpen", 51.2105, 4.4003)
    again = runner.invoke(args=["catalogue", "postcodes", "load", str(path)])
    assert again.exit_code == 0 and "Loaded 3 postcodes" in again.output
    assert _places(app) == loaded
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PostcodePlace)) == 3
    # A changed file replaces the postcodes it has and keeps the others.
    moved = GOOD[0].replace("51.0543", "51.0600")
    runner.invoke(args=["catalogue", "postcodes", "load", str(_file(tmp_path, [moved], "x.txt"))])
    assert _places(app)["9000"][1] == 51.06 and _places(app)["2000"] == loaded["2000"]


def test_load_reads_the_geonames_zip_and_refuses_what_is_not_text(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    archive = tmp_path / "BE.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "GeoNames postal codes")
        z.writestr("BE.txt", "\n".join(GOOD) + "\n")
    result = runner.invoke(args=["catalogue", "postcodes", "load", str(archive)])
    assert result.exit_code == 0 and "Loaded 3 postcodes" in result.output
    binary = tmp_path / "bad.txt"
    binary.write_bytes(b"BE\t9000\t\xff\xfe\n")
    refused = runner.invoke(args=["catalogue", "postcodes", "load", str(binary)])
    assert refused.exit_code != 0 and "not UTF-8" in refused.output


def test_haversine_and_postcode_area() -> None:
    gent, antwerpen = (51.0543, 3.7174), (51.2205, 4.4003)
    assert round(haversine_km(gent, antwerpen)) == 51
    assert haversine_km(gent, gent) == 0
    assert area_of(" 9050 ") == "90xx" and area_of("1011 ab") == "10xx" and area_of("9") == ""


def _ref(n: int, **facts: Any) -> OfferRef:
    return OfferRef("catalogue", n, f"Offer {n}", **facts)


def test_nearer_ranks_first_among_equals_and_the_reason_says_how_far(app: Any) -> None:
    soon, later = dt.date(2030, 3, 1), dt.date(2030, 6, 1)
    far_soon = _ref(1, km=80, starts_on=soon, languages=("nl",))
    near_later = _ref(2, km=12, starts_on=later, languages=("nl",))
    area_only = _ref(3, same_area=True, starts_on=soon, languages=("nl",))
    unknown = _ref(4, starts_on=soon, languages=("nl",))
    wider = _ref(5, km=200)  # covers two gaps: coverage still comes first
    ranked = rank_offers(
        [(1, 2.0), (2, 1.0)],
        {1: [unknown, area_only, far_soon, near_later, wider], 2: [wider]},
        "nl",
    )
    assert [r.offer.id for r in ranked] == [5, 2, 1, 3, 4]
    with app.test_request_context(), force_locale("en"):
        reasons = [reason(r) for r in ranked]
    assert reasons[1] == "covers 1 of your 2 largest gaps; 12 km; in Dutch; starts June 1, 2030"
    assert reasons[3] == (
        "covers 1 of your 2 largest gaps; in your postcode area; in Dutch; starts March 1, 2030"
    )
    assert "km" not in reasons[4] and "postcode" not in reasons[4]
    with app.test_request_context(), force_locale("nl"):
        assert "12 km" in reason(ranked[1])
        assert "in uw postcodegebied" in reason(ranked[3])


def test_finder_measures_from_the_company_and_falls_back_to_the_area(
    app: Any, runner: Any, tmp_path: Path
) -> None:
    runner.invoke(args=["catalogue", "postcodes", "load", str(_file(tmp_path, GOOD))])
    with app.app_context():
        session = db.session()
        framework = CompetenceFramework(platform_id=1, idnumber="PC", shortname="Places")
        skill = Competence(framework=framework, idnumber="PC1", shortname="Skill")
        session.add_all([framework, skill])
        session.flush()
        owner = provider(session, "pc", "Places")
        today = utcnow().date()

        def date(postcode: str, days: int = 10) -> Any:
            return catalogue_offers.DateInput(
                starts_on=today + dt.timedelta(days=days), postcode=postcode, city="x"
            )

        made = [
            offer(session, owner, {"en": title}, competence_ids=[skill.id], dates=dates)
            for title, dates in [
                ("Antwerp", [date("2000"), date("9050", days=-5)]),  # the past date is skipped
                ("Ledeberg and Antwerp", [date("2000"), date("9050")]),
                ("Unknown postcode", [date("9099")]),  # in the area, not in the file
                ("Elsewhere unknown", [date("3000")]),
                ("No date", []),
            ]
        ]
        session.commit()
        found = {
            r.title: (r.km, r.same_area)
            for r in catalogue_finder(session, Where(1, "", "nl", "9000", "BE"), [skill.id])[
                skill.id
            ]
        }
        assert found == {
            "Antwerp": (51, False),
            "Ledeberg and Antwerp": (3, True),
            "Unknown postcode": (None, True),
            "Elsewhere unknown": (None, False),
            "No date": (None, False),
        }
        # Without the company's place: no distance, and no extra query.
        statements: list[str] = []
        engine = session.get_bind()

        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            plain = catalogue_finder(session, Where(1, "", "nl"), [skill.id])[skill.id]
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(statements) == 3
        assert {(r.km, r.same_area) for r in plain} == {(None, False)}
        assert len(made) == 5


def test_admin_sets_where_a_company_is(app: Any, client: Any) -> None:
    admin = launch_as(app, platform="demo", role="admin", sub="place-admin")
    with app.app_context():
        company = companies.create_company(db.session(), admin.platform_id, "Bakker Bouw")
        company_id = company.id
        other_platform = db.session.scalar(
            select(Platform.id).where(Platform.id != admin.platform_id)
        )
    sign_in(client, admin)
    path = f"/passport/admin/companies/{company_id}/place"
    token = csrf_token(client, path)
    saved = client.post(path, data={"csrf_token": token, "postcode": " 9000 ", "country": "be"})
    assert saved.status_code == 303
    with app.app_context():
        got = db.session.get(Company, company_id)
        assert got is not None and (got.postcode, got.country) == ("9000", "BE")
    page = client.get(f"/passport/admin/companies/{company_id}").get_data(as_text=True)
    assert "Postcode: 9000 (BE)" in page
    for data, why in [
        ({"postcode": "90<00", "country": "BE"}, "letters, digits"),
        ({"postcode": "9000", "country": "Belgium"}, "two-letter code"),
        ({"postcode": "9000", "country": ""}, "or neither"),
    ]:
        refused = client.post(path, data={"csrf_token": token, **data})
        assert refused.status_code == 400 and why in refused.get_data(as_text=True)
    with app.app_context():
        got = db.session.get(Company, company_id)
        assert got is not None and (got.postcode, got.country) == ("9000", "BE")
    cleared = client.post(path, data={"csrf_token": token, "postcode": "", "country": ""})
    assert cleared.status_code == 303
    if other_platform is not None:
        sign_in(client, launch_as(app, platform="other", role="admin", sub="place-other"))
        assert client.get(path).status_code == 404
    sign_in(client, launch_as(app, platform="demo", role="instructor", sub="place-trainer"))
    assert client.get(path).status_code == 403


def test_a_companys_gap_report_ranks_by_distance(app: Any, runner: Any, tmp_path: Path) -> None:
    from lti_tool.catalogue.models import CatalogueOfferDate
    from tests.passports.conftest import sign_in as sign_in_as
    from tests.surveys.matching_data import seed_matching

    runner.invoke(args=["catalogue", "postcodes", "load", str(_file(tmp_path, GOOD))])
    with app.app_context():
        seeded = seed_matching()
        session = db.session()
        bakker = session.get(Company, seeded.bakker)
        assert bakker is not None
        bakker.postcode, bakker.country = "9000", "BE"
        session.add(
            CatalogueOfferDate(
                offer_id=seeded.published,
                starts_on=utcnow().date() + dt.timedelta(days=10),
                postcode="2000",
                city="Antwerpen",
            )
        )
        session.commit()
    client = app.test_client()
    sign_in_as(app, client, "instructor")
    report = f"/surveys/{seeded.survey_id}/report?version=1"

    def ranked(path: str) -> list[str]:
        doc = html.fromstring(client.get(path).get_data(as_text=True))
        return [
            " ".join(e.text_content().split())
            for e in doc.xpath('//*[@data-testid="ranked-offer"]')
        ]

    # Bakker's report: the catalogue offer, 51 km away, comes before those with no place.
    mine = ranked(f"{report}&company={seeded.bakker}")
    assert mine[0].startswith(
        "Catalogue offer: MIG course (covers 1 of your 2 largest gaps; 51 km;"
    )
    assert not any("km" in text for text in mine[1:])
    # The whole survey is no one company's: no distance, the date ranks it.
    everyone = ranked(report)
    assert everyone[0].startswith("Catalogue offer: MIG course")
    assert not any("km" in text or "postcode" in text for text in everyone)
