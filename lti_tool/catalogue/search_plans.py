"""PostgreSQL: each statement of a search planned for its own words, never by a kept plan.

psycopg prepares a statement on the server once this connection has sent it five times
(``prepare_threshold``). PostgreSQL then plans it for its parameters five more times, and may
keep a *generic* plan, made without them, when that looks no costlier. A search's parameters are
its words (the ``tsquery`` text) and dates: how many rows a word matches, 100 or 85,000, decides
the plan, and a generic plan cannot know it. On the 100,000 offers of ``bench/catalogue.py``,
*common word, best match* took 57 ms (p50, wall) with kept plans and 30 to 37 ms planned each
time; *common word, title* 20 to 28 against 7.

So while a search runs, its connection prepares nothing (psycopg sends each statement unnamed,
which PostgreSQL plans for its parameters). The threshold is the connection's own and is put
back after the search, so the other pages' statements (the launch's, a passport's) are prepared
as before; a setting of the server (``plan_cache_mode``) would cost a statement to set and one
to put back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def planned_each_time(session: Session) -> Iterator[None]:
    """Within the block, ``session``'s connection prepares no statement (PostgreSQL; SQLite
    keeps no plans across statements of ours anyway)."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    driver = session.connection().connection.driver_connection
    kept = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = kept
