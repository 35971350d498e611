"""A cache write in the middle of a request never commits the request's pending work."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.extensions import db
from lti_tool.models import Course, KeyValue, Platform, utcnow
from lti_tool.shared_store import SharedStore, used_key


@pytest.mark.parametrize("flushed", [False, True], ids=["pending", "flushed"])
def test_cache_write_then_failure_leaves_the_request_row_unwritten(app, flushed):
    context_id = "half-" + uuid.uuid4().hex
    key = "cache:" + context_id

    def half_done() -> str:
        session = db.session()
        platform_id = session.scalars(select(Platform.id).order_by(Platform.id)).first()
        session.add(Course(platform_id=platform_id, context_id=context_id, title="half"))
        if flushed:
            session.flush()
        SharedStore(session).set(key, {"cached": True}, ttl=60)
        # The store's own view: the value is there for this request.
        assert SharedStore(session).get(key) == {"cached": True}
        raise RuntimeError("the request fails after the cache write")

    app.add_url_rule("/test/half-done", "half_done", half_done)
    response = app.test_client().get("/test/half-done")
    assert response.status_code == 500
    with app.app_context():
        assert db.session.scalars(select(Course).where(Course.context_id == context_id)).all() == []
        if not flushed:
            # Written on the store's own connection: the cache entry stays.
            assert SharedStore(db.session()).get(key) == {"cached": True}


def test_store_commit_does_not_end_the_callers_transaction(app):
    with app.app_context():
        session = db.session()
        platform_id = session.scalars(select(Platform.id).order_by(Platform.id)).first()
        course = Course(platform_id=platform_id, context_id="kept-" + uuid.uuid4().hex)
        session.add(course)
        store = SharedStore(session)
        assert store.add_once("once:" + course.context_id, 1, ttl=60)
        assert not store.add_once("once:" + course.context_id, 2, ttl=60)
        assert store.take("once:" + course.context_id) == 1
        session.rollback()
        assert (
            session.scalars(select(Course).where(Course.context_id == course.context_id)).all()
            == []
        )


def test_use_once_marks_each_key_once(app):
    """What a launch uses to use up its state and nonce in one statement (they are not stored:
    the login signs them into the state; what is used once is the mark)."""
    prefix = "take:" + uuid.uuid4().hex
    with app.app_context():
        session = db.session()
        store = SharedStore(session, join=True)
        keys = [prefix + "a", prefix + "b"]
        assert store.use_once(keys, 60) == set(keys)
        session.commit()
        assert store.use_once(keys, 60) == set()
        assert store.use_once([prefix + "b", prefix + "c"], 60) == {prefix + "c"}
        session.rollback()  # a refused launch rolls back: its marks are not kept
        assert store.use_once([prefix + "c"], 60) == {prefix + "c"}
        session.commit()
        assert store.get(used_key(prefix + "a")) is True
        # Kept for the time asked, then purged like any expired entry.
        expires = session.scalar(
            select(KeyValue.expires_at).where(KeyValue.key == used_key(prefix + "a"))
        )
        assert expires is not None and 30 < (expires - utcnow()).total_seconds() <= 60


def test_a_key_used_up_in_one_transaction_is_not_used_up_in_another(app):
    """Two launches posting the same token at once: one of them uses the state up."""
    key = "race:" + uuid.uuid4().hex
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time: the second waits for the first")
        with Session(db.engine) as first, Session(db.engine) as second:
            assert SharedStore(first, join=True).use_once([key], 60) == {key}
            waiting = threading.Thread(
                target=lambda: results.append(SharedStore(second, join=True).use_once([key], 60))
            )
            results: list[set[str]] = []
            waiting.start()
            first.commit()
            waiting.join(30)
            second.commit()
        assert results == [set()]
