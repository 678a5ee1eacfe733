"""Where each glued number comes from, read from the chapter's own call.

A chapter glues a number with one call, e.g.::

    ctx.glue("caseload_rise", quantities.figure_phrase(figures_table, "caseload_rise_pct_hmi2021"), fmt="{}")

:func:`describe_call` finds that call in the source of the notebook cell that made it
(IPython keeps every cell's source in :mod:`linecache`), and describes the value as the
function that computes it with its inputs, naming each data frame by the release table it
came from: ``quantities.figure_phrase(figures, "caseload_rise_pct_hmi2021")``, table
``figures``, row ``caseload_rise_pct_hmi2021``. :func:`claims_index` maps the rows the
claims register checks to their claims, so the number can link to its claim.

The description depends only on the cell's source and the release, so two executions give
the same text (nbval compares it). A value glued outside a notebook cell (a test calling
``ctx.glue`` directly) is described as "given to ctx.glue directly".
"""

from __future__ import annotations

import ast
import inspect
import linecache
import types
from dataclasses import dataclass
from pathlib import Path

from analysis.book.sourcing import row_source, works_cited
from analysis.data.release import Release

_HERE = {Path(__file__).resolve(), Path(__file__).with_name("chapter.py").resolve()}
# Checks of the claims register whose argument names a row, by the table the row is in.
_ROW_CHECKS = {
    "figure": "figures",
    "sample": "sample",
    "cohort": "cohorts",
    "appointment": "appointment_models",
    "period_months": "figures",
    "period_year": "figures",
    "cohort_age": "cohorts",
}


@dataclass(frozen=True)
class Found:
    """Where a glued value comes from: its source in words, the claim that checks it, the build's ids.

    ``source`` is for readers (the work, its year, the section and the phrase, or the book's own
    reckoning); ``description`` is for reviewers (table, row, the function and its inputs).
    """

    description: str
    claim: str | None = None
    source: str = ""

    def reader_text(self) -> str:
        """What a reader sees first: the source in words, then the claim that checks it."""
        checked = f" Checked by claim {self.claim} in the claims register." if self.claim else ""
        return f"{self.source or self.description}.{checked}"

    def text(self, version: str) -> str:
        """The reader's text, then the build's ids last (data release, table, row, function)."""
        build = f" Build: data release {version}; {self.description}." if self.source else ""
        return self.reader_text() + build


# --- sources in words ------------------------------------------------------------------------


def sources_in_words(ctx, tables: list[str], keys: list[str]) -> str:
    """A glued value's source for readers: its row's source, else the book's reckoning from cited works."""
    tables = [t for t in tables if ctx.release.has(t)]  # a table this release lacks has a note, not a source
    if len(tables) == 1:
        found = row_source(ctx.release.table(tables[0]), keys)
        if found:
            return found
    works: dict[str, None] = {}
    for table in tables:
        works.update(dict.fromkeys(works_cited(ctx.release.table(table))))
    if works:
        return "The book's reckoning from the data, whose rows cite " + "; ".join(works)
    return "The book's own count, from its data release"


# A glued citation is no count: it is a work's author and year, formatted by the book's citation helper.
CITATION_SOURCE = (
    "The book's citation of a work in its bibliography, formatted from its author and year "
    "(the References page lists the work in full)"
)
_CITATION_HELPERS = frozenset({"cite_text"})


def _is_citation(expr: ast.AST) -> bool:
    """Whether a glued expression is the output of a citation helper (``quantities.cite_text(...)``)."""
    if not isinstance(expr, ast.Call):
        return False
    func = expr.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in _CITATION_HELPERS


# --- the claims that check a row ------------------------------------------------------------


def _keys_of_row_spec(spec: str) -> tuple[str, list[str]]:
    """``table/k=v&k2=v2/column`` -> (table, [v, v2, "v/v2"]) (the keys that select the row)."""
    parts = spec.split("/")
    table = parts[0]
    pairs = "/".join(p for p in parts[1:] if "=" in p or p.count("=") > 0)
    values = [pair.partition("=")[2] for pair in pairs.split("&") if "=" in pair]
    return table, values + (["/".join(values)] if len(values) > 1 else [])


