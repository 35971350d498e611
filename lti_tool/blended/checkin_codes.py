"""The rotating codes of QR check-in: signed, short-lived, and naming nothing personal.

Time is cut in 30-second slots. For a session day and a slot the tool derives, with HMAC-SHA256
under the application's secret key:
- the QR code's URL part ``<day id>-<slot>-<signature>`` (the signature covers day and slot, so
  a code cannot be moved to another day or slot);
- a short typed code of 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z,
  5/S, 8/B), for phones that cannot scan; it is looked up among the days of the session the
  learner types it for.
A code is valid in its own slot and the next one (30 to 60 seconds), so a photo sent to an
absent colleague is useless a minute later. No Flask here: the key comes in as bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

SLOT_SECONDS = 30
VALID_SLOTS = 2  # the slot of the code and the one after it
TYPED_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
TYPED_LENGTH = 6


@dataclass(frozen=True)
class CheckinCode:
    day_id: int
    slot: int


class BadCode(Exception):
    """``reason`` is ``forged`` or ``expired``."""

    def __init__(self, reason: str, code: CheckinCode | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"learnpass checkin codes\0" + secret.encode()).digest()


def slot_of(moment: dt.datetime) -> int:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return int(aware.timestamp()) // SLOT_SECONDS


def slot_ends_at(slot: int) -> dt.datetime:
    """The naive UTC instant the code of ``slot`` stops being accepted."""
    end = (slot + VALID_SLOTS) * SLOT_SECONDS
    return dt.datetime.fromtimestamp(end, dt.UTC).replace(tzinfo=None)


def _signature(secret: str, day_id: int, slot: int) -> str:
    mac = hmac.new(_key(secret), f"qr:{day_id}:{slot}".encode(), hashlib.sha256)
    return mac.hexdigest()[:24]


def qr_code(secret: str, day_id: int, slot: int) -> str:
    return f"{day_id}-{slot}-{_signature(secret, day_id, slot)}"


def typed_code(secret: str, day_id: int, slot: int) -> str:
    digest = hmac.new(_key(secret), f"typed:{day_id}:{slot}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(TYPED_LENGTH):
        number, index = divmod(number, len(TYPED_ALPHABET))
        chars.append(TYPED_ALPHABET[index])
    return "".join(chars)


def read_qr_code(secret: str, text: str, now: dt.datetime) -> CheckinCode:
    """The day and slot of a scanned code, or ``BadCode``: forged (bad form or signature, or a
    slot from the future) or expired (signed, but its slot is over)."""
    parts = text.split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(parts[0]) > 12:
        raise BadCode("forged")
    day_id, slot = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(parts[2], _signature(secret, day_id, slot)):
        raise BadCode("forged")
    code = CheckinCode(day_id, slot)
    current = slot_of(now)
    if slot > current + 1:  # a little clock skew, never more
        raise BadCode("forged", code)
    if slot <= current - VALID_SLOTS:
        raise BadCode("expired", code)
    return code


def read_typed_code(
    secret: str, text: str, day_ids: list[int], now: dt.datetime
) -> CheckinCode | None:
    """Which of ``day_ids`` the typed code is valid for now, or ``None``."""
    typed = "".join(text.split()).upper()
    if len(typed) != TYPED_LENGTH:
        return None
    current = slot_of(now)
    for day_id in day_ids:
        for slot in range(current - VALID_SLOTS + 1, current + 1):
            if hmac.compare_digest(typed, typed_code(secret, day_id, slot)):
                return CheckinCode(day_id, slot)
    return None
