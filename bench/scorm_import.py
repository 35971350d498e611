"""Benchmark: import a generated SCORM package (default 200 MB in 5,000 files).

Prints seconds, MB/s and peak memory for ``learning_packages.package.import_package`` beside Python's
own ``zipfile`` extraction of the same zip (the floor: the same bytes inflated and written, with
no checks and no database). Each run happens in a fresh process so its peak memory is its own;
a package a quarter the size with the same number of files shows whether peak memory grows with
package size (it should not; it grows a little with the number of files, one small record each).
``--heap`` also traces the Python heap (slower: tracemalloc hooks every allocation).
Then it times the ``learnpass`` command itself: ``scorm list``, which answers without building the
web app, beside ``platform list``, which builds it (median wall time of several runs).

    .venv/bin/python bench/scorm_import.py [--mb 200] [--files 5000] [--keep]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench.{mb}mb" version="1"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="o"><organization identifier="o">
    <title>Benchmark {mb} MB</title>{items}</organization></organizations>
  <resources>{resources}</resources>
</manifest>"""


def generate(path: Path, total_mb: int, files: int) -> None:
    """Media-like package: mostly incompressible files (video, images) and some text pages."""
    rng = random.Random(42)
    size = total_mb * 1024 * 1024 // files
    scos = 20
    items = "".join(
        f'<item identifier="i{n}" identifierref="r{n}"><title>Lesson {n}</title></item>'
        for n in range(scos)
    )
    resources = "".join(
        f'<resource identifier="r{n}" type="webcontent" adlcp:scormType="sco" '
        f'href="lesson{n}/index.html"/>'
        for n in range(scos)
    )
    page = ("<!doctype html><title>x</title>" + "<p>Text of the lesson.</p>" * 200).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr(
            "imsmanifest.xml", MANIFEST.format(mb=total_mb, items=items, resources=resources)
        )
        for n in range(scos):
            zf.writestr(f"lesson{n}/index.html", page)
        for n in range(files - scos - 1):
            if n % 10 == 0:
                zf.writestr(f"lesson{n % scos}/text/page{n}.html", page)
            else:
                zf.writestr(f"lesson{n % scos}/media/clip{n}.bin", rng.randbytes(size))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _trace() -> None:
    if os.environ.get("SCORM_BENCH_HEAP"):
        tracemalloc.start()


def _run_import(zip_path: str, work: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from learning_packages.package import ImportLimits, import_package
    from learning_packages.storage import PackageStorage
    from learning_packages.tables import metadata

    engine = create_engine(f"sqlite:///{work}/bench.db")
    metadata.create_all(engine)
    rss_before = _peak_rss_mb()
    _trace()
    start = time.perf_counter()
    with Session(engine) as session:
        result = import_package(
            session,
            PackageStorage(Path(work) / "scorm"),
            zip_path,
            limits=ImportLimits(max_files=50_000),
        )
    seconds = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    queue.put((seconds, result.total_bytes, traced_peak / 1024 / 1024, _peak_rss_mb(), rss_before))


def _run_reimport(zip_path: str, work: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """The same zip imported a second time: its files are stored once, by content."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from learning_packages.package import ImportLimits, import_package
    from learning_packages.storage import PackageStorage
    from learning_packages.tables import metadata

    engine = create_engine(f"sqlite:///{work}/bench.db")
    metadata.create_all(engine)
    storage = PackageStorage(Path(work) / "scorm")
    limits = ImportLimits(max_files=50_000)
    with Session(engine) as session:
        import_package(session, storage, zip_path, limits=limits)
        before = _disk_bytes(storage.root)
        start = time.perf_counter()
        import_package(session, storage, zip_path, limits=limits)
        seconds = time.perf_counter() - start
    queue.put((seconds, before, _disk_bytes(storage.root) - before))


def _disk_bytes(root: Path) -> int:
    """Bytes on disk under ``root``, each hard-linked content counted once."""
    sizes = {}
    for path in root.rglob("*"):
        if path.is_file():
            info = path.stat()
            sizes[info.st_ino] = info.st_size
    return sum(sizes.values())


def _run_zipfile(zip_path: str, work: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    rss_before = _peak_rss_mb()
    _trace()
    start = time.perf_counter()
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(Path(work) / "plain")
        total = sum(i.file_size for i in zf.infolist())
    seconds = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    queue.put((seconds, total, traced_peak / 1024 / 1024, _peak_rss_mb(), rss_before))


def measure(target: object, zip_path: Path) -> tuple[float, int, float, float, float]:
    work = tempfile.mkdtemp(prefix="scorm-bench-")
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    try:
        process = multiprocessing.Process(target=target, args=(str(zip_path), work, queue))  # type: ignore[arg-type]
        process.start()
        figures = queue.get()
        process.join()
        return figures  # type: ignore[no-any-return]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(label: str, figures: tuple[float, int, float, float, float]) -> None:
    seconds, total, traced, rss, rss_before = figures
    mb = total / 1024 / 1024
    print(
        f"  {label:<22} {seconds:7.2f} s  {mb / seconds:8.1f} MB/s  "
        f"peak RSS {rss:6.1f} MB (+{rss - rss_before:5.1f} MB during the run)"
        + (f"  peak Python heap {traced:6.1f} MB" if traced else "")
    )


def command_startup(runs: int) -> None:
    """Median wall time of ``learnpass scorm list`` (no app) and ``platform list`` (the app)."""
    learnpass = str(Path(sys.executable).parent / "learnpass")
    data = Path(tempfile.mkdtemp(prefix="scorm-bench-cli-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNPASS_")}
    env.update(
        LEARNPASS_DATA_DIR=str(data),
        LEARNPASS_SECRET_KEY="bench",
        LEARNPASS_CONTENT_URL="http://content.invalid",
    )
    try:
        subprocess.run([learnpass, "db", "upgrade"], env=env, check=True, capture_output=True)
        print(f"the learnpass command (median of {runs} runs):")
        for command in (["scorm", "list"], ["platform", "list"]):
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                subprocess.run([learnpass, *command], env=env, check=True, capture_output=True)
                times.append(time.perf_counter() - start)
            print(f"  learnpass {' '.join(command):<16} {statistics.median(times):6.2f} s")
    finally:
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--keep", action="store_true", help="keep the generated zips")
    parser.add_argument("--heap", action="store_true", help="trace the peak Python heap (slower)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command timed")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="scorm-bench-zips-"))
    try:
        os.environ["SCORM_BENCH_HEAP"] = "1" if args.heap else ""
        for mb, files in ((args.mb // 4, args.files), (args.mb, args.files)):
            zip_path = folder / f"bench-{mb}mb.zip"
            start = time.perf_counter()
            generate(zip_path, mb, files)
            print(
                f"package: {mb} MB in {files:,} files, "
                f"zip {os.path.getsize(zip_path) / 1024 / 1024:.1f} MB "
                f"(generated in {time.perf_counter() - start:.1f} s)"
            )
            report("zipfile.extractall", measure(_run_zipfile, zip_path))
            report("learnpass import", measure(_run_import, zip_path))
            seconds, stored, added = measure(_run_reimport, zip_path)  # type: ignore[misc]
            print(
                f"  {'same zip again':<22} {seconds:7.2f} s  "
                f"{stored / 1024 / 1024:.1f} MB stored before, +{added / 1024:.1f} kB on disk "
                "(the new version's list of digests: its files are stored once, by content)"
            )
        print(
            "peak memory should be about the same for both sizes: the import streams each member."
        )
        command_startup(args.runs)
    finally:
        if args.keep:
            print(f"zips kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
