"""CSV: round trips, the template, every kind of bad row, and spreadsheet injection."""

from __future__ import annotations

import csv
import io

import pytest

from offer_formats.csv_format import COLUMNS, read_csv, template_text, write_csv

from .samples import all_offers, classroom_offer

HEADER = "offer_ref,provider,format,title_nl,date_start,seats_left,city"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_records_to_csv_to_records_is_exact() -> None:
    offers = all_offers()
    text = write_csv(offers)
    records, errors = read_csv(text.encode("utf-8"))
    assert errors == []
    assert records == offers


def test_csv_to_records_to_csv_is_exact() -> None:
    text = write_csv(all_offers())
    again = write_csv(read_csv(text).records)
    assert again == text


def test_one_row_per_date_and_one_for_an_offer_without_dates() -> None:
    written = rows(write_csv(all_offers()))
    assert [r["offer_ref"] for r in written] == [
        "HEF-2027",
        "HEF-2027",
        "DSGVO-1",
        "LEAN-B",
        "EHBO",
    ]
    assert written[0]["date_start"] == "2027-03-14T09:00+01:00"
    assert written[1]["date_start"] == "2027-07-01T13:00+02:00"  # summer time
    assert written[0]["title_fr"] == "Conduire un chariot élévateur"
    assert written[0]["competences"].startswith("LOG-HEF-01=http://data.europa.eu/esco/")
    assert written[4]["date_start"] == "" and written[4]["price"] == ""
    assert list(written[0]) == list(COLUMNS)


def test_the_shipped_template_reads_without_errors() -> None:
    records, errors = read_csv(template_text())
    assert errors == []
    assert [r.ref for r in records] == ["HEF-2027", "DSGVO-ONLINE"]
    assert len(records[0].dates) == 2 and records[1].self_paced
    # The template shows every column.
    assert template_text().splitlines()[0].split(",") == list(COLUMNS)


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("bom", [True, False])
def test_semicolons_commas_tabs_with_or_without_a_bom(delimiter: str, bom: bool) -> None:
    text = write_csv(all_offers(), delimiter=delimiter)
    data = ("\ufeff" if bom else "") + text
    records, errors = read_csv(data.encode("utf-8"))
    assert errors == [] and records == all_offers()


def test_a_spreadsheet_row_per_offer_may_leave_repeated_columns_empty() -> None:
    text = (
        HEADER + "\n"
        "A1,Prov,classroom,Eerste,2027-03-01T09:00,5,Gent\n"
        ",,,,2027-03-08T09:00,4,Gent\n"  # no provider/ref: another offer, refused below
        "A1,Prov,,,2027-03-15T09:00,3,Brugge\n"
        "\n"
        "A2,Prov,online,Tweede,,,\n"
    )
    records, errors = read_csv(text)
    assert [r.ref for r in records] == ["A1", "A2"]
    assert [d.city for d in records[0].dates] == ["Gent", "Brugge"]
    assert records[1].dates == [] and records[1].format == "online"
    assert [(e.row, e.reason) for e in errors] == [
        (3, "the offer has no reference (offer_ref / courseCode)")
    ]


BAD_ROWS = [
    ("A1,Prov,classroom,,,,", "the offer has no title"),
    (",Prov,classroom,Titel,,,", "the offer has no reference"),
    ("A1,,classroom,Titel,,,", "the offer has no provider"),
    ("A1,Prov,spaceship,Titel,,,", "format 'spaceship' is not one of online, classroom, blended"),
    ("A1,Prov,classroom,Titel,14/03/2027,,", "date_start '14/03/2027' is not a date"),
    ("A1,Prov,classroom,Titel,2027-03-14,-1,", "seats left '-1' is not a whole number"),
    ("A1,Prov,classroom,Titel,2027-03-14,many,", "seats left 'many' is not a whole number"),
    ("A1,Prov,classroom,Titel,,3,Gent", "a row with a place or seats needs a date_start"),
    ("A1,Prov,classroom,Titel,,,,extra", "the row has 8 cells, the header 7"),
]


