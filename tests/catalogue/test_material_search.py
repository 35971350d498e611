"""The knowledge base's full-text search, on SQLite (FTS5 over Snowball stems) and PostgreSQL
(tsvector with the language's configuration): stemmed words in the page's language, withdrawn
items gone, network-only items hidden from visitors, titles ranked first, filters and paging."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.catalogue import material
from lti_tool.catalogue.material_search import MaterialQuery, search_material
from lti_tool.catalogue.search import QueryRefused
from lti_tool.extensions import db

from .helpers import provider


def _make(session: Any, owner: Any, titles: dict[str, str], **fields: Any) -> int:
    data = material.MaterialInput(url="https://material.example/item", titles=titles, **fields)
    return material.save_material(session, owner.id, None, data).id


def _ids(**fields: Any) -> list[int]:
    page = search_material(db.session(), MaterialQuery(**fields))
    return [item.id for item in page.items]


@pytest.fixture
def items(app: Any) -> dict[str, int]:
    with app.app_context():
        session = db.session()
        owner = provider(session)
        made = {
            "welding": _make(
                session,
                owner,
                {"nl": "Laswerk voor beginnende lassers"},
                descriptions={"nl": "Hoe je leidingen veilig last, stap voor stap."},
                language="nl",
                licence="cc-by",
            ),
            "welding_de": _make(
                session,
                owner,
                {"de": "Schweißarbeiten sicher planen"},
                descriptions={"de": "Eine Checkliste für die Werkstatt."},
                language="de",
                licence="cc-by-sa",
            ),
            "forklift": _make(
                session,
                owner,
                {"nl": "Heftruck rijden"},
                descriptions={"nl": "Een film over veilig rijden met een heftruck."},
                kind="video",
                language="nl",
                licence="cc0",
            ),
            "members": _make(
                session,
                owner,
                {"nl": "Lasnaden van lassers keuren"},
                descriptions={"nl": "Alleen voor de leden van het netwerk."},
                language="nl",
                visibility="network",
            ),
        }
        session.commit()
        return made


def test_dutch_and_german_words_are_stemmed(app: Any, items: dict[str, int]) -> None:
    with app.app_context():
        # "lassen" is stemmed "las" by Snowball and "lass" by PostgreSQL's older Dutch stemmer:
        # on both, the start of "lassers" ("lasser"); "laswerken" finds "Laswerk".
        assert _ids(language="nl", text="lassen") == [items["welding"]]
        assert set(_ids(language="nl", text="lassen", member=True)) == {
            items["members"],
            items["welding"],
        }
        assert _ids(language="nl", text="laswerken") == [items["welding"]]
        assert _ids(language="nl", text="heftrucks") == [items["forklift"]]
        # "Schweißen" is stemmed "schweiss", the start of "schweissarbeit".
        assert _ids(language="de", text="Schweißen") == [items["welding_de"]]
        # Every word must match; the German item is found from the Dutch page by its words.
        assert _ids(language="nl", text="heftruck lassen") == []
        assert _ids(language="nl", text="Werkstatt") == [items["welding_de"]]
        assert _ids(language="nl", text="boren") == []


def test_withdrawn_item_disappears(app: Any, items: dict[str, int]) -> None:
    with app.app_context():
        session = db.session()
        item = session.get(material.CatalogueMaterial, items["forklift"])
        assert material.withdraw_material(session, item)
        session.commit()
        assert _ids(language="nl", text="heftruck") == []
        assert items["forklift"] not in _ids(language="nl", member=True)


def test_network_items_are_for_members_only(app: Any, items: dict[str, int]) -> None:
    with app.app_context():
        assert items["members"] not in _ids(language="nl")
        assert _ids(language="nl", text="lasnaden") == []
        assert _ids(language="nl", text="lasnaden", member=True) == [items["members"]]
    page = app.test_client().get("/catalogue/material/?q=lasnaden&lang=nl")
    assert page.status_code == 200
    assert "Lasnaden van lassers keuren" not in page.get_data(as_text=True)


def test_edited_item_is_found_by_its_new_words(app: Any, items: dict[str, int]) -> None:
    with app.app_context():
        session = db.session()
        item = session.get(material.CatalogueMaterial, items["forklift"])
        data = material.MaterialInput(
            url=item.url, titles={"nl": "Hoogwerker besturen"}, language="nl", licence="cc0"
        )
        material.save_material(session, item.provider_id, item, data)
        session.commit()
        assert _ids(language="nl", text="heftruck") == []
        assert _ids(language="nl", text="hoogwerkers") == [items["forklift"]]


def test_filters(app: Any, items: dict[str, int]) -> None:
    from lti_tool.passports.models import Competence, CompetenceFramework

    with app.app_context():
        session = db.session()
        assert _ids(language="nl", item_language="de") == [items["welding_de"]]
        assert _ids(language="nl", licence="cc0") == [items["forklift"]]
        framework = CompetenceFramework(idnumber="kb", shortname="Knowledge skills")
        session.add(framework)
        session.flush()
        welding = Competence(framework_id=framework.id, idnumber="w", shortname="Welding")
        session.add(welding)
        session.flush()
        item = session.get(material.CatalogueMaterial, items["welding"])
        data = material.MaterialInput(
            url=item.url,
            titles=dict(item.titles),
            language="nl",
            licence="cc-by",
            competence_ids=[welding.id],
        )
        material.save_material(session, item.provider_id, item, data)
        session.commit()
        assert _ids(language="nl", competence_id=welding.id) == [items["welding"]]
        # The competence's name is searched too.
        assert _ids(language="en", text="welding") == [items["welding"]]


def test_title_ranks_above_description(app: Any) -> None:
    with app.app_context():
        session = db.session()
        owner = provider(session)
        in_title = _make(session, owner, {"nl": "Hoogwerkers voor beginners"})
        in_text = _make(
            session,
            owner,
            {"nl": "Werken op hoogte"},
            descriptions={"nl": "De hoogwerker: een hoogwerker kiezen en de hoogwerker keuren."},
        )
        session.commit()
        # Without words the newest come first; with a word, the title's match first.
        assert _ids(language="nl") == [in_text, in_title]
        assert _ids(language="nl", text="hoogwerker") == [in_title, in_text]


def test_pages(app: Any) -> None:
    with app.app_context():
        session = db.session()
        owner = provider(session)
        made = {_make(session, owner, {"nl": f"Pompen onderhouden, deel {n}"}) for n in range(23)}
        _make(session, owner, {"nl": "Iets anders"})
        session.commit()
        pages = [
            search_material(session, MaterialQuery(language="nl", text="pomp", page=n, per_page=10))
            for n in (1, 2, 3)
        ]
        assert [len(p.items) for p in pages] == [10, 10, 3]
        assert {p.total for p in pages} == {23} and pages[0].pages == 3
        seen = [item.id for p in pages for item in p.items]
        assert len(seen) == len(set(seen)) and set(seen) == made
        beyond = MaterialQuery(language="nl", text="pomp", page=4, per_page=10)
        assert search_material(session, beyond).items == []
    listing = app.test_client().get("/catalogue/material/?q=pomp&lang=en&per_page=10&page=2")
    text = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "23 items found" in text
    assert "page=1" in text and "page=3" in text and 'rel="next"' in text


@pytest.mark.parametrize(
    "args",
    ["licence=gpl", "language=xx", "competence=abc", "page=0", "page=9999", "q=" + "a" * 201],
)
def test_bad_queries_are_refused_with_the_reason(app: Any, args: str) -> None:
    answer = app.test_client().get(f"/catalogue/material/?{args}&lang=en")
    assert answer.status_code == 400
    assert "check the field “" + args.split("=")[0] + "”" in answer.get_data(as_text=True)


def test_refused_query_values(app: Any) -> None:
    with app.app_context(), pytest.raises(QueryRefused):
        search_material(db.session(), MaterialQuery(language="xx"))


def test_upgrade_writes_the_rows_of_existing_items(app: Any) -> None:
    from alembic import command

    from lti_tool.cli import alembic_config, upgrade_database

    with app.app_context():
        db.drop_all()
        db.session.remove()
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        command.upgrade(alembic_config(), "8ca0c8269a43")  # the revision before the search rows
        session = db.session()
        owner = provider(session)
        kept = {"titles": {"nl": "Laswerk"}, "descriptions": {"de": "Schweißarbeiten planen"}}
        for status in ("active", "withdrawn"):
            session.add(
                material.CatalogueMaterial(
                    provider_id=owner.id, url="https://material.example/", status=status, **kept
                )
            )
        session.commit()
        active = session.scalar(
            select(material.CatalogueMaterial.id).where(
                material.CatalogueMaterial.status == "active"
            )
        )
        db.session.remove()
        upgrade_database()
        assert _ids(language="nl", text="laswerken") == [active]
        assert _ids(language="de", text="Schweißen") == [active]
        assert _ids(language="en", text="Opleidingscentrum") == [active]  # the provider's name


def test_the_language_word_is_no_visitors_word_and_its_migration_goes_back(app: Any) -> None:
    from tests.migration_fill import run_migration_function

    migration = "b5f0016d9e9f_catalogue_material_language_term.py"
    with app.app_context():
        session = db.session()
        owner = provider(session)
        pumps = _make(session, owner, {"nl": "Pompen onderhouden"}, language="nl")
        session.commit()
        assert _ids(language="nl", text="pomp") == [pumps]
        assert _ids(language="fr", text="pompen") == [pumps]  # every row holds every text
        for word in ("zzlangnl", "zzlang", "zzl"):
            assert _ids(language="nl", text=word) == [], word
        session.commit()  # the migration takes the table's lock
        run_migration_function(migration, "downgrade")
        run_migration_function(migration, "upgrade")
        db.session.remove()
        assert _ids(language="nl", text="pomp") == [pumps]
        assert _ids(language="de", text="pompen") == [pumps]
        session = db.session()
        cranes = _make(
            session, provider(session, "ocb", "Opleidingscentrum Brugge"), {"nl": "Kraan bedienen"}
        )
        session.commit()
        assert _ids(language="nl", text="kraan") == [cranes]  # the triggers are back
        assert _ids(language="en", text="kraan") == [cranes]
