"""Fetch a provider's offer feed through learnpass's guarded HTTP session.

The feed's address is chosen by a provider, so it is fetched like every other outgoing call
(``lti_tool.outgoing``): only public addresses unless the administrator allows internal ones
(``LEARNPASS_OUTGOING_ALLOW_PRIVATE`` / ``LEARNPASS_OUTGOING_ALLOW_NETWORKS``), every redirect
hop checked, a timeout, a deadline and a size cap. It is a conditional GET: the ETag and
Last-Modified of the previous run are sent, and a 304 gives a "not modified" report.

Parsing is the ``offer_formats`` library's (``offer_formats.feed.parse_feed``). **A broken feed
never deletes offers**: a failure of any kind (refused address, timeout, too large, an HTTP
error, a body that is not a feed) gives a report with ``error`` set and no records, and the
caller changes nothing; see ``FeedReport.complete`` for when missing offers may be withdrawn.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from flask import current_app
from flask_babel import gettext

from offer_formats.errors import N_
from offer_formats.feed import FeedReport, FeedResult, failed, parse_feed
from offer_formats.records import DEFAULT_TIMEZONE, Provider

from .outgoing import (
    GuardedSession,
    OutgoingPolicy,
    OutgoingRefused,
    RequestException,
    ResponseTooLarge,
    policy_from_settings,
)

log = logging.getLogger(__name__)

FEED_MAX_BYTES = 20 * 1024 * 1024  # about 40,000 offer dates in CSV; a flood is cut off
FEED_TIMEOUT = 20.0  # seconds per connect or read; the whole answer within 3 times that
ACCEPT = "application/ld+json, application/json;q=0.9, text/csv;q=0.9, */*;q=0.1"


def feed_policy() -> OutgoingPolicy:
    """The running app's outgoing rules with the feed's size and time limits (app context)."""
    policy = policy_from_settings(current_app.config["LEARNPASS"])
    return dataclasses.replace(policy, max_bytes=FEED_MAX_BYTES, timeout=FEED_TIMEOUT)


def fetch_feed(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    provider: Provider | None = None,
    default_language: str = "en",
    default_timezone: str = DEFAULT_TIMEZONE,
    policy: OutgoingPolicy | None = None,
) -> FeedResult:
    """Fetch and read one feed. ``etag`` and ``last_modified`` are the previous run's
    (``report.etag`` / ``report.last_modified``); ``policy`` defaults to ``feed_policy()``."""
    report = FeedReport(url=url, etag=etag, last_modified=last_modified)
    headers = {"Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    session = GuardedSession(policy or feed_policy())
    try:
        response = session.get(url, headers=headers)
    except OutgoingRefused as exc:
        return failed(report, N_("the feed address is refused: %(problem)s"), problem=exc)
    except ResponseTooLarge as exc:
        return failed(report, N_("the feed was refused: %(problem)s"), problem=exc)
    except RequestException as exc:
        return _unreachable(report, exc)
    finally:
        session.close()
    if response.status_code == 304:
        report.not_modified = True
        return FeedResult([], report)
    if response.status_code != 200:
        return failed(report, N_("the feed answered HTTP %(status)s"), status=response.status_code)
    report.etag = response.headers.get("ETag", "") or etag
    report.last_modified = response.headers.get("Last-Modified", "") or last_modified
    result = parse_feed(
        url,
        response.content,
        response.headers.get("Content-Type", ""),
        provider=provider,
        default_language=default_language,
        default_timezone=default_timezone,
        report=report,
    )
    if result.report.error:
        # A body that could not be read must be read again next time, not skipped as unchanged.
        result.report.etag, result.report.last_modified = etag, last_modified
    log.info(
        "feed %s: %d offers read, %d refused, error %s",
        url,
        result.report.rows_read,
        len(result.report.refused),
        result.report.error,
    )
    return result


def _unreachable(report: FeedReport, exc: RequestException) -> FeedResult:
    name = type(exc).__name__
    if "Timeout" in name:
        return failed(report, N_("the feed could not be fetched: no answer in time"))
    if name == "TooManyRedirects":
        return failed(report, N_("the feed could not be fetched: too many redirects"))
    return failed(
        report, N_("the feed could not be fetched: %(problem)s"), problem=str(exc) or name
    )


def reason_text(template: str, params: dict[str, Any]) -> str:
    """A refusal (``RowError.template`` / ``params``, ``FeedReport.error_template`` /
    ``error_params``) in the language of the current request (needs an app context)."""
    # gettext with keyword arguments fills %(name)s; without them the template is left as is.
    return gettext(template, **params)
