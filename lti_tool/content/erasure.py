"""What the player holds about a person, taken away when an admin erases them (see
``lti_tool.erasure``): SCORM attempts with their CMI data, cmi5 sessions and their LRS tokens."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from learning_packages import erasure as scorm_erasure
from xapi import auth

from ..erasure import register_eraser
from ..models import User
from .services import learner_key


def erase_player_data(session: Session, user: User) -> dict[str, Any]:
    erased = scorm_erasure.erase_learner(session, learner_key(user.id))
    for key in erased.client_keys:
        auth.revoke_client(session, key)
    return erased.as_counts()


register_eraser(erase_player_data)
