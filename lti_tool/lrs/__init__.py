"""The built-in LRS (``/xapi/``), recording, the forwarding job and the job that stores queued
statements; the logic lives in ``xapi``."""

from . import (
    forwarding,  # noqa: F401  # registers the forwarding job
    queued,  # noqa: F401  # registers the job that stores queued statements
)
from .routes import bp

__all__ = ["bp"]
