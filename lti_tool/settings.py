"""Settings read once at start-up from LEARNPASS_* environment variables.

An optional TOML file (LEARNPASS_CONFIG_FILE; by default ``config/learnpass.toml`` in a source
checkout, ``/etc/learnpass/learnpass.toml`` for an installed package, when it exists) gives the same keys in lower case; the environment wins. A bad value stops start-up with a
message that names the variable, so a typo never runs silently with a default.
"""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field, fields
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .networks import parse_networks
from .resources import PROJECT_ROOT, default_config_file, default_data_dir

# One address, as mail servers take it in an envelope: no spaces, brackets or lists.
MAIL_ADDRESS = r"[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+\.[^@\s<>,;:\"()\[\]]+"

__all__ = ["MAIL_ADDRESS", "PROJECT_ROOT", "Settings", "SettingsError"]


class SettingsError(ValueError):
    """A setting has a value learnpass cannot use."""


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"LEARNPASS_{name.upper()} must be true or false, not {raw!r}")


def _parse_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(
            f"LEARNPASS_{name.upper()} must be a whole number, not {raw!r}"
        ) from None


@dataclass
class Settings:
    """Every setting learnpass reads; see docs/configuration.md."""

    database_url: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:5000"
    content_url: str = ""
    data_dir: str = ""
    demo: bool = False
    demo_platform_url: str = ""
    debug: bool = False
    tool_title: str = "learnpass"
    default_locale: str = "en"
    key_rotation_grace_days: int = 7
    http_timeout: int = 10
    outgoing_allow_private: bool = False
    outgoing_allow_networks: str = ""
    # Dynamic Registration with a platform on plain http:// (a lab Moodle); never in production.
    allow_http_platforms: bool = False
    jwks_refetch_cooldown: int = 60
    launch_data_lifetime: int = 7200
    secure_cookies: bool = True
    open_registration: bool = False
    registration_invite_hours: int = 72
    xapi_forward_url: str = ""
    xapi_forward_key: str = ""
    xapi_forward_secret: str = ""
    max_upload_mb: int = 2048
    lrs_auth_failures_per_client: int = 10
    lrs_auth_failures_per_address: int = 50
    lrs_auth_failure_window: int = 300
    frame_ancestors: str = "*"
    # Mail (lti_tool/mail, docs/configuration.md#mail): on when an SMTP host is set.
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_security: str = "starttls"
    smtp_timeout: int = 30
    mail_from: str = ""
    mail_enabled: bool = True
    mail_max_attempts: int = 8
    # Days before a booked session's first day when the learner gets a reminder.
    session_reminder_days: int = 2
    passport_reminder_days: int = 60
    # Attendance check-in (docs/blended.md#attendance): minutes a check-in is accepted before a
    # session day starts and after it ends, and seconds a pending check-in waits for a launch
    # beyond the code's own validity.
    checkin_minutes_before: int = 30
    checkin_minutes_after: int = 30
    checkin_grace_seconds: int = 900
    # Survey reports (docs/surveys.md#reports): a group (company, department, role...) with fewer
    # responses than this is left out of every figure, chart and export, so no one is singled out.
    survey_min_group: int = 5
    # Survey drafts (docs/surveys.md#drafts): a response saved but never submitted, started more
    # than this many days ago, is deleted by the jobs runner.
    survey_draft_days: int = 90
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(
        cls, environ: dict[str, str] | None = None, overrides: dict[str, Any] | None = None
    ) -> Settings:
        """Read the environment (and config file); ``overrides`` (tests, scripts) win over both."""
        env = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        config_file = env.get("LEARNPASS_CONFIG_FILE") or str(default_config_file())
        path = Path(config_file)
        if path.is_file():
            try:
                values.update(tomllib.loads(path.read_text(encoding="utf-8")))
            except tomllib.TOMLDecodeError as exc:
                raise SettingsError(f"{path}: {exc}") from exc
        elif "LEARNPASS_CONFIG_FILE" in env:
            raise SettingsError(f"LEARNPASS_CONFIG_FILE names {config_file}, which does not exist")
        known = {f.name: f for f in fields(cls) if f.name != "extra"}
        for key in list(values):
            if key not in known:
                raise SettingsError(f"{path}: unknown setting {key!r}")
        for name, f in known.items():
            raw = env.get(f"LEARNPASS_{name.upper()}")
            if raw is None:
                continue
            if f.type in ("bool", bool):
                values[name] = _parse_bool(name, raw)
            elif f.type in ("int", int):
                values[name] = _parse_int(name, raw)
            else:
                values[name] = raw
        if not values.get("database_url") and env.get("DATABASE_URL"):
            values["database_url"] = env["DATABASE_URL"]
        values.update(overrides or {})
        settings = cls(**values)
        settings.finish()
        return settings

    def finish(self) -> None:
        """Fill derived defaults and check values that depend on each other."""
        if not self.data_dir:
            self.data_dir = str(default_data_dir())
        if not self.database_url:
            self.database_url = "sqlite:///" + str(Path(self.data_dir) / "learnpass.db")
        if not self.secret_key:
            if not (self.demo or self.debug):
                raise SettingsError(
                    "LEARNPASS_SECRET_KEY is required outside demo mode "
                    "(generate one with: python -c 'import secrets; print(secrets.token_hex(32))')"
                )
            self.secret_key = _demo_secret(Path(self.data_dir))
        if not self.base_url.startswith(("http://", "https://")):
            raise SettingsError(
                f"LEARNPASS_BASE_URL must start with http:// or https://, not {self.base_url!r}"
            )
        self.base_url = self.base_url.rstrip("/")
        self.content_url = _content_origin(self.content_url, self.base_url, self.demo or self.debug)
        self.demo_platform_url = (self.demo_platform_url or self.base_url).rstrip("/")
        if self.default_locale not in ("en", "nl", "fr", "de"):
            raise SettingsError("LEARNPASS_DEFAULT_LOCALE must be one of en, nl, fr, de")
        if self.http_timeout <= 0:
            raise SettingsError("LEARNPASS_HTTP_TIMEOUT must be positive")
        try:
            parse_networks(self.outgoing_allow_networks)
        except ValueError as exc:
            raise SettingsError(f"LEARNPASS_OUTGOING_ALLOW_NETWORKS: {exc}") from None
        for name in (
            "lrs_auth_failures_per_client",
            "lrs_auth_failures_per_address",
            "lrs_auth_failure_window",
        ):
            if getattr(self, name) <= 0:
                raise SettingsError(f"LEARNPASS_{name.upper()} must be positive")
        if self.survey_min_group < 1:
            raise SettingsError("LEARNPASS_SURVEY_MIN_GROUP must be 1 or more")
        if self.survey_draft_days < 1:
            raise SettingsError("LEARNPASS_SURVEY_DRAFT_DAYS must be 1 or more")
        self._check_mail()
        self.frame_ancestors = " ".join(self.frame_ancestors.split()) or "*"
        for source in self.frame_ancestors.split():
            if source not in ("*", "'self'", "'none'") and not re.fullmatch(
                r"https?://[^\s/;,'\"]+", source
            ):
                raise SettingsError(
                    "LEARNPASS_FRAME_ANCESTORS must list origins such as https://lms.example.org"
                    f" (or *, 'self'), not {source!r}"
                )

    def _check_mail(self) -> None:
        self.smtp_host = self.smtp_host.strip()
        self.smtp_security = self.smtp_security.strip().lower()
        if self.smtp_security not in ("starttls", "ssl", "none"):
            raise SettingsError(
                f"LEARNPASS_SMTP_SECURITY must be starttls, ssl or none, not {self.smtp_security!r}"
            )
        if not self.smtp_port:
            self.smtp_port = {"starttls": 587, "ssl": 465, "none": 25}[self.smtp_security]
        if not 0 < self.smtp_port < 65536:
            raise SettingsError(f"LEARNPASS_SMTP_PORT must be a port number, not {self.smtp_port}")
        if self.smtp_timeout <= 0 or self.mail_max_attempts <= 0:
            raise SettingsError(
                "LEARNPASS_SMTP_TIMEOUT and LEARNPASS_MAIL_MAX_ATTEMPTS must be positive"
            )
        if not self.smtp_host:
            return
        if not re.fullmatch(MAIL_ADDRESS, parseaddr(self.mail_from)[1]) or re.search(
            r"[\r\n]", self.mail_from
        ):
            raise SettingsError(
                "LEARNPASS_MAIL_FROM must be the address mails come from, e.g. "
                "learnpass@example.org or 'Training team <learnpass@example.org>' "
                f"(LEARNPASS_SMTP_HOST is set), not {self.mail_from!r}"
            )
        if (
            self.smtp_user
            and self.smtp_security == "none"
            and self.smtp_host not in ("localhost", "127.0.0.1", "::1")
        ):
            raise SettingsError(
                "LEARNPASS_SMTP_USER with LEARNPASS_SMTP_SECURITY=none would send the password "
                "unencrypted: use starttls or ssl"
            )

    @property
    def mail_on(self) -> bool:
        """Whether the mail job sends: an SMTP host is set and mail is not switched off."""
        return bool(self.smtp_host) and self.mail_enabled