def claims_index(release: Release) -> dict[tuple[str, str], list[str]]:
    """(table, row key) -> ids of the claims whose check reads that row, value checks first."""
    if not release.has("claims"):
        return {}
    index: dict[tuple[str, str], list[str]] = {}
    later: list[tuple[tuple[str, str], str]] = []
    for row in release.table("claims").itertuples():
        kind, _, args = str(row.check).partition(":")
        found: list[tuple[str, str]] = []
        if kind in _ROW_CHECKS and args:
            found.append((_ROW_CHECKS[kind], args))
        elif kind in ("value", "disagreement", "percent_fall", "text_number") and args:
            for spec in args.split(","):
                if kind == "text_number":
                    table, row_id = (spec.split("/") + [""])[:2]
                    found.append((table, row_id))
                else:
                    table, values = _keys_of_row_spec(spec)
                    found += [(table, v) for v in values]
        primary = kind in ("figure", "sample", "cohort", "appointment", "value", "disagreement", "text_number")
        for key in found:
            if primary:
                index.setdefault(key, []).append(str(row.claim_id))
            else:
                later.append((key, str(row.claim_id)))
    for key, claim in later:
        index.setdefault(key, []).append(claim)
    return index


# --- the call in the chapter's cell ---------------------------------------------------------


def _caller_frame() -> types.FrameType | None:
    frame = inspect.currentframe()
    while frame is not None and Path(frame.f_code.co_filename).resolve() in _HERE:
        frame = frame.f_back
    return frame


def _find_call(tree: ast.AST, name: str) -> ast.Call | None:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("glue", "glue_from")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == name
        ):
            return node
    return None


# Methods of the chapter context that read one table, and which.
_CTX_TABLES = {
    "phrase": "article_phrases",
    "quote_inline": "documentary_quotes",
    "excerpt": "excerpts",
    "documentary": "documentary_quotes",
    "comment": "reception_comments",
}


def _assignments(tree: ast.AST | None, filename: str) -> dict[str, ast.expr]:
    """``name = <expression>`` in this cell, else in the other cells this kernel ran (when unambiguous)."""
    found: dict[str, list[str]] = {}
    exprs: dict[str, ast.expr] = {}

    def collect(module: ast.AST) -> dict[str, ast.expr]:
        out = {}
        for node in ast.walk(module):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                out[node.targets[0].id] = node.value
        return out

    here = collect(tree) if tree is not None else {}
    for other, entry in sorted(linecache.cache.items()):
        if other == filename or not isinstance(entry, tuple) or len(entry) < 3 or "ipykernel" not in other:
            continue
        try:
            module = ast.parse("".join(entry[2]))
        except SyntaxError:
            continue
        for name, value in collect(module).items():
            found.setdefault(name, [])
            text = ast.unparse(value)
            if text not in found[name]:
                found[name].append(text)
                exprs[name] = value
    elsewhere = {n: exprs[n] for n, texts in found.items() if len(texts) == 1}
    return {**elsewhere, **here}