@pytest.mark.parametrize(("line", "reason"), BAD_ROWS)
def test_each_bad_row_is_reported_with_its_number_and_the_good_rows_are_kept(
    line: str, reason: str
) -> None:
    text = f"{HEADER}\nGOOD,Prov,online,Goed,,,\n{line}\nGOOD2,Prov,online,Ook goed,,,\n"
    records, errors = read_csv(text)
    assert [r.ref for r in records] == ["GOOD", "GOOD2"]
    assert len(errors) == 1 and errors[0].row == 3
    assert reason in errors[0].reason


EXTRA_COLUMNS = "offer_ref,provider,format,title_en,{col}"
BAD_VALUES = [
    ("hours", "lots", "hours 'lots' is not a number"),
    ("hours", "-2", "hours '-2' must be between 0 and"),
    ("price", "1e9", "must be between 0 and 1000000"),
    ("price", "NaN", "price 'NaN' must be between"),
    ("currency", "euro", "currency 'euro' is not a three-letter code"),
    ("status", "gone", "status 'gone' is not one of draft, published, withdrawn"),
    ("self_paced", "maybe", "self_paced 'maybe' is not yes or no"),
    ("languages", "Nederlands!", "language 'Nederlands!' is not a language code"),
    ("url", "javascript:alert(1)", "url 'javascript:alert(1)' is not an http or https address"),
    ("provider_url", "ftp://x.org", "provider_url 'ftp://x.org' is not an http or https"),
    ("competences", "A|<script>", "competence code '<script>' is not a code"),
    ("competences", "X=ftp://esco", "competence URI 'ftp://esco' is not an http or https"),
    ("timezone", "Mars/Olympus", "time zone 'Mars/Olympus' is not a known name"),
    ("country", "Belgium", "country 'Belgium' is not a two-letter code"),
    ("date_end", "2027-03-13", "date_end is before date_start"),
    ("title_nl", "x" * 501, "title_nl is longer than 500 characters"),
]


@pytest.mark.parametrize(("column", "value", "reason"), BAD_VALUES)
def test_each_bad_value_refuses_its_row(column: str, value: str, reason: str) -> None:
    dated = column in ("timezone", "country", "date_end")
    header = EXTRA_COLUMNS.format(col=column) + (",date_start" if dated else "")
    row = f"A1,Prov,online,Title,{value}" + (",2027-03-14" if dated else "")
    records, errors = read_csv(f"{header}\n{row}\nB1,Prov,online,Title,\n")
    assert [r.ref for r in records] == ["B1"]
    assert [e.row for e in errors] == [2] and reason in errors[0].reason, errors


def test_a_bad_date_row_refuses_its_whole_offer_and_says_so_for_every_row() -> None:
    text = (
        f"{HEADER}\n"
        "A1,Prov,classroom,Titel,2027-03-01,5,Gent\n"
        "A1,Prov,classroom,Titel,someday,5,Gent\n"
        "A1,Prov,classroom,Titel,2027-03-15,5,Gent\n"
        "B1,Prov,classroom,Ander,2027-03-15,5,Gent\n"
    )
    records, errors = read_csv(text)
    assert [r.ref for r in records] == ["B1"]
    assert [(e.row, e.ref) for e in errors] == [(2, "A1"), (3, "A1"), (4, "A1")]
    assert "someday" in errors[1].reason
    assert (
        errors[0].reason
        == errors[2].reason
        == ("not imported: another row of this offer was refused")
    )


def test_rows_of_one_offer_must_not_contradict_each_other() -> None:
    text = f"{HEADER}\nA1,Prov,classroom,Titel,2027-03-01,,\nA1,Prov,online,Titel,2027-03-08,,\n"
    records, errors = read_csv(text)
    assert records == []
    assert errors[1].row == 3 and "column 'format' differs from row 2" in errors[1].reason


