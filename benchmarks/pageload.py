"""The page-load case of ``make bench``: Lighthouse on three chapter pages, ours beside plain Jupyter Book.

* ``ours``: the checkout's site as ``make html`` builds it (``analysis.build --html-only``:
  it renders the committed chapters and executes nothing).
* ``plain Jupyter Book``: ``jupyter-book build`` on a scratch copy of the same committed chapters
  (staged as the other cases stage them, executing nothing), with the theme as it comes: every
  script on every page (the Vega bundle and DataTables too) and without ``analysis.sphinx_ext.lean``.

Each site is served gzip-compressed on 127.0.0.1, as a static host serves it, and Lighthouse
(pinned, installed from npm into ``benchmarks/.node``) runs with its mobile preset (simulated slow
4G, a mid-range phone) and its desktop preset against Debian's Chromium. The table goes to the
page-load section of BENCHMARKS.md (replaced on each run).

Usage: ``.venv/bin/python -m benchmarks.pageload`` (``make bench`` runs it after the build cases).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from benchmarks.harness import JUPYTER_BOOK, PYTHON, REPO, BenchError, clean_env, tail
from benchmarks.scratch import BOOK_SOURCES, stage_for_jupyter_book

LIGHTHOUSE = "12.2.3"
NODE_DIR = REPO / "benchmarks" / ".node"
CHROME = "/usr/bin/chromium"
PAGES = ("chapters/05_treadmill.html", "chapters/11_claims.html", "chapters/04_old_school_values.html")
PRESETS = ("mobile", "desktop")
SECTION = "## Page load (`make bench`: Lighthouse)"
SECTION_END = "<!-- end of the page-load section -->"
# Issue 23's targets.
TARGET_SCORE = 90
TARGET_FCP_MS = 1800
TARGET_KB = 250
_COMPRESSIBLE = (".html", ".js", ".css", ".svg", ".json", ".txt", ".inv")


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files, gzip-compressed when the client accepts it, cacheable for an hour (as GitHub Pages)."""

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants and path.is_file() and path.suffix in _COMPRESSIBLE):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        from io import BytesIO

        return BytesIO(body)


def serve_gzip(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(GzipHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def lighthouse_cli() -> Path:
    """Lighthouse's command line, installed (pinned) from the npm registry when missing."""
    cli = NODE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    package = NODE_DIR / "node_modules" / "lighthouse" / "package.json"
    if not package.exists() or json.loads(package.read_text())["version"] != LIGHTHOUSE:
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "i", "-E", f"lighthouse@{LIGHTHOUSE}", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True
        )
    return cli


def build_ours() -> Path:
    result = subprocess.run(
        [str(PYTHON), "-m", "analysis.build", "--html-only"], cwd=REPO, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BenchError(f"make html failed:\n{tail(result.stdout + result.stderr)}")
    return REPO / "_build" / "html"


def build_plain(root: Path, ours: Path) -> Path:
    """The committed chapters built by jupyter-book with the theme's defaults (nothing executed)."""
    root.mkdir(parents=True)
    for name in BOOK_SOURCES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(src, root / name)
    stage_for_jupyter_book(root, "off")
    for name in ("vega-bundle.js", "datatables.js", "datatables.css"):  # made by our build, not committed
        shutil.copy2(ours / "_static" / name, root / "_static" / name)
    config_path = root / "_config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    sphinx = config["sphinx"]
    sphinx["extra_extensions"] = [e for e in sphinx["extra_extensions"] if e != "analysis.sphinx_ext.lean"]
    sphinx["config"]["html_js_files"] = [
        "vega-bundle.js",
        "treadmill-charts.js",
        "datatables.js",
        "treadmill-tables.js",
    ]
    sphinx["config"].pop("html_favicon", None)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", "--all", str(root)], cwd=root, env=clean_env(root), capture_output=True, text=True
    )
    site = root / "_build" / "html"
    if result.returncode != 0 or not (site / "index.html").exists():
        raise BenchError(f"jupyter-book build failed:\n{tail(result.stdout + result.stderr)}")
    return site


def lighthouse(cli: Path, url: str, preset: str, out: Path) -> dict:
    """One Lighthouse run: scores and the metrics the issue asks for."""
    cmd = ["node", str(cli), url, "--output=json", f"--output-path={out}", "--quiet"]
    cmd += ["--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
    if preset == "desktop":
        cmd.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROME}
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not out.exists():
        raise BenchError(f"lighthouse failed on {url} ({preset}):\n{tail(result.stdout + result.stderr)}")
    data = json.loads(out.read_text(encoding="utf-8"))
    cats, audits = data["categories"], data["audits"]
    return {
        "performance": round(cats["performance"]["score"] * 100),
        "accessibility": round(cats["accessibility"]["score"] * 100),
        "best_practices": round(cats["best-practices"]["score"] * 100),
        "seo": round(cats["seo"]["score"] * 100),
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
    }


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| page | build | preset | performance | FCP | LCP | transferred | accessibility | best practices | SEO |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {Path(r['page']).stem} | {r['build']} | {r['preset']} | {r['performance']} "
            f"| {r['fcp_ms'] / 1000:.1f} s "
            f"| {r['lcp_ms'] / 1000:.1f} s | {r['bytes'] / 1024:.0f} KB | {r['accessibility']} | {r['best_practices']} "
            f"| {r['seo']} |"
        )
    return lines


