"""A Sphinx extension that keeps the book's pages quiet and self-contained offline.

Jupyter Book 1 always loads ``sphinx_thebe`` (it is in its default extension
list, whatever ``launch_buttons.thebe`` says). On every page that puts

* an inline script declaring ``const THEBE_JS_URL`` (the address of thebe on a CDN),
  which Sphinx 7 emits twice: the extension adds it after the builder exists,
  and Sphinx keeps one copy with ``filename=None`` and one with ``""``, which do
  not compare equal. The second copy throws "Identifier 'THEBE_JS_URL' has
  already been declared" on every page;
* ``sphinx-thebe.js`` and ``sphinx-thebe.css``, and a ``text/x-thebe-config``
  block pointing at a Binder repository.

Thebe needs a CDN and a live Binder server, so it can never work for a reader
offline; this extension takes it off the pages entirely: it disconnects
sphinx-thebe's page hooks and drops its stylesheet. It also removes duplicate
inline scripts left by the same Sphinx quirk (sphinx-togglebutton's selector).

And one accessibility repair: docutils wraps bibliography entries in
``role="list"`` but gives each entry ``role="doc-biblioentry"``, which DPUB-ARIA
1.1 deprecated (it is no longer a list item; authors should use ``listitem``).
axe-core reports the list as missing its items (a critical violation), so the
entries are given ``role="listitem"``.

And no page loads a script from another host: Jupyter Book forces Sphinx's
"always" asset policy on the ``singlehtml`` builder (the PDF edition, see
:mod:`analysis.build.pdf`), which puts MathJax from a CDN on the page although the
book has no mathematics. Should a chapter ever need it, MathJax must be served
from ``_static``.

Registered in ``_config.yml`` under ``sphinx: extra_extensions``.
"""

from __future__ import annotations

from typing import Any

_REMOTE = ("http://", "https://", "//")
# sphinx-thebe handlers that put thebe on the pages (and its files into _static).
_THEBE_HANDLERS = {"init_thebe_core", "update_thebe_context", "st_static_path"}


def _drop_thebe(app, config) -> None:
    """Disconnect sphinx-thebe's page hooks; runs once every extension is set up."""
    for listeners in list(app.events.listeners.values()):
        for listener in list(listeners):
            handler = listener.handler
            if handler.__module__.startswith("sphinx_thebe") and handler.__name__ in _THEBE_HANDLERS:
                app.disconnect(listener.id)
    app.registry.css_files[:] = [
        (name, attrs) for name, attrs in app.registry.css_files if not (name or "").startswith("sphinx-thebe")
    ]


def _script_key(script) -> tuple:
    attributes = tuple(sorted((k, str(v)) for k, v in script.attributes.items()))
    return (script.filename or "", script.priority, attributes)


def _dedupe_scripts(app, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    """Drop repeated scripts (same file or same inline body), keeping the first."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    kept = []
    for script in scripts:
        key = _script_key(script) if hasattr(script, "attributes") else (str(script),)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    # The builder restores its own list after each page; edit this page's in place.
    scripts[:] = kept


def _drop_remote_scripts(app, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    """Remove scripts served by another host (a CDN): the book is read offline."""
    scripts = context.get("script_files")
    if scripts:
        scripts[:] = [s for s in scripts if not str(getattr(s, "filename", s) or "").startswith(_REMOTE)]


def _bibliography_list_items(app, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app) -> dict[str, Any]:
    app.connect("config-inited", _drop_thebe, priority=900)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _drop_remote_scripts, priority=900)
    app.connect("html-page-context", _bibliography_list_items, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
