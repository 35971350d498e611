"""``learnpass lrs client ...`` (LRS credentials) and ``learnpass xapi ...`` (forward, export)."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from xapi import auth, partitioning
from xapi.models import StatementError, StatementValidator
from xapi.store import StatementQuery, StatementStore

from ..extensions import db
from ..models import Platform


@click.group("lrs")
def lrs_group() -> None:
    """The built-in LRS at /xapi/."""


@lrs_group.group("client")
def client_group() -> None:
    """LRS clients (HTTP Basic credentials with scopes)."""


@client_group.command("add")
@click.option("--name", required=True, help="Who uses these credentials")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    help=f"One of {', '.join(auth.SCOPES)}; may repeat",
)
@click.option("--key", default=None, help="Username for HTTP Basic (generated if not given)")
@click.option("--secret", default=None, help="Password for HTTP Basic (generated if not given)")
@click.option(
    "--platform",
    "issuer",
    default=None,
    help="Bind to one registered platform (its issuer): the client sees only its data",
)
@click.option(
    "--xapi-version",
    type=click.Choice(auth.XAPI_VERSIONS),
    default=auth.XAPI_VERSIONS[0],
    show_default=True,
    help="The xAPI version the client speaks: named in the answer to a request that forgets "
    "the X-Experience-API-Version header",
)
@with_appcontext
def client_add(
    name: str,
    scopes: tuple[str, ...],
    key: str | None,
    secret: str | None,
    issuer: str | None,
    xapi_version: str,
) -> None:
    """Create an LRS client; the secret is printed once and only stored hashed."""
    if issuer is not None:
        _require_platform(issuer)
    try:
        parsed = auth.parse_scopes(scopes)
        key, secret = auth.add_client(
            db.session(), name, parsed, key, secret, tenant=issuer, xapi_version=xapi_version
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"LRS client {name!r} with scopes {' '.join(parsed)}")
    click.echo(
        f"platform: {issuer} (sees only this platform's statements and documents)"
        if issuer
        else "platform: all (an organisation-wide client: sees every platform's data)"
    )
    click.echo(f"xAPI:     {xapi_version}")
    click.echo(f"endpoint: {current_app.config['LEARNPASS'].base_url}/xapi/")
    click.echo(f"key:      {key}")
    click.echo(f"secret:   {secret}")
    click.echo("The secret is not shown again; learnpass keeps only a hash of it.")


@client_group.command("list")
@with_appcontext
def client_list() -> None:
    """List LRS clients (never their secrets)."""
    clients = auth.list_clients(db.session())
    if not clients:
        click.echo("no LRS clients")
    for c in clients:
        state = "active" if c["revoked_at"] is None else f"revoked {c['revoked_at']:%Y-%m-%d}"
        platform = c["tenant"] or "all platforms"
        click.echo(
            f"{c['key']}\t{c['name']}\t{c['scopes']}\t{platform}\txAPI {c['xapi_version']}\t{state}"
        )


@client_group.command("revoke")
@click.option("--key", required=True)
@with_appcontext
def client_revoke(key: str) -> None:
    """Revoke an LRS client: its credentials stop working at once."""
    if not auth.revoke_client(db.session(), key):
        raise click.ClickException(f"no active LRS client with key {key!r}")
    db.session.commit()
    click.echo(f"revoked {key}")


def _require_platform(issuer: str) -> None:
    """A bound client or an export names a platform that is registered, exactly."""
    known = db.session.execute(select(Platform.id).where(Platform.issuer == issuer)).first()
    if known is None:
        raise click.ClickException(
            f"no platform with issuer {issuer} is registered; see the issuers with "
            "'learnpass platform list' (the issuer must match exactly)"
        )


@click.group("xapi")
def xapi_group() -> None:
    """xAPI statements: forwarding to another LRS, export for analysts."""


EXPORT_COLUMNS = (
    "id",
    "timestamp",
    "stored",
    "actor",
    "verb",
    "object",
    "success",
    "completion",
    "score_scaled",
    "registration",
)


def _csv_row(statement: dict[str, Any]) -> list[Any]:
    actor = statement.get("actor", {})
    account = actor.get("account", {})
    who = (
        f"{account.get('homePage')}|{account.get('name')}"
        if account
        else actor.get("mbox") or actor.get("openid") or actor.get("mbox_sha1sum") or ""
    )
    result = statement.get("result", {})
    return [
        statement["id"],
        statement.get("timestamp"),
        statement.get("stored"),
        who,
        statement["verb"]["id"],
        statement["object"].get("id", ""),
        result.get("success", ""),
        result.get("completion", ""),
        result.get("score", {}).get("scaled", ""),
        statement.get("context", {}).get("registration", ""),
    ]


@xapi_group.command("export")
@click.option("--since", default=None, help="Stored after this ISO 8601 time")
@click.option("--until", default=None, help="Stored at or before this ISO 8601 time")
@click.option("--verb", default=None, help="Verb IRI (or ADL short name such as completed)")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl")
@click.option(
    "--platform", "issuer", default=None, help="Only this platform's statements (its issuer)"
)
@with_appcontext
def xapi_export(
    since: str | None, until: str | None, verb: str | None, fmt: str, issuer: str | None
) -> None:
    """Stream statements (oldest first) to standard output, a page at a time."""
    from xapi.vocab import verb_iri

    if issuer is not None:
        _require_platform(issuer)
    validator = StatementValidator()
    try:
        query = StatementQuery(
            since=validator.timestamp(since, "since") if since else None,
            until=validator.timestamp(until, "until") if until else None,
            verb=verb_iri(verb) if verb else None,
        )
    except (StatementError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    out = sys.stdout
    writer = csv.writer(out) if fmt == "csv" else None
    if writer:
        writer.writerow(EXPORT_COLUMNS)
    for statement in StatementStore(db.session(), tenant=issuer).iterate(query):
        if writer:
            writer.writerow(_csv_row(statement))
        else:
            out.write(json.dumps(statement, ensure_ascii=False) + "\n")


def forward_settings() -> Any:
    from xapi.forward import ForwardSettings

    settings = current_app.config["LEARNPASS"]
    if not settings.xapi_forward_url:
        return None
    return ForwardSettings(
        url=settings.xapi_forward_url,
        key=settings.xapi_forward_key,
        secret=settings.xapi_forward_secret,
        timeout=float(settings.http_timeout),
    )


@xapi_group.command("forward")
@click.option("--once", is_flag=True, help="Send what is due now, then exit")
@click.option("--batch-size", default=100, show_default=True, type=click.IntRange(1, 1000))
@with_appcontext
def xapi_forward(once: bool, batch_size: int) -> None:
    """Send queued statements to LEARNPASS_XAPI_FORWARD_URL (runs until stopped unless --once)."""
    import threading

    from xapi.forward import Forwarder, pending_count

    from ..outgoing import http_session

    target = forward_settings()
    if target is None:
        raise click.ClickException(
            "set LEARNPASS_XAPI_FORWARD_URL (and _KEY, _SECRET) to forward statements"
        )
    target.batch_size = batch_size
    forwarder = Forwarder(target, http_session())
    if once:
        report = forwarder.drain(db.session())
        click.echo(
            f"delivered {report.delivered}, failed {report.failed}, "
            f"pending {pending_count(db.session())}"
        )
        db.session.commit()
        return
    click.echo(f"forwarding statements to {target.url} (Ctrl+C stops)")
    stop = threading.Event()
    try:
        forwarder.run_forever(db.session, stop)
    except KeyboardInterrupt:
        stop.set()


@xapi_group.command("purge-outbox")
@with_appcontext
def xapi_purge_outbox() -> None:
    """Empty the forwarding outbox when no external LRS is set (statements stay in the LRS)."""
    from xapi.outbox import purge

    if forward_settings() is not None:
        raise click.ClickException(
            "LEARNPASS_XAPI_FORWARD_URL is set: the outbox holds statements still to be sent; "
            "nothing was removed"
        )
    removed = purge(db.session())
    db.session.commit()
    click.echo(f"removed {removed} queued statements; nothing is forwarded, nothing is queued")


@xapi_group.command("partition-statements")
@click.option("--months-ahead", default=3, show_default=True, help="Monthly partitions to create")
@click.option("--yes", is_flag=True, help="Do it (without it, only say what would happen)")
@with_appcontext
def xapi_partition_statements(months_ahead: int, yes: bool) -> None:
    """PostgreSQL: partition the statements table by month (opt-in; see docs/scaling.md)."""
    assert db.engine is not None
    if not yes:
        click.echo(
            "Would partition xapi_statement by month of stored: the table becomes the partition "
            f"of everything stored before next month, {months_ahead} monthly partitions and a "
            "default one follow, ids stay unique through xapi_statement_key. Reads and writes of "
            "statements wait while it runs (see docs/scaling.md). Run again with --yes to do it."
        )
        return
    try:
        report = partitioning.partition_statements(db.engine, months_ahead=months_ahead)
    except partitioning.PartitioningError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"partitioned: {report.history_rows} statements stored before "
        f"{report.cutoff:%Y-%m-%d} in {report.partitions[0]}; "
        f"partitions: {', '.join(report.partitions)}"
    )


@xapi_group.command("add-partitions")
@click.option("--months", default=3, show_default=True, help="Months from next month on")
@with_appcontext
def xapi_add_partitions(months: int) -> None:
    """PostgreSQL, once partitioned: create the coming months' partitions (run it monthly)."""
    assert db.engine is not None
    with db.engine.begin() as conn:
        if db.engine.dialect.name != "postgresql" or not partitioning.is_partitioned(conn):
            raise click.ClickException("xapi_statement is not partitioned (see docs/scaling.md)")
        created = partitioning.add_month_partitions(
            conn, start=partitioning.month_start(datetime.now(UTC), 1), months=months
        )
    click.echo(f"created: {', '.join(created)}" if created else "all partitions exist already")