def _content_origin(content_url: str, base_url: str, demo: bool) -> str:
    """The origin package and uploaded files are served from (docs/security.md): another host
    name than the tool's, since browsers share cookies between the ports of one host. Demo and
    debug runs derive one on loopback (127.0.0.1 and localhost swapped, the next port)."""
    tool = urlsplit(base_url)
    if not content_url:
        swapped = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(tool.hostname or "")
        if not demo:
            raise SettingsError(
                "LEARNPASS_CONTENT_URL is required outside demo mode: the address (another host "
                "name than LEARNPASS_BASE_URL's) that serves course packages and uploaded files, "
                "e.g. https://content.example.org (see docs/deployment.md)"
            )
        if swapped is None:
            raise SettingsError(
                "LEARNPASS_CONTENT_URL is required when LEARNPASS_BASE_URL is not on 127.0.0.1 or "
                "localhost: give another host name that reaches this server"
            )
        content_url = f"{tool.scheme}://{swapped}:{(tool.port or 80) + 1}"
    content = urlsplit(content_url.rstrip("/"))
    if content.scheme not in ("http", "https") or not content.hostname:
        raise SettingsError(
            f"LEARNPASS_CONTENT_URL must start with http:// or https://, not {content_url!r}"
        )
    if content.path or content.query or content.fragment:
        raise SettingsError(
            f"LEARNPASS_CONTENT_URL must be an origin (scheme, host name, port), not {content_url!r}"
        )
    if content.hostname == tool.hostname:
        raise SettingsError(
            "LEARNPASS_CONTENT_URL must use another host name than LEARNPASS_BASE_URL "
            "(browsers share cookies between the ports of one host)"
        )
    return f"{content.scheme}://{content.netloc}"


def _demo_secret(data_dir: Path) -> str:
    """Demo mode keeps a generated secret in the data folder so restarts keep sessions."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "demo-secret-key"
    if path.is_file():
        return path.read_text().strip()
    value = secrets.token_hex(32)
    path.write_text(value)
    path.chmod(0o600)
    return value
