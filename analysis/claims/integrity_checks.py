"""Integrity checks: excerpts and documentary quotes verbatim, every source phrase in its file."""

from __future__ import annotations

import re

from analysis.claims.evidence import Claim, Computed, Evidence, check
from analysis.claims.value_checks import _na
from analysis.claims.vocabulary import _PRINTED_ROLE, _TRAILING_CITATION, ARTICLE, ATTRIBUTION_WORDS, normalise


def printed_excerpts(article: str) -> list[tuple[int, str, str]]:
    """The interview excerpts an article prints: (line number, speech, role).

    A printed excerpt is a paragraph ending with its speaker's role in
    parentheses, e.g. ``... that you've got to do. (Probation officer).``;
    a stray citation before the role is dropped.
    """
    found = []
    for number, line in enumerate(article.splitlines(), 1):
        match = _PRINTED_ROLE.search(line.strip())
        if not match:
            continue
        speech = line.strip()[: match.start()].rstrip()
        speech = _TRAILING_CITATION.sub("", speech).rstrip()
        found.append((number, speech, match.group(1)))
    return found


def _integrity(total: int, bad: int, what: str, problems: list[str]) -> Computed:
    return Computed(None, f"{total - bad} of {total} {what}", tuple(problems))


@check("excerpt_verbatim", None, "integrity")
def check_excerpt_verbatim(ev: Evidence, claim: Claim) -> Computed:
    """Every excerpt's text occurs in the article (normalised)."""
    article = ev.source_text(ARTICLE) or ""
    frame = ev.table("excerpts")
    problems = [
        f"{r.excerpt_id}: text not found verbatim in the article"
        for r in frame.itertuples()
        if normalise(str(r.text)) not in article
    ]
    return _integrity(len(frame), len(problems), "excerpts found verbatim", problems)


@check("excerpt_coverage", None, "integrity")
def check_excerpt_coverage(ev: Evidence, claim: Claim) -> Computed:
    """Every excerpt the article prints is a row, with the printed role, in article order."""
    printed = printed_excerpts(ev.raw_source(ARTICLE))
    frame = ev.table("excerpts")
    by_text = {normalise(str(r.text)): r for r in frame.itertuples()}
    problems, positions, covered = [], [], 0
    for number, speech, role in printed:
        label = f"article line {number}"
        row = by_text.get(normalise(speech))
        if row is None:
            problems.append(f"{label}: excerpt {normalise(speech)[:50]!r}… ({role}) is not in the excerpts table")
            continue
        if row.speaker_role != role:
            problems.append(
                f"{label}: {row.excerpt_id} is attributed to {row.speaker_role!r}, the article prints {role!r}"
            )
            continue
        covered += 1
        # pandas-stubs types an itertuples field as any scalar; the schema makes position an integer.
        positions.append(int(row.position))  # type: ignore[arg-type]
    if positions != sorted(positions):
        problems.append("order: the excerpts' positions do not follow the article's order")
    if not printed:
        problems.append("article: no printed excerpts found")
    return _integrity(len(printed), len(printed) - covered, "printed excerpts in the release", problems)


@check("documentary_verbatim", None, "integrity")
def check_documentary_verbatim(ev: Evidence, claim: Claim) -> Computed:
    """Every documentary quote is in the article, on a line that cites its page."""
    lines = [normalise(line) for line in ev.raw_source(ARTICLE).splitlines()]
    frame = ev.table("documentary_quotes")
    problems = []
    for r in frame.itertuples():
        text = normalise(str(r.text))
        holding = [line for line in lines if text in line]
        if not holding:
            problems.append(f"{r.quote_id}: text not found verbatim in the article")
        elif not _na(r.page) and not any(re.search(rf":\s*{re.escape(str(r.page))}\b", line) for line in holding):
            problems.append(f"{r.quote_id}: no line with the quote cites page {r.page}")
    return _integrity(len(frame), len(problems), "documentary quotations found with their page", problems)


@check("source_phrases", None, "integrity")
def check_source_phrases(ev: Evidence, claim: Claim) -> Computed:
    """Every ``source`` cell of every table points at a phrase of its file."""
    problems, total = [], 0
    for name in ev.table_names:
        frame = ev.table(name)
        if "source" not in frame.columns:
            continue
        for position, source in enumerate(frame["source"], start=2):
            total += 1
            problem = ev.phrase_problem(str(source))
            if problem:
                problems.append(f"{name} row {position}: {problem}")
    return _integrity(total, len(problems), "source phrases found", problems)


def _quoted(text: str) -> list[str]:
    return re.findall(r'"([^"]+)"', text)


@check("attribution_phrases", None, "integrity")
def check_attribution_phrases(ev: Evidence, claim: Claim) -> Computed:
    """Phrases quoted to justify attributions are in the article and fit their use.

    excerpts.attribution_basis (``gender: "…"; experience: "…"``): each
    phrase is in the article, a gender phrase uses a matching pronoun, an
    experience phrase speaks of experience; every stated gender or experience
    has a phrase. cohorts.size_basis and the phrases quoted in
    policy_measures.mapping_basis are in the article.
    """
    article = ev.source_text(ARTICLE) or ""
    problems, total = [], 0
    for r in ev.table("excerpts").itertuples():
        basis = "" if _na(r.attribution_basis) else str(r.attribution_basis)
        pairs = re.findall(r'(gender|experience): "([^"]+)"', basis)
        for attribute in ("gender", "experience"):
            stated = getattr(r, attribute)
            phrases = [p for a, p in pairs if a == attribute]
            if not _na(stated) and not phrases:
                problems.append(f"{r.excerpt_id}: {attribute} {stated!r} has no supporting phrase")
            for phrase in phrases:
                total += 1
                if normalise(phrase) not in article:
                    problems.append(f"{r.excerpt_id}: {attribute} phrase {phrase!r} not found in the article")
                elif _na(stated) or not re.search(
                    ATTRIBUTION_WORDS.get((attribute, str(stated)), r"$^"), normalise(phrase), re.IGNORECASE
                ):
                    problems.append(f"{r.excerpt_id}: {attribute} phrase {phrase!r} does not support {stated!r}")
    for r in ev.table("cohorts").itertuples():
        if not _na(r.size_basis):
            total += 1
            if normalise(str(r.size_basis)) not in article:
                problems.append(f"{r.cohort_id}: size basis {str(r.size_basis)!r} not found in the article")
    for r in ev.table("policy_measures").itertuples():
        for phrase in _quoted(str(r.mapping_basis)):
            total += 1
            if normalise(phrase) not in article:
                problems.append(f"{r.measure_id}: mapping phrase {phrase!r} not found in the article")
    bad = sum(1 for p in problems if "has no supporting phrase" not in p)
    return _integrity(total, bad, "attribution phrases found and fitting", problems)
