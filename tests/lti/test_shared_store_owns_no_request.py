"""A cache write in the middle of a request never commits the request's pending work."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Course, Platform
from lti_tool.shared_store import SharedStore


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


def test_take_all_takes_the_live_values_once(app):
    """What a launch uses to consume its nonce and state in one statement."""
    prefix = "take:" + uuid.uuid4().hex
    with app.app_context():
        session = db.session()
        store = SharedStore(session, join=True)
        store.set(prefix + "a", "A", ttl=60)
        store.set(prefix + "b", "B", ttl=60)
        store.set(prefix + "old", "O", ttl=-60)  # already expired
        session.commit()
        keys = [prefix + "a", prefix + "b", prefix + "old", prefix + "absent"]
        assert store.take_all(keys) == {prefix + "a": "A", prefix + "b": "B"}
        session.commit()
        assert store.take_all(keys) == {}
        assert store.get(prefix + "old") is None