class _Tables(ast.NodeTransformer):
    """Replace data frames handed out by the chapter context with their table names.

    A name assigned earlier (in the cell, or unambiguously in another cell of the chapter) is
    replaced by the expression it was assigned, so the description shows the function that
    computes the value, not a variable name.
    """

    def __init__(self, ctx, frame: types.FrameType, assigned: dict[str, ast.expr] | None = None) -> None:
        self.ctx = ctx
        self.scope = {**frame.f_globals, **frame.f_locals}
        self.assigned = assigned or {}
        self.expanding: set[str] = set()
        self.tables: list[str] = []
        self.objects: list[str] = []

    def _table(self, name: str) -> ast.Name:
        if name not in self.tables:
            self.tables.append(name)
        return ast.Name(id=name, ctx=ast.Load())

    def visit_Name(self, node: ast.Name) -> ast.AST:
        value = self.scope.get(node.id)
        table = self.ctx.table_name_of(value) if value is not None else None
        if table:
            return self._table(table)
        if (
            node.id in self.assigned
            and node.id not in self.expanding
            and value is not None
            and not isinstance(value, types.ModuleType)
            and type(value).__name__ != "ChapterContext"
            and isinstance(self.assigned[node.id], ast.Call | ast.Attribute | ast.Subscript)
        ):
            self.expanding.add(node.id)
            try:
                import copy

                return self.visit(copy.deepcopy(self.assigned[node.id]))
            finally:
                self.expanding.discard(node.id)
        if (
            value is not None
            and not isinstance(value, types.ModuleType | type | types.FunctionType)
            and type(value).__module__.startswith("analysis")
            and type(value).__name__ != "ChapterContext"
        ):
            described = f"{node.id}, a {_public_module(type(value))}.{type(value).__qualname__}"
            if described not in self.objects:
                self.objects.append(described)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        # ctx.table("figures") -> figures
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "table"
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return self._table(node.args[0].value)
        # ctx.phrase("P01") reads article_phrases, ctx.quote_inline("D03") documentary_quotes, ...
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in _CTX_TABLES
            and isinstance(node.func.value, ast.Name)
            and type(self.scope.get(node.func.value.id)).__name__ == "ChapterContext"
        ):
            self._table(_CTX_TABLES[node.func.attr])
        self.generic_visit(node)
        # f(x, a=a, b=b, ...): the chapter's parameters passed on by name -> f(x, **parameters)
        if len(node.keywords) > 1 and all(isinstance(k.value, ast.Name) and k.value.id == k.arg for k in node.keywords):
            node.keywords = [ast.keyword(arg=None, value=ast.Name(id="parameters", ctx=ast.Load()))]
        return node


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def describe_call(ctx, name: str) -> Found:
    """How the value glued as ``name`` is computed, from the call in the chapter's cell."""
    frame = _caller_frame()
    if frame is None:
        return Found("given to ctx.glue directly")
    try:
        lines = linecache.getlines(frame.f_code.co_filename)
        tree = ast.parse("".join(lines)) if lines else None
    except SyntaxError:
        tree = None
    call = _find_call(tree, name) if tree is not None else None
    if call is None:
        return Found("given to ctx.glue directly")
    tables = _Tables(ctx, frame, _assignments(tree, frame.f_code.co_filename))
    glue_from = isinstance(call.func, ast.Attribute) and call.func.attr == "glue_from"  # _find_call: an attribute
    if glue_from:  # ctx.glue_from(name, make, tables, *args)
        make, names = call.args[1], call.args[2]
        table_names = [
            e.value
            for e in ([names] if isinstance(names, ast.Constant) else getattr(names, "elts", []))
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
        for table in table_names:
            tables._table(table)
        expr = ast.Call(
            func=make, args=[ast.Name(id=t, ctx=ast.Load()) for t in table_names] + call.args[3:], keywords=[]
        )
        keys = _strings(ast.Module(body=[ast.Expr(a) for a in call.args[3:]], type_ignores=[]))
    else:
        expr = tables.visit(call.args[1])
        keys = _strings(expr)
    expr = tables.visit(expr) if glue_from else expr
    candidates = keys + (["/".join(keys)] if len(keys) > 1 else [])
    claim, row = None, None
    for table in tables.tables:
        for key in candidates:
            if ctx.claims_checking(table, key):
                claim, row = ctx.claims_checking(table, key)[0], (table, key)
                break
        if claim:
            break
    if row:
        where = f"table {row[0]}, row {row[1]}"
    elif len(tables.tables) == 1:
        where = f"table {tables.tables[0]}" + (f", row {keys[0]}" if keys else "")
    elif tables.tables:
        where = "tables " + ", ".join(tables.tables) + (f" ({', '.join(keys)})" if keys else "")
    else:
        where = ""
    description = where + ("; " if where else "") + f"computed by {ast.unparse(expr)}"
    if tables.objects:
        description += f" (with {'; '.join(tables.objects)}, computed in this chapter)"
    if _is_citation(expr):
        source = CITATION_SOURCE
    elif row:
        source = sources_in_words(ctx, [row[0]], row[1].split("/"))
    else:
        source = sources_in_words(ctx, tables.tables, keys)
    return Found(description, claim, source)


def _public_module(kind: type) -> str:
    """The module a chapter names ``kind`` by: the outermost package that exports it (``whatif``, not ``model``)."""
    import sys

    parts = kind.__module__.split(".")
    while len(parts) > 2 and getattr(sys.modules.get(".".join(parts[:-1])), kind.__name__, None) is kind:
        parts.pop()
    return parts[-1]