def test_a_self_paced_offer_has_no_dates() -> None:
    text = "offer_ref,provider,format,title_en,self_paced,date_start\nA,P,online,T,yes,2027-01-01\n"
    records, errors = read_csv(text)
    assert records == [] and "a self-paced offer has no dates" in errors[0].reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"offer_ref,provider,format,title_nl\n\xff\xfe,x", "the file is not UTF-8 text"),
        (b"offer_ref,provider,format,titel_nl\nA,P,online,T\n", "unknown column 'titel_nl'"),
        (b"offer_ref,provider,title_nl\nA,P,T\n", "the header has no 'format' column"),
        (b"offer_ref,provider,format\nA,P,online\n", "the header has no title column"),
        (b"offer_ref,provider,format,title_nl,title_nl\n", "column 'title_nl' appears twice"),
        (b'offer_ref,provider,format,title_nl\nA,P,online,"unclosed\n', "not CSV as expected"),
    ],
)
def test_a_bad_file_gives_one_file_error_and_no_records(data: bytes, reason: str) -> None:
    records, errors = read_csv(data)
    assert records == []
    assert len(errors) == 1 and errors[0].row == 0 and reason in errors[0].reason
    assert str(errors[0]).startswith("file: ")


def test_too_many_rows_are_refused_as_a_whole() -> None:
    text = "offer_ref,provider,format,title_nl\n" + "".join(f"A{i},P,online,T\n" for i in range(5))
    records, errors = read_csv(text, max_rows=4)
    assert records == [] and "more than 4 rows" in errors[0].reason


def test_decimal_commas_and_format_words_of_the_network() -> None:
    text = "offer_ref;provider;format;title_fr;hours;price\nA;P;présentiel;T;7,5;99,95\n"
    (record,), errors = read_csv(text)
    assert errors == []
    assert record.format == "classroom" and str(record.hours) == "7.5"
    assert str(record.price) == "99.95"


# ------------------------------------------------------------------ injection


def test_script_tags_are_removed_from_imported_text() -> None:
    text = (
        "offer_ref,provider,format,title_nl,description_nl,target_group_nl\n"
        'A,<b>Prov</b>,online,"Veilig <script>alert(1)</script>werken",'
        '"<p onclick=""x()"">Tekst <img src=x onerror=alert(1)><a href=""javascript:alert(1)"">klik</a>'
        ' <a href=""https://ok.example.org"" target=_blank>ok</a></p><iframe src=x></iframe>",'
        '"<em>Iedereen</em>"\n'
    )
    (record,), errors = read_csv(text)
    assert errors == []
    assert record.provider.name == "Prov"
    assert record.title == {"nl": "Veilig werken"}
    assert record.description["nl"] == (
        '<p>Tekst <a rel="noopener nofollow">klik</a> '
        '<a href="https://ok.example.org" rel="noopener nofollow">ok</a></p>'
    )
    assert record.target_group == {"nl": "Iedereen"}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_formula_cells_are_neutralised_on_writing_and_read_back_as_typed(start: str) -> None:
    offer = classroom_offer()
    formula = start + 'HYPERLINK("https://evil.example","click")'
    offer.title["nl"] = formula
    offer.provider.name = start + "1+1"
    offer.funding = ["KMO", start + "SUM(A1:A9)"]
    text = write_csv([offer])
    for row in rows(text):
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
        assert row["title_nl"] == "'" + formula
        assert row["funding"] == "KMO|" + start + "SUM(A1:A9)"  # only a cell's start matters
    (back,), errors = read_csv(text)
    assert errors == []
    assert back.title["nl"] == formula.strip() and back.provider.name == (start + "1+1").strip()


def test_every_reason_is_a_template_the_tool_can_translate() -> None:
    from pathlib import Path

    from babel.messages.pofile import read_po

    from offer_formats.errors import english

    pot = Path(__file__).parents[2] / "lti_tool/translations/messages.pot"
    with pot.open("rb") as f:
        catalogue = read_po(f)
    lines = [f"{HEADER}\nGOOD,Prov,online,Goed,,,\n{line}\n" for line, _ in BAD_ROWS]
    lines += [
        f"{EXTRA_COLUMNS.format(col=column)}\nA1,Prov,online,Title,{value}\n"
        for column, value, _ in BAD_VALUES
        if column not in ("timezone", "country", "date_end")
    ]
    lines += [b"", b"offer_ref,provider,format,titel_nl\n"]  # type: ignore[list-item]
    seen = 0
    for data in lines:
        for error in read_csv(data).errors:
            assert english(error.template, error.params) == error.reason
            assert error.template in catalogue, error.template
            seen += 1
    assert seen >= len(BAD_ROWS) + 10
