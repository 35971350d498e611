"""A provider's offer feed read into the catalogue, by the jobs runner or on a member's request.

The feed is fetched through the guarded HTTP session (``lti_tool.catalogue_feed``: checked
addresses, size and time limits, conditional GET) and read by the ``offer_formats`` library; its
offers are written like an upload's (``offer_import.import_records``), except that the feed is the
provider's live list: an offer is published or withdrawn as its record says, and an offer with a
key (``offer_ref``) that a *complete* feed no longer lists is withdrawn (never deleted; offers made
with the form have no key and are never touched). **A broken feed never withdraws anything**: a
failed fetch, an unreadable body, or a single refused row leaves every offer as it was.

Several instances may run the job at once: a provider is taken with a compare-and-set on its
``feed_next_at`` (one UPDATE that only one instance can win), so each feed is read once per turn.
Every run leaves a ``CatalogueFeedRun`` report, the provider's last ``RUNS_KEPT``.
"""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from offer_formats import Provider

from ..catalogue_feed import fetch_feed
from ..extensions import db
from ..jobs import register_job
from ..models import utcnow
from .models import CatalogueFeedRun, CatalogueOffer, CatalogueProvider
from .offer_import import import_records
from .offers import withdraw_offer

log = logging.getLogger(__name__)

RUNS_KEPT = 20
EVERY_HOURS = (1, 6, 24, 168)  # the choices a provider has: hourly, 4 times a day, daily, weekly
PER_TURN = 5  # feeds one instance reads per turn of the job


class FeedSettingRefused(ValueError):
    """A feed address the catalogue does not take; the message is for the provider."""


def check_feed_url(url: str) -> str:
    """The address as stored ("" turns the feed off); refuses what is not a plain http(s) URL.
    Which hosts may be reached is decided when it is fetched (the guarded session)."""
    url = url.strip()
    if not url:
        return ""
    if len(url) > 1024:
        raise FeedSettingRefused(_l("The address is too long (at most 1,024 characters)."))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedSettingRefused(_l("Give an address that starts with https:// or http://."))
    if parts.username or parts.password:
        raise FeedSettingRefused(
            _l(
                "An address with a user name or password in it is refused: publish the feed "
                "without them."
            )
        )
    return url


def set_feed(session: Session, provider: CatalogueProvider, url: str, every_hours: int) -> None:
    """Change the provider's feed; a new address is read at the next turn of the job."""
    url = check_feed_url(url)
    if every_hours not in EVERY_HOURS:
        raise FeedSettingRefused(_l("Choose how often the feed is read from the list."))
    if url != provider.feed_url:
        provider.feed_etag = provider.feed_last_modified = ""
        provider.feed_next_at = utcnow() if url else None
    provider.feed_url = url
    provider.feed_every_hours = every_hours


def take(session: Session, provider: CatalogueProvider, now: dt.datetime) -> bool:
    """Claim the provider's next reading; False when another instance has just claimed it.
    Commits the claim, so the other instances see it at once."""
    seen = provider.feed_next_at
    taken = session.execute(
        update(CatalogueProvider)
        .where(
            CatalogueProvider.id == provider.id,
            CatalogueProvider.feed_url != "",
            CatalogueProvider.feed_next_at.is_(None)
            if seen is None
            else CatalogueProvider.feed_next_at == seen,
        )
        .values(feed_next_at=now + dt.timedelta(hours=provider.feed_every_hours))
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    session.refresh(provider)
    return taken == 1


def run_feed(session: Session, provider: CatalogueProvider) -> CatalogueFeedRun:
    """Read the feed once and write what it says; the caller commits."""
    result = fetch_feed(
        provider.feed_url,
        etag=provider.feed_etag,
        last_modified=provider.feed_last_modified,
        provider=Provider(provider.name, provider.website),
    )
    feed = result.report
    run = CatalogueFeedRun(
        provider_id=provider.id,
        url=provider.feed_url,
        at=utcnow(),
        not_modified=feed.not_modified,
        format=feed.format,
        rows_read=feed.rows_read,
        created=0,
        updated=0,
        withdrawn=0,
        refused=[],
        error_template=feed.error_template,
        error_params=dict(feed.error_params),
    )
    if result.records:
        report = import_records(
            session, provider, result.records, feed.refused, None, follow_status=True
        )
        run.created, run.updated = report.created, report.updated
        run.refused = [
            {"row": e.row, "ref": e.ref, "template": e.template, "params": e.params}
            for e in report.errors
        ]
        if feed.complete and not report.errors:
            run.withdrawn = _withdraw_missing(session, provider, {r.ref for r in result.records})
    if feed.error is None:
        provider.feed_etag, provider.feed_last_modified = feed.etag, feed.last_modified
    session.add(run)
    session.flush()
    _keep_last_runs(session, provider.id)
    return run


def _withdraw_missing(session: Session, provider: CatalogueProvider, listed: set[str]) -> int:
    gone = session.scalars(
        select(CatalogueOffer).where(
            CatalogueOffer.provider_id == provider.id,
            CatalogueOffer.ref.is_not(None),
            CatalogueOffer.status == "published",
        )
    ).all()
    return sum(
        1 for offer in gone if offer.ref not in listed and withdraw_offer(session, offer, None)
    )


def _keep_last_runs(session: Session, provider_id: int) -> None:
    old = (
        select(CatalogueFeedRun.id)
        .where(CatalogueFeedRun.provider_id == provider_id)
        .order_by(CatalogueFeedRun.id.desc())
        .offset(RUNS_KEPT)
    )
    session.execute(delete(CatalogueFeedRun).where(CatalogueFeedRun.id.in_(old)))


def runs(session: Session, provider_id: int) -> list[CatalogueFeedRun]:
    return list(
        session.scalars(
            select(CatalogueFeedRun)
            .where(CatalogueFeedRun.provider_id == provider_id)
            .order_by(CatalogueFeedRun.id.desc())
        )
    )


def read_due_feeds(now: dt.datetime | None = None) -> int:
    """The job: read the feeds that are due (at most ``PER_TURN``); how many were read."""
    session = db.session()
    now = now or utcnow()
    due = session.scalars(
        select(CatalogueProvider)
        .where(CatalogueProvider.feed_url != "", CatalogueProvider.feed_next_at <= now)
        .order_by(CatalogueProvider.feed_next_at)
        .limit(PER_TURN)
    ).all()
    done = 0
    for provider in due:
        if not take(session, provider, now):
            continue
        try:
            run_feed(session, provider)
            session.commit()
            done += 1
        except Exception:  # one provider's trouble must not stop the others' feeds
            log.exception("catalogue feed of provider %s failed", provider.id)
            session.rollback()
    return done


register_job("catalogue-feeds", read_due_feeds, every_seconds=60)
