"""``make preview``: serve the book, rebuild it on every save, reload the open page.

The server (standard library, 127.0.0.1 only) serves ``_build/html``, which
the build switches atomically, so a reader always gets a complete site. Every
HTML page it serves gets one small script, served by this module and not from
any CDN, that asks ``/__preview/state`` twice a second: when the generation
number moves on, the page reloads; when the last build failed, the page shows
the error over the (previous, still served) book.

watchfiles watches the book's sources (editors' temporary files are ignored).
A batch that only edits chapters' prose goes to the warm worker
(:mod:`analysis.build.warm`), which keeps one Sphinx application alive and
rebuilds just those pages; any other batch, or a warm build that fails, runs
the same incremental build as ``make book`` in a subprocess (so edits to
``analysis`` itself take effect), and a failure is printed in the terminal as
well. After each successful normal build the worker is started afresh from it.
Each rebuild prints the time from the save (the newest changed file's mtime)
to the page being served.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from analysis import paths
from analysis.build.browser import LocalOnly
from analysis.build.project import Project
from analysis.build.site import ANSI_ESCAPE
from analysis.build.warm import PREFIX

ROUTE = "/__preview/"
# What is watched, relative to the project root.
WATCHED = ("chapters", "data", "analysis", "_config.yml", "_toc.yml", "_static")
IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints", "_build"}
IGNORED_SUFFIXES = (".partial", ".pyc", ".tmp")
# Editors' temporary files, by name: Vim's hidden swap files (".x.swp" back to ".x.saa", and ".x.swx")
# and its write test "4913", backups "x~",
# Emacs's lock ".#x" and auto-save "#x#", GNOME's ".goutputstream-*", the ".~x" that Jupyter's
# atomic save writes first, JetBrains' "x___jb_tmp___"/"x___jb_old___", Kate's ".x.kate-swp".
EDITOR_TEMP = re.compile(
    r"\..*\.s[a-w][a-z]|.*~|\.#.*|#.*#|4913|\.goutputstream-.*|\.~.*|.*___jb_(?:tmp|old)___|\..*\.kate-swp"
)

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


def editor_temp(path: str) -> bool:
    """Whether ``path`` names an editor's temporary file (:data:`EDITOR_TEMP`), never a source."""
    return EDITOR_TEMP.fullmatch(Path(path).name) is not None


def relevant(path: str) -> bool:
    parts = set(Path(path).parts)
    return not (parts & IGNORED_PARTS) and not path.endswith(IGNORED_SUFFIXES) and not editor_temp(path)


class WarmWorker:
    """The warm worker process (:mod:`analysis.build.warm`): started after a successful build, asked per batch."""

    def __init__(self, project: Project, echo=print) -> None:
        self.project, self.echo = project, echo
        log = project.build_dir / "preview-worker.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "w") as errors:  # the child keeps its own descriptor
            self.process: subprocess.Popen[str] | None = subprocess.Popen(
                [sys.executable, "-m", "analysis.build.warm"],
                cwd=project.root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        self.ready: bool | None = None  # known once the worker's first reply has been read
        self._hello = threading.Thread(target=self._greet, daemon=True)  # says in the terminal when it is up
        self._hello.start()

    def _greet(self) -> None:
        hello = self._read() or {"ready": False, "error": "the warm worker ended while starting"}
        self.ready = bool(hello.get("ready"))
        if self.ready:
            self.echo(f"[preview] warm Sphinx ready ({hello['seconds']:.1f} s): prose saves skip the whole build")
        else:
            self.echo(f"[preview] no warm Sphinx: {hello.get('error')}; every save runs the whole build")

    def _read(self) -> dict | None:
        stdout = self.process.stdout if self.process else None
        if stdout is None:
            return None
        for line in stdout:
            if line.startswith(PREFIX):
                return json.loads(line[len(PREFIX) :])
        return None  # it ended

    def rebuild(self, changed: list[str]) -> dict | None:
        """The worker's reply to a batch (None: no worker to ask, and the normal build must run)."""
        if self.process is None:
            return None
        self._hello.join()  # a save made while the worker starts waits for it (it is still quicker)
        if not self.ready:
            self.stop()
            return None
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(changed) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            self.stop()
            return None
        reply = self._read()
        if reply is None or reply.get("status") == "failed":
            self.stop()
        return reply

    def stop(self) -> None:
        """End the worker (it also ends by itself when its stdin closes, e.g. when the preview dies)."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.stdin is not None:
            process.stdin.close()  # an idle worker ends on this
        for end in (process.terminate, process.kill):
            try:
                process.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                end()  # one still starting (or building) is stopped; the next build's recover() tidies
        process.wait()
        self._hello.join(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


def saved_at(paths_changed: list[str]) -> float:
    """When the batch was saved: the newest mtime among its files that still exist (else now)."""
    times = [os.stat(p).st_mtime for p in paths_changed if os.path.exists(p)]
    return max(times, default=time.time())


def rebuild(
    project: Project, state: State, worker: WarmWorker | None, changed: list[str], echo=print
) -> WarmWorker | None:
    """One batch: the warm path if it is prose only, else the normal build; returns the worker to use next."""
    saved = saved_at(changed)
    reply = worker.rebuild(changed) if worker else None
    if reply and reply.get("status") == "unchanged":
        return worker  # the record the worker itself wrote from a saved text: already served, nothing said
    names = sorted({Path(p).name for p in changed})
    echo(f"[preview] changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}")
    if reply and reply.get("status") == "published":
        state.update(True)
        echo(
            f"[preview] prose save -> page served in {time.time() - saved:.2f} s "
            f"(warm Sphinx, {reply['seconds']:.2f} s: "
            + ", ".join(f"{k} {v:.2f}" for k, v in reply.get("phases", {}).items())
            + "); pages reload"
        )
        return worker
    if reply:
        why = str(reply.get("reason") or reply.get("error") or reply).split("\n")[0]
        echo(f"[preview] whole build: {why}")
    if worker:
        worker.stop()  # its staged book is now behind; a new one starts from the next successful build
    ok = build(project, state, echo)
    if ok:
        echo(f"[preview] save -> page served in {time.time() - saved:.1f} s (whole build)")
    return WarmWorker(project, echo) if ok else None


def watch(project: Project, state: State, stop: threading.Event, ready: threading.Event, echo=print) -> None:
    """Rebuild after each batch of changes to the watched sources, until ``stop`` is set.

    ``ready`` is set once the watcher runs (its first, empty, timeout batch), so
    that no edit made after the server announces itself can be missed.
    """
    import watchfiles

    targets = [project.root / name for name in WATCHED if (project.root / name).exists()]
    # The warm worker starts now, while the server starts, and is asked on the first prose save.
    worker = WarmWorker(project, echo) if state.generation and not state.error else None
    try:
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
            worker = rebuild(project, state, worker, sorted({p for _, p in changes}), echo)
    finally:
        if worker:
            worker.stop()


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
        watcher.join(timeout=30)  # it stops the warm worker


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.build.preview", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the preview as Ctrl-C does: the worker with it
    serve_live(Project(paths.ROOT), args.port, echo=lambda m: print(m, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
