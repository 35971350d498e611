# ruff: noqa: E402 (the path is set before the project is imported)
"""Search over many published offers: seeding speed and search p50 / p95.

    .venv/bin/python bench/catalogue.py [--offers 100000] [--queries 300] [--per-kind 24]
        [--material-words 1000000] [--database-url postgresql://...] [--keep NAME] [--small]

On SQLite in a temporary folder, or on a fresh database of the PostgreSQL server given with
--database-url (made and dropped here). With --keep NAME the data stays for the next run:
SQLite in the file NAME, PostgreSQL in the database NAME; a later run with the same NAME
and --offers finds it seeded and only searches (seeding 100,000 offers takes minutes).

It seeds providers and N published offers with Core batches (offers, languages, dates, and their search rows made by the catalogue's own
``search_index``, so SQLite's FTS5 triggers and PostgreSQL's tsvector are what the app writes),
then runs searches in Dutch, German and English, with and without filters, sorted by
relevance and by date, and prints the seeding rate and the p50 / p95 of one search. Then
the p50 / p95 of each kind of search on its own (a common word, a rare one, a word's start,
filters alone, each sort, deep pages, a count past the cap of 1,000). The goal is a p95
under 50 ms at 100,000 offers. Before measuring, one round of each kind and 5 mixed searches
warm the caches, as on a server that has been answering searches for a while; they are not
counted, and their times are printed first (the cold figures).

Then the knowledge base: items with titles and descriptions in one to four languages until
they total --material-words words (search rows written by ``material_search_index``), and the
p50 / p95 of its search, with and without words and filters, as a visitor and as a member.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0:1] = [str(ROOT)]

import argparse
import datetime as dt
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import create_engine, event, func, insert, select, text

from bench.bench_app import fresh_app
from lti_tool import create_app
from lti_tool.catalogue.models import (
    CatalogueOffer,
    CatalogueOfferDate,
    CatalogueOfferLanguage,
    CatalogueProvider,
)
from lti_tool.catalogue.search import OfferQuery, search_offers
from lti_tool.catalogue.search_index import search_rows, write_search_rows
from lti_tool.extensions import db

BATCH = 2000
TOPICS = [  # (nl, de, en)
    ("Lassen", "Schweißen", "Welding"),
    ("Lastechniek", "Schweißtechnik", "Welding technique"),
    ("Heftruckchauffeur", "Gabelstaplerfahrer", "Forklift driver"),
    ("Veiligheid op de werf", "Sicherheit auf der Baustelle", "Site safety"),
    ("Elektrische installaties", "Elektroinstallation", "Electrical installation"),
    ("Steigerbouw", "Gerüstbau", "Scaffolding"),
    ("Hoogwerker", "Hubarbeitsbühne", "Aerial work platform"),
    ("Brandpreventie", "Brandschutz", "Fire prevention"),
    ("Eerste hulp", "Erste Hilfe", "First aid"),
    ("Leidinggeven", "Mitarbeiterführung", "Leadership"),
    ("Rekenblad", "Tabellenkalkulation", "Spreadsheets"),
    ("Klantgericht werken", "Kundenorientierung", "Customer focus"),
    ("Onderhoud van machines", "Maschinenwartung", "Machine maintenance"),
    ("Pneumatica", "Pneumatik", "Pneumatics"),
    ("Lean werken", "Schlanke Produktion", "Lean production"),
    ("Kraanbediening", "Kranführung", "Crane operation"),
]
LEVELS = [
    ("voor beginners", "für Einsteiger", "for beginners"),
    ("voor gevorderden", "für Fortgeschrittene", "advanced"),
    ("opfrissing", "Auffrischung", "refresher"),
    ("in de praktijk", "in der Praxis", "in practice"),
]
FILLER = {
    "nl": "de cursus leert u veilig en vakkundig werken met aandacht voor kwaliteit normen"
    " oefeningen praktijk theorie examen attest werkplek collega's planning",
    "de": "der Kurs vermittelt sicheres und fachgerechtes Arbeiten mit Blick auf Qualität Normen"
    " Übungen Praxis Theorie Prüfung Zertifikat Arbeitsplatz Kollegen Planung",
    "en": "the course teaches safe and skilled work with attention to quality standards"
    " exercises practice theory exam certificate workplace colleagues planning",
}
CITIES = [
    ("9000", "Gent"),
    ("2000", "Antwerpen"),
    ("1000", "Brussel"),
    ("3000", "Leuven"),
    ("4000", "Liège"),
    ("8000", "Brugge"),
    ("52062", "Aachen"),
    ("50667", "Köln"),
]
RARE_EVERY = 997
RARE = {"nl": "robotica", "de": "Robotik", "en": "robotics"}
COMMON = {"nl": "praktijk", "de": "Praxis", "en": "practice"}  # in nearly every offer
PREFIX = {"nl": "heftr", "de": "Schwei", "en": "forkl"}
QUERIES = {
    "nl": ["lassen", "heftruck", "veiligheid", "steiger", "eerste hulp", "brand", "lastechniek"],
    "de": ["Schweißen", "Gabelstapler", "Sicherheit", "Gerüst", "Erste Hilfe", "Brandschutz"],
    "en": ["welding", "forklift", "safety", "scaffolding", "first aid", "leadership"],
}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _description(rng: random.Random, language: str, topic: str) -> str:
    filler = FILLER[language].split()
    return f"{topic}: " + " ".join(rng.choice(filler) for _ in range(30))


def seed_offers(count: int, today: dt.date) -> float:
    """Insert ``count`` published offers; seconds taken."""
    rng = random.Random(13)
    session = db.session()
    started = time.perf_counter()
    session.execute(
        insert(CatalogueProvider),
        [
            {
                "id": n,
                "code": f"p{n}",
                "name": f"Opleidingscentrum {n}",
                "website": "",
                "contact_email": "",
                "created_at": dt.datetime(2030, 1, 1),
            }
            for n in range(1, 51)
        ],
    )
    published = dt.datetime(2030, 1, 1)
    for first in range(1, count + 1, BATCH):
        offers, dates, languages, rows = [], [], [], []
        for offer_id in range(first, min(first + BATCH, count + 1)):
            topic, level = rng.choice(TOPICS), rng.choice(LEVELS)
            titles = {code: f"{topic[i]} {level[i]}" for i, code in enumerate(("nl", "de", "en"))}
            descriptions = {
                code: _description(rng, code, topic[i]) for i, code in enumerate(("nl", "de", "en"))
            }
            if offer_id % RARE_EVERY == 0:  # a rare word (no draw: the rest stays the same)
                descriptions = {
                    code: f"{text_} {RARE[code]}" for code, text_ in descriptions.items()
                }
            values = {
                "id": offer_id,
                "provider_id": rng.randint(1, 50),
                "titles": titles,
                "descriptions": descriptions,
                "target_groups": {},
                "prerequisites": {},
                "credentials": {},
                "funding_notes": {},
                "format": rng.choice(("online", "classroom", "blended")),
                "hours": rng.choice((4, 8, 16, 24, 40)),
                "currency": "EUR",
                "price_cents": rng.choice((None, 0, 25000, 45000)),
                "funding_eligible": rng.random() < 0.4,
                "contact_url": "",
                "status": "published",
                "published_at": published,
                "created_at": published,
                "updated_at": published,
            }
            offers.append(values)
            postcode, city = rng.choice(CITIES)
            date = {
                "offer_id": offer_id,
                "kind": "own",
                "place": "Campus",
                "postcode": postcode,
                "city": city,
                "seats_left": rng.randint(0, 12),
                "starts_on": today + dt.timedelta(days=rng.randint(1, 365)),
            }
            date["ends_on"] = date["starts_on"]
            dates.append(date)
            taught = rng.sample(("nl", "fr", "de", "en"), rng.randint(1, 2))
            languages.extend({"offer_id": offer_id, "language": code} for code in taught)
            transient = CatalogueOffer(**values)
            transient.dates = [
                CatalogueOfferDate(**{k: v for k, v in date.items() if k != "offer_id"})
            ]
            rows.extend(
                search_rows(transient, f"Opleidingscentrum {values['provider_id']}", {}, today)
            )
        session.execute(insert(CatalogueOffer), offers)
        session.execute(insert(CatalogueOfferDate), dates)
        session.execute(insert(CatalogueOfferLanguage), languages)
        write_search_rows(session, rows)
        session.commit()
    if session.get_bind().dialect.name == "postgresql":
        # As autovacuum would after the load: the search rows' first versions (before their
        # tsvector) cleared, and the planner's statistics of every table.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def queries(count: int, today: dt.date) -> list[OfferQuery]:
    rng = random.Random(7)
    found = []
    for _ in range(count):
        language = rng.choice(("nl", "de", "en"))
        extra: dict[str, Any] = {}
        roll = rng.random()
        if roll < 0.25:
            extra["format"] = rng.choice(("online", "classroom", "blended"))
        elif roll < 0.45:
            extra["postcode"] = rng.choice(CITIES)[0][:2]
        elif roll < 0.6:
            extra.update(free_seats=True, funding=True)
        elif roll < 0.7:
            extra.update(
                date_from=today + dt.timedelta(days=30), date_to=today + dt.timedelta(days=90)
            )
        text_ = rng.choice(QUERIES[language]) if rng.random() < 0.85 else ""
        sort = "relevance" if text_ and rng.random() < 0.7 else "soonest"
        found.append(
            OfferQuery(
                language=language,
                text=text_,
                sort=sort,
                today=today,
                page=rng.choice((1, 1, 1, 2, 5)),
                **extra,
            )
        )
    return found


# The knowledge base: items with texts in several languages until they total N words.

MATERIAL_TOPICS = [  # (nl, fr, de, en)
    ("lassen", "soudage", "Schweißen", "welding"),
    ("heftruck", "chariot élévateur", "Gabelstapler", "forklift"),
    ("steiger", "échafaudage", "Gerüst", "scaffolding"),
    ("hoogwerker", "nacelle", "Hubarbeitsbühne", "aerial platform"),
    ("brandpreventie", "prévention incendie", "Brandschutz", "fire prevention"),
    ("eerste hulp", "premiers secours", "Erste Hilfe", "first aid"),
    ("pneumatiek", "pneumatique", "Pneumatik", "pneumatics"),
    ("elektriciteit", "électricité", "Elektrik", "electricity"),
    ("kraan", "grue", "Kran", "crane"),
    ("onderhoud", "maintenance", "Wartung", "maintenance"),
    ("leidinggeven", "management", "Mitarbeiterführung", "leadership"),
    ("rekenblad", "tableur", "Tabellenkalkulation", "spreadsheet"),
]
MATERIAL_WORDS = {
    "nl": "de het een en van in op met voor bij over hoe wat waarom u je we veilig werken"
    " werkplek collega machine installatie controle stap uitleg film handleiding oefening"
    " praktijk theorie risico's normen kwaliteit gereedschap onderdelen procedure"
    " checklist voorbeeld fout oplossing opleiding attest leerling begeleider planning"
    " meting afstelling storing beveiliging kleding helm handschoenen bril ladder",
    "fr": "le la les un une et de du dans sur avec pour chez comment pourquoi vous nous"
    " sécurité travailler poste collègue machine installation contrôle étape explication"
    " vidéo manuel exercice pratique théorie risques normes qualité outils pièces"
    " procédure liste exemple erreur solution formation attestation apprenant tuteur"
    " mesure réglage panne protection vêtements casque gants lunettes échelle",
    "de": "der die das ein eine und von in auf mit für bei über wie was warum Sie wir"
    " sicher arbeiten Arbeitsplatz Kollege Maschine Anlage Kontrolle Schritt Erklärung"
    " Film Anleitung Übung Praxis Theorie Risiken Normen Qualität Werkzeug Bauteile"
    " Verfahren Checkliste Beispiel Fehler Lösung Ausbildung Zertifikat Lernende Betreuer"
    " Messung Einstellung Störung Schutz Kleidung Helm Handschuhe Brille Leiter",
    "en": "the a an and of in on with for at about how what why you we safe work workplace"
    " colleague machine installation check step explanation video manual exercise"
    " practice theory risks standards quality tools parts procedure checklist example"
    " mistake solution training certificate learner mentor planning measurement"
    " adjustment fault protection clothing helmet gloves glasses ladder",
}
MATERIAL_TITLES = {
    "nl": ("{t}: de basis", "Veilig werken met {t}", "{t} in de praktijk", "Checklist {t}"),
    "fr": ("{t} : les bases", "Travailler en sécurité : {t}", "{t} en pratique", "Liste {t}"),
    "de": ("{t}: Grundlagen", "Sicher arbeiten: {t}", "{t} in der Praxis", "Checkliste {t}"),
    "en": ("{t}: the basics", "Working safely with {t}", "{t} in practice", "{t} checklist"),
}
MATERIAL_QUERIES = {
    "nl": ["lassen", "heftruck", "steiger", "eerste hulp", "veilig werken", "onderhoud machine"],
    "fr": ["soudage", "échafaudage", "premiers secours", "sécurité", "grue"],
    "de": ["Schweißen", "Gabelstapler", "Erste Hilfe", "Wartung", "Checkliste"],
    "en": ["welding", "forklift", "first aid", "ladder", "safety checklist"],
}


def _material_text(rng: random.Random, language: str, topic: str, words: int) -> str:
    """``words`` words in ``language``: common words first in weight (as in real text), the
    topic now and then."""
    vocabulary = MATERIAL_WORDS[language].split()
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    chosen = rng.choices(vocabulary, weights, k=words)
    for at in range(0, words, 12):
        chosen[at] = topic
    return " ".join(chosen).capitalize() + "."


def seed_material(target_words: int) -> tuple[float, int, int]:
    """Items of the knowledge base until their titles and descriptions total ``target_words``
    words; their search rows written by the app's own ``material_search_index``. Seconds taken,
    items and words."""
    from lti_tool.catalogue.material import CatalogueMaterial
    from lti_tool.catalogue.material_search_index import (
        material_search_rows,
        write_material_rows,
    )

    rng = random.Random(17)
    session = db.session()
    started = time.perf_counter()
    codes = ("nl", "fr", "de", "en")
    made = dt.datetime(2030, 1, 1)
    total, next_id = 0, 1
    while total < target_words:
        items, rows = [], []
        for item_id in range(next_id, next_id + 500):
            topic = rng.randrange(len(MATERIAL_TOPICS))
            languages = rng.sample(codes, rng.choice((1, 2, 2, 3, 4)))
            titles, descriptions = {}, {}
            for code in languages:
                name = MATERIAL_TOPICS[topic][codes.index(code)]
                titles[code] = rng.choice(MATERIAL_TITLES[code]).format(t=name)
                descriptions[code] = _material_text(rng, code, name, rng.randint(40, 160))
                total += len(titles[code].split()) + len(descriptions[code].split())
            values = {
                "id": item_id,
                "provider_id": rng.randint(1, 50),
                "kind": rng.choice(("link", "video")),
                "url": f"https://material.example/{item_id}",
                "titles": titles,
                "descriptions": descriptions,
                "search_text": "",
                "language": languages[0],
                "licence": rng.choice(("cc-by", "cc-by-sa", "cc0", "internal")),
                "visibility": "public" if rng.random() < 0.7 else "network",
                "status": "active",
                "created_at": made,
                "updated_at": made,
            }
            items.append(values)
            rows.extend(
                material_search_rows(
                    CatalogueMaterial(**values), f"Opleidingscentrum {values['provider_id']}", {}
                )
            )
            if total >= target_words:
                break
        next_id += len(items)
        session.execute(insert(CatalogueMaterial), items)
        write_material_rows(session, rows)
        session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))
        session.commit()
    return time.perf_counter() - started, next_id - 1, total


def material_queries(count: int) -> list[Any]:
    from lti_tool.catalogue.material_search import MaterialQuery

    rng = random.Random(23)
    found = []
    for _ in range(count):
        language = rng.choice(("nl", "fr", "de", "en"))
        extra: dict[str, Any] = {}
        roll = rng.random()
        if roll < 0.2:
            extra["item_language"] = rng.choice(("nl", "fr", "de", "en"))
        elif roll < 0.35:
            extra["licence"] = rng.choice(("cc-by", "cc0"))
        words = rng.choice(MATERIAL_QUERIES[language]) if rng.random() < 0.85 else ""
        found.append(
            MaterialQuery(
                language=language,
                text=words,
                member=rng.random() < 0.5,
                page=rng.choice((1, 1, 1, 2, 5)),
                **extra,
            )
        )
    return found


def bench_material(target_words: int, count: int) -> None:
    """Seed the knowledge base (the offers' providers are there) and print search p50 / p95."""
    from lti_tool.catalogue.material import CatalogueMaterial
    from lti_tool.catalogue.material_search import search_material

    kept = db.session.scalar(select(func.count()).select_from(CatalogueMaterial)) or 0
    if kept:  # a kept database (--keep) has its knowledge base already
        print(f"knowledge base: {kept:,} items kept from the last run")
    else:
        seconds, items, words = seed_material(target_words)
        print(f"knowledge base: {items:,} items, {words:,} words of titles and descriptions")
        print(f"seeded in {seconds:.1f} s ({words / seconds:,.0f} words per second)")
    if count <= 0:
        return
    session = db.session()
    for query in material_queries(5):  # warm the caches
        search_material(session, query)
    timings, cpu, totals = [], [], []
    searches = material_queries(count)
    for query in searches:
        started, used = time.perf_counter(), time.process_time()
        page = search_material(session, query)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
        totals.append(page.total)
    p50, p95 = percentile(timings, 50), percentile(timings, 95)
    print(f"{len(timings)} material searches, median {percentile(totals, 50):,} hits")
    print(f"material search p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"this process's CPU: p50 {percentile(cpu, 50):.1f} ms, p95 {percentile(cpu, 95):.1f} ms")
    if session.get_bind().dialect.name == "postgresql":
        server = [
            _server_ms(session, partial(search_material, session, query)) for query in searches
        ]
        print(
            f"server time: p50 {percentile(server, 50):.1f} ms, p95 {percentile(server, 95):.1f} ms"
        )
    slow = sorted(zip(cpu, searches, strict=True), key=lambda pair: pair[0])[-5:]
    for used, query in slow:  # what the slowest are
        print(f"  slow: {used:.1f} ms CPU  {query.language} {query.text!r} page {query.page}")


def offer_kinds(today: dt.date) -> dict[str, list[OfferQuery]]:
    """One list of searches per kind, in each page language."""

    def each(**fields: Any) -> list[OfferQuery]:
        return [
            OfferQuery(
                language=lang,
                today=today,
                **{k: v[lang] if isinstance(v, dict) else v for k, v in fields.items()},
            )
            for lang in ("nl", "de", "en")
        ]

    topic = {"nl": "lassen", "de": "Schweißen", "en": "welding"}
    soon = {"date_from": today + dt.timedelta(days=30), "date_to": today + dt.timedelta(days=90)}
    return {
        "common word, best match": each(text=COMMON),
        "topic word, best match": each(text=topic),
        "rare word, best match": each(text=RARE),
        "word start, best match": each(text=PREFIX),
        "two words, best match": each(
            text={"nl": "eerste hulp", "de": "Erste Hilfe", "en": "first aid"}
        ),
        "word + filters, best match": each(text=topic, format="classroom", postcode="90"),
        "word + dates, best match": each(text=topic, **soon),
        "common word + dates": each(text=COMMON, **soon),
        "filters only, soonest": each(format="online", free_seats=True, funding=True),
        "dates only, soonest": each(**soon),
        "no words, soonest": each(sort="soonest"),
        "no words, newest": each(sort="newest"),
        "no words, title": each(sort="title"),
        "word, soonest": each(text=topic, sort="soonest"),
        "word, newest": each(text=topic, sort="newest"),
        "common word, title": each(text=COMMON, sort="title"),
        "deep page, best match": each(text=COMMON, page=45),
        "deep page, soonest": each(text=topic, sort="soonest", page=45),
        "deep page, no words, title": each(sort="title", page=45),
        "rare word + filter, soonest": each(text=RARE, format="online", sort="soonest"),
    }


def _server_ms(session: Any, run: Callable[[], Any]) -> float:
    """PostgreSQL's own time for one search: each SELECT the search sent, run again under
    ``EXPLAIN (ANALYZE)``, its planning and execution times summed (no waiting for a core of
    this process, nor the network)."""
    engine = session.get_bind()
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    total = 0.0
    for statement, parameters in sent:
        plan = (
            session.connection()
            .exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
            .scalar()
        )
        total += plan[0]["Planning Time"] + plan[0]["Execution Time"]
    return total


def time_offer_searches(
    searches: list[OfferQuery], cpu: list[float] | None = None, server: list[float] | None = None
) -> tuple[list[float], list[int]]:
    """Milliseconds of each search, and its total (``cpu``: this process's CPU ms of each;
    ``server``: on PostgreSQL, the server's ms of each, measured on a second run)."""
    session = db.session()
    timings, totals = [], []
    for query in searches:
        started, used = time.perf_counter(), time.process_time()
        page = search_offers(session, query)
        timings.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - used) * 1000)
        totals.append(page.total)
    if server is not None and session.get_bind().dialect.name == "postgresql":
        server.extend(
            _server_ms(session, partial(search_offers, session, query)) for query in searches
        )
    return timings, totals


