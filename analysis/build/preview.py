"""``make preview``: serve the book, rebuild it on every save, reload the open page.

The server (standard library, 127.0.0.1 only) serves ``_build/html``, which
the build switches atomically, so a reader always gets a complete site. Every
HTML page it serves gets one small script, served by this module and not from
any CDN, that asks ``/__preview/state`` twice a second: when the generation
number moves on, the page reloads; when the last build failed, the page shows
the error over the (previous, still served) book.

watchfiles watches the book's sources; each batch of changes runs the same
incremental build as ``make book`` in a subprocess (so edits to ``analysis``
itself take effect), and a failure is printed in the terminal as well.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from analysis import paths
from analysis.build.browser import LocalOnly
from analysis.build.project import Project
from analysis.build.site import ANSI_ESCAPE

ROUTE = "/__preview/"
# What is watched, relative to the project root.
WATCHED = ("chapters", "data", "analysis", "_config.yml", "_toc.yml", "_static")
IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints", "_build"}
IGNORED_SUFFIXES = (".partial", ".pyc", ".tmp")

RELOAD_SCRIPT = """(function () {
  var seen = null;
  function show(error) {
    var box = document.getElementById("treadmill-preview-error");
    if (!error) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "treadmill-preview-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:45vh;overflow:auto;margin:0;" +
        "padding:1em;background:#fff;color:#000;border-top:4px solid #000;font-size:14px;z-index:9999;" +
        "white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "The last build failed; this is the previous book.\\n\\n" + error;
  }
  function poll() {
    fetch("/__preview/state", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.generation !== seen) { location.reload(); return; }
      seen = s.generation;
      show(s.error);
    }).catch(function () {}).finally(function () { setTimeout(poll, 500); });
  }
  poll();
})();
"""
SCRIPT_TAG = b'<script src="/__preview/reload.js"></script>'


class State:
    """What the pages ask for: the build generation and the last error (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.generation = 0
        self.error = ""

    def update(self, ok: bool, error: str = "") -> None:
        with self._lock:
            if ok:
                self.generation += 1
            self.error = "" if ok else error

    def as_json(self) -> bytes:
        with self._lock:
            return json.dumps({"generation": self.generation, "error": self.error}).encode("utf-8")


class Handler(LocalOnly):
    """Serves the current site, with the reload script in every page."""

    def __init__(self, *args, state: State, html: Path, **kwargs) -> None:
        self.state = state
        super().__init__(*args, directory=str(html), **kwargs)

    def log_message(self, *args) -> None:  # the terminal is for build messages
        pass

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        if self.path.startswith(ROUTE):
            name = self.path[len(ROUTE) :].split("?")[0]
            if name == "state":
                return self._send(self.state.as_json(), "application/json")
            if name == "reload.js":
                return self._send(RELOAD_SCRIPT.encode("utf-8"), "text/javascript")
            return self.send_error(404)
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            body = path.read_bytes()
            marker = body.rfind(b"</body>")
            body = body[:marker] + SCRIPT_TAG + body[marker:] if marker >= 0 else body + SCRIPT_TAG
            return self._send(body, "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def build(project: Project, state: State, echo=print) -> bool:
    """One ``make book`` run in a subprocess; its outcome goes to the state and the terminal."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "analysis.build"], capture_output=True, text=True, check=False, cwd=project.root
    )
    seconds = time.perf_counter() - start
    if result.returncode == 0:
        state.update(True)
        echo(f"[preview] built in {seconds:.1f} s; pages reload")
        return True
    error = ANSI_ESCAPE.sub("", (result.stderr or result.stdout)).strip()  # shown in a page, not a terminal
    state.update(False, error)
    echo(f"[preview] BUILD FAILED after {seconds:.1f} s; still serving the previous book:\n{error}")
    return False


def relevant(path: str) -> bool:
    parts = set(Path(path).parts)
    return not (parts & IGNORED_PARTS) and not path.endswith(IGNORED_SUFFIXES)


def watch(project: Project, state: State, stop: threading.Event, ready: threading.Event, echo=print) -> None:
    """Rebuild after each batch of changes to the watched sources, until ``stop`` is set.

    ``ready`` is set once the watcher runs (its first, empty, timeout batch), so
    that no edit made after the server announces itself can be missed.
    """
    import watchfiles

    targets = [project.root / name for name in WATCHED if (project.root / name).exists()]
    for changes in watchfiles.watch(
        *targets,
        stop_event=stop,
        watch_filter=lambda _c, p: relevant(p),
        debounce=300,
        step=100,
        yield_on_timeout=True,
        rust_timeout=200,
    ):
        ready.set()
        if not changes:
            continue
        names = sorted({Path(p).name for _, p in changes})
        echo(f"[preview] changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}")
        build(project, state, echo)


def serve_live(project: Project, port: int, echo=print) -> None:
    state = State()
    build(project, state, echo)
    handler = functools.partial(Handler, state=state, html=project.html_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    stop, ready = threading.Event(), threading.Event()
    watcher = threading.Thread(target=watch, args=(project, state, stop, ready, echo), daemon=True)
    watcher.start()
    ready.wait(timeout=60)
    echo(f"[preview] serving http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.build.preview", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    serve_live(Project(paths.ROOT), args.port, echo=lambda m: print(m, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
