"""Read one run's log of the ADL LRS conformance suite (bin/conformance): print the summary and
every failed test, and exit 1 unless all the expected tests ran and passed.

Usage: conformance_log.py LOG_DIR VERSION EXPECTED_TOTAL
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def failures(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(title path, error) of each failed test without failed tests below it."""
    if not isinstance(node, dict):
        return
    here = (*path, str(node.get("title") or node.get("name") or ""))
    below = [t for t in node.get("tests") or [] if isinstance(t, dict)]
    failed_below = [t for t in below if t.get("status") == "failed"]
    if node.get("status") == "failed" and not failed_below:
        yield " / ".join(p for p in here if p), str(node.get("error") or "")
    for child in failed_below:
        yield from failures(child, here)


def main(log_dir: str, version: str, expected: int) -> int:
    logs = sorted(Path(log_dir).glob("*.log"))
    if len(logs) != 1:
        print(f"conformance {version}: expected one log in {log_dir}, found {len(logs)}")
        return 1
    record = json.loads(logs[0].read_text(encoding="utf-8"))
    summary = record.get("summary") or {}
    total, passed, failed = (summary.get(k) for k in ("total", "passed", "failed"))
    print(f"conformance {version}: {passed} of {total} passed, {failed} failed")
    for title, error in failures(record.get("log")):
        print(f"  FAILED {title}: {error[:300]}")
    return 0 if total == expected and passed == total and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