def _p(values: list[float]) -> str:
    """p50 / p95, or dashes without figures."""
    if not values:
        return f"{'-':>7} {'-':>7}"
    return f"{percentile(values, 50):7.1f} {percentile(values, 95):7.1f}"


def warm_up(today: dt.date) -> None:
    """One round of every kind (each page language) and 5 mixed searches, not counted in the
    figures after it, as on a server that has been answering searches for a while: the first
    searches after a start or a load read the indexes and tables into memory and fill the
    connection's caches. Their times are printed: the cold figures."""
    labelled = [(kind, query) for kind, runs in offer_kinds(today).items() for query in runs]
    labelled += [("mixed", query) for query in queries(5, today)]
    timings, _ = time_offer_searches([query for _, query in labelled])
    slowest = max(range(len(timings)), key=timings.__getitem__)
    print(
        f"warm-up (cold, not counted below): one round of each kind and 5 mixed searches,"
        f" {len(timings)} searches, p50 {percentile(timings, 50):.1f} ms,"
        f" p95 {percentile(timings, 95):.1f} ms,"
        f" slowest {timings[slowest]:.1f} ms ({labelled[slowest][0]})"
    )


def run_offers(args: argparse.Namespace, today: dt.date) -> None:
    """The offers' figures: the mix of searches, then each kind apart. Beside the wall time,
    this process's CPU time (on SQLite the whole search) and, on PostgreSQL, the server's time
    (EXPLAIN ANALYZE of the search's SELECTs): on a shared machine the wall time includes
    waiting for a core."""
    warm_up(today)
    cpu: list[float] = []
    server: list[float] = []
    if args.queries > 0:  # 0: no mixed searches (seeding a kept database, say)
        timings, totals = time_offer_searches(queries(args.queries, today), cpu, server)
        p50, p95 = percentile(timings, 50), percentile(timings, 95)
        print(f"{len(timings)} searches, median {percentile(totals, 50):,} hits")
        print(f"search p50 {p50:.1f} ms, p95 {p95:.1f} ms (goal: p95 under 50 ms)")
        print(
            f"this process's CPU: p50 {percentile(cpu, 50):.1f} ms, p95 {percentile(cpu, 95):.1f} ms"
        )
        if server:
            print(
                f"server time: p50 {percentile(server, 50):.1f} ms,"
                f" p95 {percentile(server, 95):.1f} ms"
            )
    if not args.per_kind:
        return
    print(
        f"by kind ({args.per_kind} runs each, three page languages), p50 / p95 ms:"
        " wall, this process's CPU, server (PostgreSQL); hits"
    )
    for kind, searches in offer_kinds(today).items():
        runs = (searches * args.per_kind)[: max(args.per_kind, len(searches))]
        cpu, server = [], []
        timings, totals = time_offer_searches(runs, cpu, server)
        print(f"  {kind:<28} {_p(timings)}  {_p(cpu)}  {_p(server)}  {percentile(totals, 50):>6,}")


