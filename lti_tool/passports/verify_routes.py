"""The public /verify page: anyone with a credential's link can check it, no launch needed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Response, render_template, request

from ..extensions import db
from . import credentials
from .blueprint import bp


@bp.get("/verify/<public_id>")
def verify(public_id: str) -> Any:
    result = credentials.verify(db.session(), public_id[:64])
    status = 404 if result.status == "unknown" else 200
    if request.args.get("format") == "json":
        body = {
            "status": result.status,
            "name": result.credential.achievement_name if result.credential else None,
            "valid_from": result.credential.valid_from.isoformat() if result.credential else None,
            "valid_until": result.credential.valid_until.isoformat()
            if result.credential and result.credential.valid_until
            else None,
            "revoked_at": result.credential.revoked_at.isoformat()
            if result.credential and result.credential.revoked_at
            else None,
        }
        return Response(json.dumps(body), status=status, mimetype="application/json")
    return render_template("passports/verify.html", result=result, today=dt.date.today()), status
