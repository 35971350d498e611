"""The app a bench measures: learnpass on the given database, with an empty schema.

Not a bench of its own (tests/test_benches.py): blended.py, catalogue.py, passport.py and
surveys.py build their app here, each adding the settings it needs (``demo``, ``content_url``).
"""

from __future__ import annotations

from typing import Any

from lti_tool import create_app
from lti_tool.extensions import db


def bench_app(database_url: str, data_dir: str, **settings: Any) -> Any:
    """An app on ``database_url`` as it is (a bench's kept data: ``--keep``)."""
    return create_app(
        {
            "database_url": database_url,
            "data_dir": data_dir,
            "secret_key": "bench",
            "base_url": "http://127.0.0.1:5999",
            "secure_cookies": False,
            "TESTING": True,
            **settings,
        }
    )


def fresh_app(database_url: str, data_dir: str, **settings: Any) -> Any:
    """An app on ``database_url`` whose tables were dropped and made again."""
    app = bench_app(database_url, data_dir, **settings)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app