def _kept_app(url: str, folder: str) -> Any:
    """The app on a kept database (tables as they are)."""
    return create_app(
        {
            "database_url": url,
            "data_dir": folder,
            "secret_key": "bench",
            "base_url": "http://127.0.0.1:5999",
            "secure_cookies": False,
            "TESTING": True,
            "content_url": "http://localhost:5998",
        }
    )


def _seeded_offers() -> int:
    try:
        return db.session.scalar(select(func.count()).select_from(CatalogueOffer)) or 0
    except Exception:  # no tables yet
        db.session.rollback()
        return -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--per-kind", type=int, default=24, help="runs of each kind (0: none)")
    parser.add_argument(
        "--material-words",
        type=int,
        default=1_000_000,
        help="the knowledge base's text size (0: no knowledge base)",
    )
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL server (a database of its own is made)"
    )
    parser.add_argument(
        "--keep", default="", help="keep the data for the next run: a SQLite file or PG database"
    )
    parser.add_argument(
        "--small", action="store_true", help="2,000 offers, 40 searches (a smoke run)"
    )
    args = parser.parse_args()
    if args.small:
        args.offers, args.queries, args.per_kind = 2000, 40, 3
        args.material_words = 20_000
    today = dt.date(2030, 1, 6)
    with tempfile.TemporaryDirectory() as folder:
        admin, name = None, ""
        if args.database_url:
            name = args.keep or "learnpass_bench_" + uuid.uuid4().hex[:8]
            admin = create_engine(
                args.database_url.replace("postgresql://", "postgresql+psycopg://", 1),
                isolation_level="AUTOCOMMIT",
            )
            with admin.connect() as conn:
                there = conn.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                )
                if not there:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = args.database_url.rpartition("/")[0] + "/" + name
        elif args.keep:
            url = f"sqlite:///{Path(args.keep).resolve()}"
        else:
            url = f"sqlite:///{folder}/bench.db"
        try:
            app = _kept_app(url, folder) if args.keep else None
            if app is not None:
                with app.app_context():
                    if _seeded_offers() != args.offers:
                        app = None
            if app is None:
                app = fresh_app(url, folder, content_url="http://localhost:5998")
                with app.app_context():
                    seconds = seed_offers(args.offers, today)
                    print(
                        f"seeded in {seconds:.1f} s ({args.offers / seconds:,.0f} offers per second)"
                    )
            else:
                print(f"kept data reused ({args.keep})")
            with app.app_context():
                engine = db.session.get_bind().dialect.name
                print(f"database: {engine}; {args.offers:,} published offers, 4 search rows each")
                run_offers(args, today)
                if args.material_words:  # 0: the offers only
                    bench_material(args.material_words, args.queries)
                db.session.remove()
            assert db.engine is not None
            db.engine.dispose()
        finally:
            if admin is not None:
                if not args.keep:
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