def targets(rows: list[dict]) -> list[str]:
    mobile = [r for r in rows if r["build"] == "ours" and r["preset"] == "mobile"]
    verdict = [
        (f"mobile performance ≥ {TARGET_SCORE} on each page", all(r["performance"] >= TARGET_SCORE for r in mobile)),
        (
            f"mobile first contentful paint ≤ {TARGET_FCP_MS / 1000} s",
            all(r["fcp_ms"] <= TARGET_FCP_MS for r in mobile),
        ),
        (
            f"transferred ≤ {TARGET_KB} KB (Lighthouse counts a chart page's Vega bundle when a chart is in view)",
            all(r["bytes"] <= TARGET_KB * 1024 for r in mobile),
        ),
        ("accessibility 100", all(r["accessibility"] == 100 for r in rows if r["build"] == "ours")),
    ]
    return [f"- {'met' if ok else 'NOT met'}: {what}" for what, ok in verdict]


def section(rows: list[dict], when: str, commit: str) -> str:
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured on {when} (commit {commit}) by `python -m benchmarks.pageload` (Lighthouse {LIGHTHOUSE},",
            "Debian's Chromium, each site served gzip-compressed on 127.0.0.1). `ours` is `make html`; `plain",
            "Jupyter Book` is the same committed chapters built by `jupyter-book build` with every script on",
            "every page and the theme's own icon kit. One run per row: Lighthouse's simulated throttling",
            "makes its scores steadier than wall-clock timings, but a point or two moves between runs.",
            "",
            *table(rows),
            "",
            "Targets (issue 23), for our build:",
            "",
            *targets(rows),
            "",
            SECTION_END,
        ]
    )


def write_section(text: str, path: Path) -> None:
    """Replace the page-load section of BENCHMARKS.md (or add it at the end)."""
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    if SECTION in previous and SECTION_END in previous:
        start = previous.index(SECTION)
        end = previous.index(SECTION_END) + len(SECTION_END)
        updated = previous[:start] + text + previous[end:]
    else:
        updated = previous.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(updated, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "BENCHMARKS.md")
    parser.add_argument("--site", type=Path, default=None, help="measure this built site as ours (default: make html)")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="treadmill-pageload-"))
    rows: list[dict] = []
    try:
        cli = lighthouse_cli()
        ours = args.site.resolve() if args.site else build_ours()
        plain = build_plain(tmp / "plain", ours)
        for build, site in (("ours", ours), ("plain Jupyter Book", plain)):
            server, base = serve_gzip(site)
            try:
                for page in PAGES:
                    for preset in PRESETS:
                        found = lighthouse(cli, base + page, preset, tmp / f"{len(rows)}.json")
                        rows.append({"page": page, "build": build, "preset": preset, **found})
                        print(table(rows)[-1], flush=True)
            finally:
                server.shutdown()
    except BenchError as err:
        print(f"\nPAGE-LOAD BENCHMARK FAILED: {err}\n(kept in {tmp})", file=sys.stderr)
        return 1
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    write_section(section(rows, when, commit.strip() or "unknown"), args.output)
    (REPO / "benchmarks" / "pageload.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print("\n".join(["", *targets(rows), f"\nWrote {args.output}"]))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
