"""What features do when a launch lands, without the launch layer knowing them.

A feature registers a callback; after a launch is verified and its session is set, each callback
gets the launch and may name another page to land on (the first one named wins), e.g. the page
that completes a QR check-in kept pending in this browser. Deep Linking launches are left alone.
A callback writes in the launch's transaction and does not commit: the launch commits its rows,
its statement, its session and what the callbacks wrote at once.
"""

from __future__ import annotations

from collections.abc import Callable

from .context import LaunchContext

AfterLaunch = Callable[[LaunchContext], str | None]

_callbacks: list[AfterLaunch] = []


def register_after_launch(callback: AfterLaunch) -> None:
    if callback not in _callbacks:
        _callbacks.append(callback)


def run_after_launch(ctx: LaunchContext) -> str | None:
    """Run every callback; the first page one of them names, or ``None``."""
    destination = None
    for callback in _callbacks:
        named = callback(ctx)
        if destination is None and named:
            destination = named
    return destination
