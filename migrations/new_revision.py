"""Developer helper: autogenerate a migration from the models against a scratch SQLite database.

python migrations/new_revision.py "what changed"
"""

from __future__ import annotations

import sys
import tempfile

from alembic import command

from lti_tool import create_app
from lti_tool.cli import alembic_config

with tempfile.TemporaryDirectory() as tmp:
    app = create_app({"data_dir": tmp, "secret_key": "x", "demo": False})
    with app.app_context():
        cfg = alembic_config()
        command.upgrade(cfg, "head")
        command.revision(cfg, message=sys.argv[1], autogenerate=True)
