"""Training offers in open formats: CSV and schema.org Course / CourseInstance JSON-LD.

A library without Flask (like ``xapi`` and ``learning_packages``): readers turn a file or a
feed body into plain ``OfferRecord`` dataclasses plus a list of refused rows with reasons;
writers turn records back into CSV or JSON-LD. The catalogue feature (``lti_tool.catalogue``)
maps the records to its tables; ``lti_tool.catalogue_feed`` fetches feeds. The formats are
documented for providers in docs/catalogue-formats.md.
"""

from .csv_format import CsvRead, read_csv, template_text, write_csv
from .feed import FeedReport, FeedResult, parse_feed, sniff_format
from .jsonld_read import JsonLdRead, read_jsonld
from .jsonld_write import course_jsonld, jsonld_document, script_json
from .records import (
    FORMATS,
    LANGUAGES,
    STATUSES,
    Competence,
    DateRecord,
    OfferRecord,
    Provider,
    RowError,
)

__all__ = [
    "FORMATS",
    "LANGUAGES",
    "STATUSES",
    "Competence",
    "CsvRead",
    "DateRecord",
    "FeedReport",
    "FeedResult",
    "JsonLdRead",
    "OfferRecord",
    "Provider",
    "RowError",
    "course_jsonld",
    "jsonld_document",
    "parse_feed",
    "read_csv",
    "read_jsonld",
    "script_json",
    "sniff_format",
    "template_text",
    "write_csv",
]
