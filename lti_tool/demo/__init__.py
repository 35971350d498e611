"""A small LTI 1.3 platform built on ``lti1p3platform``, on only in demo mode.

It stands in for Moodle: it launches the tool as a learner, trainer or administrator, runs Deep
Linking, keeps a gradebook (Assignment and Grade Services) and a roster (Names and Role
Provisioning), and offers Dynamic Registration. The tests use it as their platform peer.
"""

from .routes import bp

__all__ = ["bp"]
