"""The built-in LRS (``/xapi/``), recording and the forwarding job; the logic lives in ``xapi``."""

from . import forwarding  # noqa: F401  # registers the forwarding job
from .routes import bp

__all__ = ["bp"]
