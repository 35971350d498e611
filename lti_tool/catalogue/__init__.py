"""The network catalogue: providers publish offers (texts per language, competences, format,
dates) that anyone can search, in nl / fr / de / en, without logging in.

Importing the package registers its tables, its routes, its eraser and the providers' start-page
link; the launch layer never imports it.
"""

from __future__ import annotations

from . import api_routes as _api_routes  # noqa: F401  (the search as JSON)
from . import demand_routes as _demand_routes  # noqa: F401  (demand per region and quarter)
from . import erasure as _erasure  # noqa: F401  (what an erase removes)
from . import feed_import as _feed_import  # noqa: F401  (the feeds job)
from . import feed_routes as _feed_routes  # noqa: F401  (the provider's feed page)
from . import import_routes as _import_routes  # noqa: F401  (CSV / JSON-LD import and export)
from . import interest_routes as _interest_routes  # noqa: F401  (marking interest in an offer)
from . import matching as _matching  # noqa: F401  (offers per competence, for gap reports)
from . import material as _material  # noqa: F401  (the knowledge base's tables)
from . import material_fts as _material_fts  # noqa: F401  (its FTS5 table, on SQLite)
from . import material_opens as _material_opens  # noqa: F401  (who opened which item)
from . import material_placement as _material_placement  # noqa: F401  (items in a course)
from . import material_routes as _material_routes  # noqa: F401  (knowledge-base pages)
from . import material_step as _material_step  # noqa: F401  (items as path steps)
from . import models as _models  # noqa: F401  (registers the tables)
from . import network_routes as _network_routes  # noqa: F401  (the coordinator's view)
from . import provider_routes as _provider_routes  # noqa: F401  (providers' pages)
from . import public_routes as _public_routes  # noqa: F401  (search and offer pages)
from . import search_indexes as _search_indexes  # noqa: F401  (an index per sort order)
from . import seat_refresh as _seat_refresh  # noqa: F401  (the catalogue-seats job)
from . import sqlite_fts as _sqlite_fts  # noqa: F401  (SQLite's FTS5 table beside them)
from .blueprint import bp

__all__ = ["bp"]
