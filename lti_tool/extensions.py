"""Extensions created once here and bound to an app in ``create_app``."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from xapi.outbox import forwarding_info

from .engine import make_engine


class Database:
    """SQLAlchemy engine + a session scoped to each request (or CLI command).

    The libraries (``xapi``, ``learning_packages``) declare tables on their own ``MetaData`` so they
    stay free of Flask; this object only knows the list of metadatas it creates and migrates.
    """

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self._factory = sessionmaker(expire_on_commit=False)
        self.session: scoped_session[Session] = scoped_session(self._factory)
        self.metadatas: list[MetaData] = []

    def init_app(
        self, app: Flask, url: str, metadatas: list[MetaData], *, forward_statements: bool = False
    ) -> None:
        """``forward_statements``: an external LRS is configured, so the statement store queues
        what it stores in the forwarding outbox (decided here once, never by a caller)."""
        self.engine = make_engine(url)
        self._factory.configure(bind=self.engine, info=forwarding_info(forward_statements))
        self.metadatas = metadatas
        app.extensions["learnpass_db"] = self

        @app.teardown_appcontext
        def _remove_session(exc: BaseException | None) -> None:
            if exc is not None:
                self.session.rollback()
            self.session.remove()

    def create_all(self) -> None:
        assert self.engine is not None
        for metadata in self.metadatas:
            metadata.create_all(self.engine)

    def drop_all(self) -> None:
        assert self.engine is not None
        for metadata in reversed(self.metadatas):
            metadata.drop_all(self.engine)


db = Database()
babel = Babel()
csrf = CSRFProtect()
