"""The claims register: every claim holds on the release, and every check can fail.

The first tests run the register on the real release (and scan the sources
for numbers the register misses). The rest run each check kind on tiny
tables and a tiny source file in tmp_path, once where the claim holds and
once where it must fail.
"""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest

from analysis import claims, paths
from analysis.claims import ARTICLE, ClaimsError, Interval, accepted, numbers_in
from analysis.data import sources as source_files
from analysis.data.release import available_releases, load_release
from analysis.words import SourceCell, parse_source

SUMMARY = "webster-2022-on-the-treadmill-summary.txt"
RELEASES = available_releases()


# --- the real release ---------------------------------------------------------------


@pytest.fixture(scope="module")
def release():
    return load_release()


@pytest.fixture(scope="module")
def register(release):
    return claims.evaluate(release)


@pytest.fixture(scope="module", params=RELEASES)
def each_register(request):
    """The register of every release in data/ (the default and any later draft)."""
    return claims.evaluate(load_release(request.param))


def test_every_claim_holds_or_says_why_it_cannot_be_checked(each_register):
    register = each_register
    failing = claims.failing(register)
    report = "\n".join(
        f"{r.claim_id} [{r.kind}] {r.statement} -- published {r.published}, computed {r.computed}: {r.reason}"
        for r in failing.itertuples()
    )
    print(report)
    assert failing.empty, f"claims that fail against the data:\n{report}"
    assert set(register["verdict"]) <= set(claims.VERDICTS)
    not_checkable = register[register["verdict"] == "not checkable"]
    assert (not_checkable["kind"] == claims.NOT_CHECKABLE).all()
    assert not_checkable["reason"].str.len().gt(0).all()
    # Disagreements are reported, not failures: only the disagreement check gives them, with a reason.
    disagree = claims.disagreeing(register)
    assert (disagree["kind"] == "disagreement").all()
    assert disagree["reason"].str.contains("chooses none").all()


def test_every_check_kind_is_used_by_some_release():
    used = {claims.parse_check(c)[0] for v in RELEASES for c in load_release(v).table("claims")["check"]}
    assert used == set(claims.CHECKS) | {claims.NOT_CHECKABLE}


@pytest.mark.parametrize("version", RELEASES)
def test_the_schema_pattern_names_registered_kinds(version):
    """Each release's pattern admits the kinds it uses; the newest names exactly the registered kinds."""
    release = load_release(version)
    descriptor = json.loads((release.path / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == "claims")
    field = next(f for f in resource["schema"]["fields"] if f["name"] == "check")
    pattern = re.compile(field["constraints"]["pattern"])
    named = set(re.findall(r"[a-z_]+", field["constraints"]["pattern"]))
    assert named <= set(claims.CHECKS) | {"none"}
    for kind in named - {"none"}:
        assert pattern.match(f"{kind}:x") and pattern.match(kind), kind
    for expression in release.table("claims")["check"]:
        assert pattern.match(expression), expression
    assert pattern.match("none")
    assert not pattern.match("no_such_kind:x")
    if version == RELEASES[-1]:
        assert named == set(claims.CHECKS) | {"none"}


def _enum(release, table: str, field: str) -> list[str]:
    """The ``enum`` constraint of one field in a release's datapackage.json (the vocabulary's home)."""
    resource = next(r for r in release.descriptor["resources"] if r["name"] == table)
    column = next(f for f in resource["schema"]["fields"] if f["name"] == field)
    return list(column["constraints"]["enum"])


@pytest.mark.parametrize("version", RELEASES)
def test_the_register_reads_every_qualifier_the_schema_allows(version):
    """The qualifiers are the schema's enum; the register has a reading (an interval) for each."""
    release = load_release(version)
    allowed = _enum(release, "claims", "qualifier") + _enum(release, "figures", "qualifier")
    assert all(claims.readable(q) for q in allowed), [q for q in allowed if not claims.readable(q)]
    for qualifier in allowed:
        assert isinstance(accepted(qualifier, 100.0, 120.0, 0.0, "people"), Interval)
    assert not claims.readable("roughly")


def _scan(lines: list[str]) -> list[tuple[str, float]]:
    """(line, number) for every number a line states outside names, citations and dates."""
    found = []
    for line in lines:
        text = claims.normalise(line)
        if re.search(r"Corresponding author|Email:|NW4 4BT", text):
            continue
        text = re.sub(r"Offender Rehabilitation Act \(ORA\) 2014|ORA 2014", " ", text)
        text = re.sub(r"\[([^\]]*)\]\(#\)", r"(\1)", text)  # markdown links around citations
        text = text.replace("\\(", "(").replace("\\)", ")")
        previous = None
        while previous != text:  # innermost brackets first: citations (with a year) and asides
            previous = text
            text = re.sub(r"\([^()\d]*\)", " ", text)
            text = re.sub(r"\([^()]*\b(19|20)\d{2}[a-z]?\b[^()]*\)", " ", text)
        text = re.sub(r"^\s*\d+\.\s", " ", text)  # list and note numbering
        text = re.sub(
            r"\b\d{1,2} (?=(January|February|March|April|May|June|July|August|September|October|"
            r"November|December)\b)",
            " ",
            text,
        )  # the day of a date
        for match in re.finditer(r"(?<![\w@])(\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)", text):  # not in a handle
            found.append((line, float(match.group().replace(",", ""))))
        for match in re.finditer(r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b", text, re.I):
            found.append((line, float(claims.NUMBER_VALUES[match.group(1).lower()])))
    return found


def _body(file: str, first: str, last: str | None, also: tuple[str, str] | None = None) -> list[str]:
    lines = (paths.SOURCES / file).read_text(encoding="utf-8").splitlines()
    index = {line.strip(): i for i, line in enumerate(lines)}
    body = lines[index[first] : index[last] if last else len(lines)]
    if also:
        body += lines[index[also[0]] + 1 : index[also[1]]]
    return body


@pytest.mark.parametrize(
    ("file", "first", "last", "also"),
    [
        (ARTICLE, "Abstract", "Acknowledgements", ("Notes", "References")),
        # The repository keeps only the summary's cited paragraphs (it states no licence): all of them.
        (SUMMARY, "## Practitioner perspectives", None, None),
    ],
    ids=["article", "summary"],
)
def test_every_number_of_the_sources_is_a_claim(release, file, first, last, also):
    """Every number (digits, or a number word from two up) in the text has a claim on its line."""
    table = release.table("claims")
    phrases = []
    for row in table.itertuples():
        source_file, _, phrase = parse_source(row.source)
        values = {v for v in (row.published_value, row.published_high) if not pd.isna(v)}
        if source_file == file:
            phrases.append((claims.normalise(phrase), values))
    missing = [
        f"{number:g} in: {line.strip()[:100]}"
        for line, number in _scan(_body(file, first, last, also))
        if not any(phrase in claims.normalise(line) and number in values for phrase, values in phrases)
    ]
    assert missing == [], "numbers with no claim:\n" + "\n".join(missing)


def test_printed_excerpts_of_the_article_match_the_excerpts_table(release):
    printed = claims.printed_excerpts((paths.SOURCES / ARTICLE).read_text(encoding="utf-8"))
    excerpts = release.table("excerpts")
    assert len(printed) == len(excerpts)
    assert [role for _, _, role in printed] == list(excerpts.sort_values("position")["speaker_role"])


# --- parsing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("to 68,863 on 31 March 2020", {68863, 31, 2020}),
        ("60-70 previous offences sometimes", {60, 70}),
        ("2. Young Men (aged 18–24)", {2, 18, 24}),
        ("a three-stage grounded theory method", {3}),
        ("I used to see everyone for an hour.", {1}),
        ("between June – September 2018", {4, 2018}),
        ("a rise of 74 per cent", {74}),
        ("Five participants", {5}),
        ("no number here", set()),
    ],
)
def test_numbers_in_a_phrase(text, expected):
    assert numbers_in(text) == {float(x) for x in expected}


def test_normalise_unifies_quote_marks_and_spaces():
    assert claims.normalise("We’re  ‘old\nschool’ “x”") == "We're 'old school' \"x\""


@pytest.mark.parametrize(
    ("qualifier", "value", "inside", "outside"),
    [
        ("exact", 74, [73.5, 74.5], [73.4, 74.6]),  # with tolerance 0.5 below
        ("about", 100, [95, 105], [94.9, 105.1]),
        ("estimated", 200, [190, 210], [189, 211]),
        ("less than", 90, [-1, 89.99], [90, 91]),
        ("just under", 40000, [38000, 39999], [37999, 40000]),
        ("over", 14, [14.01, 1e9], [14, 13]),
        ("at least", 50, [50, 120], [49.9]),
        ("at most", 35, [9, 35], [35.1]),
    ],
)
def test_what_each_qualifier_accepts(qualifier, value, inside, outside):
    tolerance = 0.5 if qualifier == "exact" else 0.0
    region = accepted(qualifier, value, tolerance=tolerance, unit="count")
    assert all(Interval.point(x).within(region) for x in inside)
    assert not any(Interval.point(x).within(region) for x in outside)


def test_about_gives_calendar_years_no_relative_allowance():
    assert not Interval.point(2024).within(accepted("about", 2023, unit="year"))
    assert Interval.point(2024).within(accepted("about", 2023, unit="count"))


def test_ranges_and_open_ends():
    assert Interval(40, 60).within(accepted("range", 40, 60))
    assert not Interval(40, 65).within(accepted("range", 40, 60))
    less = Interval(-math.inf, 90, hi_open=True)
    assert less.within(accepted("less than", 90))
    assert not less.within(accepted("at most", 89))
    assert not Interval(-math.inf, 90).within(accepted("less than", 90))  # 90 itself is not less than 90


def test_min_speakers():
    pso = "Probation service officer"
    assert claims.min_speakers([]) == 0
    assert claims.min_speakers([(pso, None, None)] * 3) == 1
    assert claims.min_speakers([(pso, "female", None), (pso, "male", "pre-TR"), (pso, "female", None)]) == 2
    # Unknowns can join either side, but two known differences need separate people.
    items = [("x", "m", "pre"), ("x", "m", "post"), ("x", "f", "pre"), ("x", "f", "post"), ("x", None, None)]
    assert claims.min_speakers(items) == 4


# --- tiny evidence -----------------------------------------------------------------

SOURCE_LINES = [
    "In total for the thesis, 35 interviews took place; this paper draws from 9 interviews.",
    "This includes three probation officers and two probation service officers.",
    "These interviews took place between June – September 2018.",
    "the entire caseload (approximately 20,000 individuals) was split",
    "one business manager estimated less than 90 for the entire CRC",
    "About 70% of all service users.",
    "2. Young Men (aged 18–24)",
    "4. Older Men (50+)",
    "I used to see everyone for an hour.",
    "a PSO with over 14 years' experience",
    "before TR and the implementation of the ORA 2014",
    "climbing from just under 40,000 on 31 March 2015, to 68,863 on 31 March 2020, a rise of 74 per cent.",
    "outlines three ways to mitigate the harms",
    "recruit an additional 1000 new probation officers",
    "two distinct measurements",
    "A quoted document says that 'work is hard' (Author, 2019: 12).",
    "The officer said of his caseload and of her colleagues:",
    "and lasted between 40 and 60 min",
    "only one probation service officer spoke",
    "I'm from the old school. We see them for 15 minutes. (Probation officer).",
    "It's just continuous.(cracknell, 2018) (Probation service officer).",
    "| 2011 | 177,603 |",
    "community sentences halved from 185,265 in 2011 to 72,021 in 2021",
    "the number of community orders issued fell by 46%",
    "In 2020/21, we recruited a record 1,007 trainee probation officers.",
    "those placed in the NPS were more likely to agree with their allocation (87%)",
]


@pytest.fixture
def sources(tmp_path):
    (tmp_path / ARTICLE).write_text("\n\n".join(SOURCE_LINES) + "\n", encoding="utf-8")
    source_files.rehash(tmp_path)  # the checksum list every source read is verified against
    return tmp_path


def frame(rows: list[dict], **dtypes) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    return df.astype({c: dtypes.get(c, "string") for c in df.columns})


def cite(phrase: str) -> str:
    return str(SourceCell(ARTICLE, "Test", phrase))


FIGURES = [
    {"figure_id": "staff", "value": 9, "value_high": None, "unit": "count", "qualifier": "exact", "as_of": None},
    {"figure_id": "span", "value": 40, "value_high": 60, "unit": "minutes", "qualifier": "range", "as_of": None},
    {
        "figure_id": "fieldwork",
        "value": 4,
        "value_high": None,
        "unit": "months",
        "qualifier": "exact",
        "as_of": "2018-06/2018-09",
    },
    {"figure_id": "experience", "value": 14, "value_high": None, "unit": "years", "qualifier": "over", "as_of": None},
    {
        "figure_id": "start",
        "value": 40000,
        "value_high": None,
        "unit": "people",
        "qualifier": "just under",
        "as_of": "2015-03-31",
    },
    {
        "figure_id": "end",
        "value": 68863,
        "value_high": None,
        "unit": "people",
        "qualifier": "exact",
        "as_of": "2020-03-31",
    },
    {
        "figure_id": "rise",
        "value": 74,
        "value_high": None,
        "unit": "percent",
        "qualifier": "exact",
        "as_of": "2015-03-31/2020-03-31",
    },
    {
        "figure_id": "caseload",
        "value": 20000,
        "value_high": None,
        "unit": "people",
        "qualifier": "about",
        "as_of": None,
    },
]
EXCERPTS = [
    {
        "excerpt_id": "E01",
        "position": 1,
        "speaker_role": "Probation officer",
        "gender": "male",
        "experience": None,
        "attribution_basis": 'gender: "The officer said of his caseload"',
        "text": "I'm from the old school. We see them for 15 minutes.",
    },
    {
        "excerpt_id": "E02",
        "position": 2,
        "speaker_role": "Probation service officer",
        "gender": None,
        "experience": None,
        "attribution_basis": None,
        "text": "It's just continuous.",
    },
]


def tables(**changes) -> dict[str, pd.DataFrame]:
    base = {
        "figures": frame(FIGURES, value="Float64", value_high="Float64"),
        "sample": frame(
            [
                {"dimension": "interviews", "category": "thesis", "count": 35},
                {"dimension": "interviews", "category": "this paper", "count": 9},
                {"dimension": "role", "category": "Probation officer", "count": 3},
                {"dimension": "role", "category": "Probation service officer", "count": 2},
                {"dimension": "role", "category": "Other", "count": 4},
            ],
            count="Int64",
        ),
        "cohorts": frame(
            [
                {
                    "cohort_id": "C2",
                    "age_range": "18–24",
                    "size_reported": False,
                    "size_value": None,
                    "size_unit": None,
                    "size_qualifier": None,
                    "size_basis": None,
                },
                {
                    "cohort_id": "C3",
                    "age_range": "25–49",
                    "size_reported": True,
                    "size_value": 70,
                    "size_unit": "percent of caseload",
                    "size_qualifier": "about",
                    "size_basis": None,
                },
                {
                    "cohort_id": "C4",
                    "age_range": "50+",
                    "size_reported": False,
                    "size_value": None,
                    "size_unit": None,
                    "size_qualifier": None,
                    "size_basis": None,
                },
                {
                    "cohort_id": "C5",
                    "age_range": None,
                    "size_reported": True,
                    "size_value": 90,
                    "size_unit": "people",
                    "size_qualifier": "less than",
                    "size_basis": "one business manager estimated less than 90",
                },
            ],
            size_reported="boolean",
            size_value="Float64",
        ),
        "appointment_models": frame(
            [
                {"model_id": "A1", "name": "Hour", "minutes": 60},
                {"model_id": "A3", "name": "15-minute check-in", "minutes": 15},
            ],
            minutes="Int64",
        ),
        "policy_measures": frame(
            [
                {
                    "measure_id": f"M{i}",
                    "description": "Recruit 1,000 officers." if i == 1 else "Other.",
                    "mapping_basis": 'Reading of "outlines three ways to mitigate the harms"',
                }
                for i in (1, 2, 3)
            ]
        ),
        "excerpts": frame(EXCERPTS, position="Int64"),
        "documentary_quotes": frame([{"quote_id": "D01", "page": "12", "text": "work is hard"}]),
    }
    base.update(changes)
    return base


def evidence_from(frames: dict[str, pd.DataFrame], sources) -> claims.Evidence:
    """Evidence read from in-memory tables (each read gets a copy, as from a release)."""
    return claims.Evidence(lambda name: frames[name].copy(), list(frames), sources)


def evidence(sources, **changes) -> claims.Evidence:
    return evidence_from(tables(**changes), sources)


def judge(
    ev, check, value=None, qualifier="exact", unit="count", phrase=SOURCE_LINES[0], high=None, tolerance=0.0, note=None
) -> dict:
    row = {
        "claim_id": "C001",
        "statement": "test",
        "source": cite(phrase),
        "published_value": value,
        "published_high": high,
        "qualifier": qualifier if value is not None else None,
        "unit": unit if value is not None else None,
        "check": check,
        "tolerance": tolerance,
        "note": note,
    }
    table = frame([row], published_value="Float64", published_high="Float64", tolerance="Float64")
    (result,) = claims.evaluate_claims(table, ev).to_dict("records")
    return result


def holds(result: dict) -> bool:
    assert result["verdict"] in ("holds", "fails"), result
    return result["verdict"] == "holds"


# --- each kind holds, and fails --------------------------------------------------------


def test_figure(sources):
    ev = evidence(sources)
    assert holds(judge(ev, "figure:staff", 9))
    assert not holds(judge(ev, "figure:staff", 35))
    assert holds(judge(ev, "figure:span", 40, "range", "minutes", SOURCE_LINES[17], high=60))
    assert not holds(judge(ev, "figure:span", 40, "range", "minutes", SOURCE_LINES[0], high=60))  # no 40, 60
    assert holds(judge(ev, "figure:caseload", 20000, "about", "people", SOURCE_LINES[3]))
    changed = tables()["figures"].assign(
        qualifier=lambda f: f["qualifier"].where(f["figure_id"] != "caseload", "exact")
    )
    result = judge(evidence(sources, figures=changed), "figure:caseload", 20000, "about", "people", SOURCE_LINES[3])
    assert not holds(result) and "qualifier" in result["reason"]
    assert not holds(judge(ev, "figure:staff", 9, unit="people"))  # unit differs from the data's
    assert not holds(judge(ev, "figure:no_such", 9))


def test_sample(sources):
    ev = evidence(sources)
    assert holds(judge(ev, "sample:interviews/this paper", 9))
    assert holds(judge(ev, "sample:role/Probation officer", 3, phrase=SOURCE_LINES[1]))
    assert not holds(judge(ev, "sample:role/Probation service officer", 3, phrase=SOURCE_LINES[1]))
    assert holds(judge(ev, "sample:interviews/this paper", 35, "at most"))
    assert not holds(judge(ev, "sample:interviews/thesis", 9, "at most"))
    assert not holds(judge(ev, "sample:role/Nobody", 9))


def test_sample_sum(sources):
    ev = evidence(sources)
    assert holds(judge(ev, "sample_sum:role=interviews/this paper", 9))
    assert not holds(judge(ev, "sample_sum:role=interviews/thesis", 35))  # sums to 9, not 35
    result = judge(ev, "sample_sum:role", 35)  # no total named: only the published total counts
    assert not holds(result)
    sample = tables()["sample"]
    sample.loc[sample["category"] == "this paper", "count"] = 8
    result = judge(evidence(sources, sample=sample), "sample_sum:role=interviews/this paper", 9)
    assert not holds(result) and "sum to 9" in result["reason"]


def test_period_months_and_year(sources):
    ev = evidence(sources)
    phrase = SOURCE_LINES[2]
    assert holds(judge(ev, "period_months:fieldwork", 4, unit="months", phrase=phrase))
    assert holds(judge(ev, "period_year:fieldwork", 2018, unit="year", phrase=phrase))
    figures = tables()["figures"]
    figures.loc[figures["figure_id"] == "fieldwork", "as_of"] = "2018-06/2018-08"
    assert not holds(
        judge(evidence(sources, figures=figures), "period_months:fieldwork", 4, unit="months", phrase=phrase)
    )
    figures.loc[figures["figure_id"] == "fieldwork", "as_of"] = "2019-06/2019-09"
    assert not holds(
        judge(evidence(sources, figures=figures), "period_year:fieldwork", 2018, unit="year", phrase=phrase)
    )
    assert not holds(judge(ev, "period_months:staff", 4, unit="months", phrase=phrase))  # no as_of


def test_implied_baseline(sources):
    ev = evidence(sources)
    phrase = SOURCE_LINES[11]
    result = judge(ev, "implied_baseline:end,rise,0.5", 40000, "just under", "people", phrase)
    assert holds(result)
    low, high = 68863 / 1.745, 68863 / 1.735
    assert f"{low:,.1f}" in result["computed"] and f"{high:,.1f}" in result["computed"]
    figures = tables()["figures"]
    figures.loc[figures["figure_id"] == "rise", "value"] = 70  # 68,863 / 1.7 is over 40,000
    assert not holds(
        judge(
            evidence(sources, figures=figures), "implied_baseline:end,rise,0.5", 40000, "just under", "people", phrase
        )
    )
    figures = tables()["figures"]
    figures.loc[figures["figure_id"] == "rise", "as_of"] = "2015-03-31/2019-03-31"
    result = judge(
        evidence(sources, figures=figures), "implied_baseline:end,rise,0.5", 40000, "just under", "people", phrase
    )
    assert not holds(result) and "does not end" in result["reason"]
    with pytest.raises(ClaimsError):
        judge(ev, "implied_baseline:end,rise,half", 40000, "just under", "people", phrase)


def test_cohort_and_cohort_age(sources):
    ev = evidence(sources)
    assert holds(judge(ev, "cohort:C3", 70, "about", "percent", SOURCE_LINES[5], tolerance=0.5))
    assert holds(judge(ev, "cohort:C5", 90, "less than", "people", SOURCE_LINES[4]))
    assert not holds(judge(ev, "cohort:C5", 90, "less than", "percent", SOURCE_LINES[4]))  # unit differs
    assert not holds(judge(ev, "cohort:C2", 90, "less than", "people", SOURCE_LINES[4]))  # no size reported
    cohorts = tables()["cohorts"]
    cohorts.loc[cohorts["cohort_id"] == "C5", "size_value"] = 95
    assert not holds(judge(evidence(sources, cohorts=cohorts), "cohort:C5", 90, "less than", "people", SOURCE_LINES[4]))
    assert holds(judge(ev, "cohort_age:C2", 18, "range", "years", SOURCE_LINES[6], high=24))
    assert holds(judge(ev, "cohort_age:C4", 50, "at least", "years", SOURCE_LINES[7]))
    cohorts = tables()["cohorts"]
    cohorts.loc[cohorts["cohort_id"] == "C2", "age_range"] = "18–25"
    assert not holds(
        judge(evidence(sources, cohorts=cohorts), "cohort_age:C2", 18, "range", "years", SOURCE_LINES[6], high=24)
    )
    assert not holds(judge(ev, "cohort_age:C5", 18, "range", "years", SOURCE_LINES[6], high=24))


def test_table_rows(sources):
    ev = evidence(sources)
    assert holds(judge(ev, "table_rows:policy_measures", 3, phrase=SOURCE_LINES[12]))
    fewer = tables()["policy_measures"].iloc[:2]
    assert not holds(
        judge(evidence(sources, policy_measures=fewer), "table_rows:policy_measures", 3, phrase=SOURCE_LINES[12])
    )
    assert not holds(judge(ev, "table_rows:nothing", 3, phrase=SOURCE_LINES[12]))


def test_appointment(sources):
    ev = evidence(sources)
    assert holds(judge(ev, "appointment:A1", 1, unit="hours", phrase=SOURCE_LINES[8]))
    assert not holds(judge(ev, "appointment:A3", 1, unit="hours", phrase=SOURCE_LINES[8]))
    with pytest.raises(ClaimsError):
        judge(ev, "appointment:A1", 1, unit="weeks", phrase=SOURCE_LINES[8])


def test_joined_before(sources):
    ev = evidence(sources)
    phrase = SOURCE_LINES[10]
    result = judge(ev, "joined_before:experience,fieldwork", 2014, "less than", "year", phrase)
    assert holds(result) and "2004" in result["computed"]
    figures = tables()["figures"]
    figures.loc[figures["figure_id"] == "experience", "value"] = 2
    assert not holds(
        judge(
            evidence(sources, figures=figures), "joined_before:experience,fieldwork", 2014, "less than", "year", phrase
        )
    )


def test_excerpt_speakers(sources):
    pso = "Probation service officer"
    three = frame(
        [
            {**EXCERPTS[1], "excerpt_id": f"E0{i}", "position": i, "gender": g}
            for i, g in enumerate(["female", "male", "female"], 1)
        ],
        position="Int64",
    )
    ev = evidence(sources, excerpts=three)
    result = judge(ev, f"excerpt_speakers:role/{pso}", 2, "at most", "people", SOURCE_LINES[1])
    assert holds(result) and result["computed"].startswith("at least 2 speakers")
    assert not holds(judge(ev, f"excerpt_speakers:role/{pso}", 1, "at most", "people", SOURCE_LINES[18]))
    assert holds(judge(ev, "excerpt_speakers:gender/male", 3, "at most", "people", SOURCE_LINES[1]))
    assert holds(judge(ev, "excerpt_speakers:interviews/this paper", 9, "at most", "people"))
    unknown_role = frame([{**EXCERPTS[0], "speaker_role": "Volunteer"}], position="Int64")
    assert not holds(
        judge(
            evidence(sources, excerpts=unknown_role), "excerpt_speakers:interviews/this paper", 9, "at most", "people"
        )
    )
    with pytest.raises(ClaimsError):
        judge(ev, "excerpt_speakers:colour/blue", 2, "at most", "people", SOURCE_LINES[1])


def test_text_number(sources):
    ev = evidence(sources)
    phrase = SOURCE_LINES[13]
    assert holds(judge(ev, "text_number:policy_measures/M1/description", 1000, unit="people", phrase=phrase))
    measures = tables()["policy_measures"]
    measures.loc[measures["measure_id"] == "M1", "description"] = "Recruit 2,000 officers."
    assert not holds(
        judge(
            evidence(sources, policy_measures=measures),
            "text_number:policy_measures/M1/description",
            1000,
            unit="people",
            phrase=phrase,
        )
    )
    assert not holds(judge(ev, "text_number:policy_measures/M2/description", 1000, unit="people", phrase=phrase))
    with pytest.raises(ClaimsError):
        judge(ev, "text_number:policy_measures/M1/nothing", 1000, unit="people", phrase=phrase)


def test_excerpt_verbatim_and_coverage(sources):
    ev = evidence(sources)
    assert holds(judge(ev, "excerpt_verbatim"))
    result = judge(ev, "excerpt_coverage")
    assert holds(result) and result["computed"].startswith("2 of 2")
    altered = frame([{**EXCERPTS[0], "text": EXCERPTS[0]["text"].replace("old", "new")}, EXCERPTS[1]], position="Int64")
    result = judge(evidence(sources, excerpts=altered), "excerpt_verbatim")
    assert not holds(result) and "E01" in result["reason"]
    assert not holds(judge(evidence(sources, excerpts=altered), "excerpt_coverage"))
    dropped = frame([EXCERPTS[0]], position="Int64")
    result = judge(evidence(sources, excerpts=dropped), "excerpt_coverage")
    assert not holds(result) and "continuous" in result["reason"]
    wrong_role = frame([EXCERPTS[0], {**EXCERPTS[1], "speaker_role": "Probation officer"}], position="Int64")
    assert not holds(judge(evidence(sources, excerpts=wrong_role), "excerpt_coverage"))
    swapped = frame([{**EXCERPTS[0], "position": 2}, {**EXCERPTS[1], "position": 1}], position="Int64")
    result = judge(evidence(sources, excerpts=swapped), "excerpt_coverage")
    assert not holds(result) and "order" in result["reason"]


def test_attribution_phrases(sources):
    ev = evidence(sources)
    assert holds(judge(ev, "attribution_phrases"))
    wrong = frame([{**EXCERPTS[0], "gender": "female"}, EXCERPTS[1]], position="Int64")
    result = judge(evidence(sources, excerpts=wrong), "attribution_phrases")
    assert not holds(result) and "does not support" in result["reason"]
    unsupported = frame([EXCERPTS[0], {**EXCERPTS[1], "experience": "pre-TR"}], position="Int64")
    assert not holds(judge(evidence(sources, excerpts=unsupported), "attribution_phrases"))
    invented = frame(
        [{**EXCERPTS[0], "attribution_basis": 'gender: "he said so himself"'}, EXCERPTS[1]], position="Int64"
    )
    assert not holds(judge(evidence(sources, excerpts=invented), "attribution_phrases"))
    cohorts = tables()["cohorts"]
    cohorts.loc[cohorts["cohort_id"] == "C5", "size_basis"] = "a manager guessed"
    assert not holds(judge(evidence(sources, cohorts=cohorts), "attribution_phrases"))


def test_documentary_verbatim(sources):
    ev = evidence(sources)
    assert holds(judge(ev, "documentary_verbatim"))
    wrong_page = frame([{"quote_id": "D01", "page": "13", "text": "work is hard"}])
    result = judge(evidence(sources, documentary_quotes=wrong_page), "documentary_verbatim")
    assert not holds(result) and "page 13" in result["reason"]
    absent = frame([{"quote_id": "D01", "page": "12", "text": "work is easy"}])
    assert not holds(judge(evidence(sources, documentary_quotes=absent), "documentary_verbatim"))


def test_source_phrases(sources):
    good = frame([{"id": "x", "source": cite(SOURCE_LINES[5])}])
    assert holds(judge(evidence_from({"t": good}, sources), "source_phrases"))
    bad = frame(
        [
            {"id": "x", "source": cite("About 71% of all service users.")},
            {"id": "y", "source": str(SourceCell("nowhere.txt", "Test", SOURCE_LINES[5]))},
        ]
    )
    result = judge(evidence_from({"t": bad}, sources), "source_phrases")
    assert not holds(result)
    assert "t row 2" in result["reason"] and "no source file 'nowhere.txt'" in result["reason"]


# --- checks that read rows of any table (release 1.1.0 and later) -------------------------

BASIS_A = "Counted by principal offence"
BASIS_B = "Not stated"


def community(a_2011=177603, b_2011=185265, a_2016=102938, extra=()) -> pd.DataFrame:
    rows = [
        {"series": "a", "year": 2008, "count": 190172, "counting_basis": BASIS_A},
        {"series": "a", "year": 2011, "count": a_2011, "counting_basis": BASIS_A},
        {"series": "a", "year": 2016, "count": a_2016, "counting_basis": BASIS_A},
        {"series": "b", "year": 2011, "count": b_2011, "counting_basis": BASIS_B},
        {"series": "b", "year": 2021, "count": 72021, "counting_basis": BASIS_B},
        *extra,
    ]
    return frame(rows, year="Int64", count="Int64")


RECRUITMENT = frame(
    [{"period": "2020/21", "kind": "actual", "count": 1007}, {"period": "2021/22", "kind": "target", "count": 1500}],
    count="Int64",
)
KIRTON = [
    {"figure_id": "agree_nps", "value": 87, "unit": "percent", "qualifier": "exact"},
    {"figure_id": "women", "value": 70, "unit": "percent", "qualifier": "more than"},
]


def test_row_specs_allow_slashes_in_key_values_and_name_their_column():
    spec = claims.parse_row_spec("recruitment/period=2020/21&kind=actual/count", "C001")
    assert spec == claims.RowSpec("recruitment", (("period", "2020/21"), ("kind", "actual")), "count")
    bare = claims.parse_row_spec("community_sentences/year=2011", "C001", column_required=False)
    assert bare.column is None and bare.keys == (("year", "2011"),)
    with pytest.raises(ClaimsError):
        claims.parse_row_spec("community_sentences/year=2011", "C001")  # the value check needs its column
    with pytest.raises(ClaimsError):
        claims.parse_row_spec("recruitment/period/count", "C001")  # a key without a value


def test_value(sources):
    ev = evidence(
        sources, community_sentences=community(), recruitment=RECRUITMENT, kirton_survey=frame(KIRTON, value="Float64")
    )
    times = SOURCE_LINES[22]
    assert holds(judge(ev, "value:community_sentences/series=b&year=2021/count", 72021, phrase=times))
    assert not holds(judge(ev, "value:community_sentences/series=a&year=2011/count", 72021, phrase=times))
    assert holds(
        judge(ev, "value:recruitment/period=2020/21&kind=actual/count", 1007, unit="people", phrase=SOURCE_LINES[24])
    )
    changed = evidence(sources, recruitment=RECRUITMENT.assign(count=pd.array([1070, 1500], dtype="Int64")))
    assert not holds(
        judge(
            changed, "value:recruitment/period=2020/21&kind=actual/count", 1007, unit="people", phrase=SOURCE_LINES[24]
        )
    )
    nps = SOURCE_LINES[25]
    assert holds(judge(ev, "value:kirton_survey/figure_id=agree_nps/value", 87, unit="percent", phrase=nps))
    result = judge(ev, "value:kirton_survey/figure_id=agree_nps/value", 87, unit="count", phrase=nps)
    assert not holds(result) and "'percent'" in result["reason"]  # the row's unit is read
    for row, reason in (
        ({**KIRTON[0], "qualifier": "about"}, "qualifier 'about'"),
        ({**KIRTON[1], "figure_id": "agree_nps", "value": 87}, "cannot read"),
    ):
        changed = evidence(sources, kirton_survey=frame([row], value="Float64"))
        result = judge(changed, "value:kirton_survey/figure_id=agree_nps/value", 87, unit="percent", phrase=nps)
        assert not holds(result) and reason in result["reason"]
    assert not holds(judge(ev, "value:community_sentences/series=c&year=2021/count", 72021, phrase=times))
    assert not holds(judge(ev, "value:community_sentences/year=2011/count", 72021, phrase=times))  # two rows
    assert not holds(
        judge(
            evidence(sources),
            "value:recruitment/period=2020/21&kind=actual/count",
            1007,
            unit="people",
            phrase=SOURCE_LINES[24],
        )
    )  # no such table
    with pytest.raises(ClaimsError):
        judge(ev, "value:community_sentences/series=b&year=2021/nothing", 72021, phrase=times)


def test_percent_fall(sources):
    check = "percent_fall:community_sentences/series=a&year=2008/count,community_sentences/series=a&year=2016/count"
    phrase = SOURCE_LINES[23]
    result = judge(
        evidence(sources, community_sentences=community()), check, 46, unit="percent", phrase=phrase, tolerance=0.5
    )
    assert holds(result)
    assert f"{100 * (190172 - 102938) / 190172:.1f}%" in result["computed"]
    # 190,172 -> 110,000 is a fall of 42.2%: outside 46 give or take the rounding.
    changed = evidence(sources, community_sentences=community(a_2016=110000))
    assert not holds(judge(changed, check, 46, unit="percent", phrase=phrase, tolerance=0.5))
    missing = check.replace("year=2016", "year=2017")
    assert not holds(
        judge(
            evidence(sources, community_sentences=community()),
            missing,
            46,
            unit="percent",
            phrase=phrase,
            tolerance=0.5,
        )
    )


def disagreement(ev, value, phrase=SOURCE_LINES[21]) -> dict:
    return judge(ev, "disagreement:community_sentences/year=2011", value, phrase=phrase)


def _claims_table(n: int) -> pd.DataFrame:
    rows = [
        {
            "claim_id": f"C00{i}",
            "statement": "x",
            "source": cite(SOURCE_LINES[21 + (i - 1) % 2]),
            "published_value": (177603, 185265)[(i - 1) % 2],
            "published_high": None,
            "qualifier": "exact",
            "unit": "count",
            "check": "disagreement:community_sentences/year=2011",
            "tolerance": 0.0,
            "note": None,
        }
        for i in range(1, n + 1)
    ]
    return frame(rows, published_value="Float64", published_high="Float64", tolerance="Float64")


def test_sources_that_agree_give_no_disagreement(sources):
    ev = evidence(sources, community_sentences=community(b_2011=177603))
    result = disagreement(ev, 177603)
    assert result["verdict"] == "holds", result
    assert "in all 2 sources" in result["computed"]


def test_sources_that_disagree_are_flagged_with_both_values_and_bases(sources):
    ev = evidence(sources, community_sentences=community())
    result = disagreement(ev, 177603)
    assert result["verdict"] == claims.DISAGREE
    assert "177,603" in result["reason"] and "185,265" in result["reason"]
    assert BASIS_A in result["reason"] and BASIS_B in result["reason"]
    assert "a's" in result["reason"]  # which source the published value is
    other = disagreement(ev, 185265, SOURCE_LINES[22])
    assert other["verdict"] == claims.DISAGREE and "b's" in other["reason"]
    register = claims.evaluate_claims(_claims_table(2), ev)
    assert claims.failing(register).empty  # a disagreement is not a failure
    assert claims.verdict_counts(register)[claims.DISAGREE] == 2
    assert claims.summary_table(register)[claims.DISAGREE].sum() == 2
    assert claims.disagreeing_ids(register) == "C001, C002"


def test_a_disagreement_claim_still_fails_on_a_wrong_value_or_too_few_sources(sources):
    ev = evidence(sources, community_sentences=community())
    result = disagreement(ev, 180000, "the sources give 180,000 for 2011")
    assert result["verdict"] == "fails"
    (sources / ARTICLE).write_text(
        "\n\n".join([*SOURCE_LINES, "the sources give 180,000 for 2011"]) + "\n", encoding="utf-8"
    )
    source_files.rehash(sources)
    result = disagreement(
        evidence_from(tables(community_sentences=community()), sources), 180000, "the sources give 180,000 for 2011"
    )
    assert result["verdict"] == "fails" and "none of the sources' values" in result["reason"]
    one = community().query("series == 'a'")
    assert disagreement(evidence(sources, community_sentences=one), 177603)["verdict"] == "fails"
    assert (
        claims.disagreeing_ids(
            claims.evaluate_claims(_claims_table(1), evidence(sources, community_sentences=community(b_2011=177603)))
        )
        == "none"
    )


# --- the source phrase of every claim ------------------------------------------------------


def test_a_claim_fails_when_its_phrase_does_not_state_the_value(sources):
    ev = evidence(sources)
    result = judge(ev, "sample:interviews/this paper", 9, phrase=SOURCE_LINES[1])
    assert not holds(result) and "does not state 9" in result["reason"]


def test_a_hedged_claim_needs_the_hedge_in_its_phrase(sources):
    ev = evidence(sources)
    result = judge(ev, "sample:interviews/this paper", 9, "about")  # the phrase says "9", not "about 9"
    assert not holds(result) and "wording for 'about'" in result["reason"]


def test_some_before_a_number_is_a_hedge_for_about_and_some_elsewhere_is_not():
    """ "some 224,587 people" words an approximate count; "some staff" states no number."""
    import re

    from analysis.claims.vocabulary import HEDGE_WORDS

    assert re.search(HEDGE_WORDS["about"], "At 30 June 2020, some 224,587 people were under probation")
    assert not re.search(HEDGE_WORDS["about"], "reclassifying some staff as public servants")


def test_a_claim_fails_when_its_phrase_is_not_in_the_source(sources):
    result = judge(evidence(sources), "sample:interviews/this paper", 9, phrase="this paper draws on 9 talks")
    assert not holds(result) and "not found" in result["reason"]


def test_not_checkable_claims_say_why_and_still_check_their_phrase(sources):
    ev = evidence(sources)
    result = judge(ev, "none", 2, phrase=SOURCE_LINES[14], note="No data.")
    assert result["verdict"] == "not checkable" and result["reason"] == "No data."
    result = judge(ev, "none", 3, phrase=SOURCE_LINES[14], note="No data.")
    assert result["verdict"] == "fails"


@pytest.mark.parametrize(
    ("check", "value", "qualifier", "extra"),
    [
        ("no_such_kind:x", 9, "exact", {}),  # unknown kinds raise, they are never "not checkable"
        ("figure", 9, "exact", {}),  # missing argument
        ("figure:a,b", 9, "exact", {}),  # too many arguments
        ("excerpt_verbatim:x", None, None, {}),  # integrity checks take no arguments
        ("excerpt_verbatim", 9, "exact", {}),  # ... and no published value
        ("sample:interviews/thesis", None, None, {}),  # value checks need a value
        ("none", 2, "exact", {"note": None}),  # not checkable needs a reason
        ("sample:interviews/thesis", 35, "less than", {"tolerance": 0.5}),  # no tolerance on a bound
        ("figure:span", 40, "range", {}),  # a range needs its upper bound
        ("figure:staff", 9, "roughly", {}),  # unknown qualifier
        ("value:community_sentences/year=2011", 9, "exact", {}),  # the value check needs a column
        ("disagreement:community_sentences", 9, "exact", {}),  # ... and keys
        ("percent_fall:recruitment/period/count,recruitment/period=x/count", 9, "exact", {}),  # a key with no value
    ],
)
def test_malformed_claims_raise(sources, check, value, qualifier, extra):
    ev = evidence(sources)
    row = {
        "claim_id": "C001",
        "statement": "x",
        "source": cite(SOURCE_LINES[0]),
        "published_value": value,
        "published_high": None,
        "qualifier": qualifier,
        "unit": "count" if value is not None else None,
        "check": check,
        "tolerance": extra.get("tolerance", 0.0),
        "note": extra.get("note", "n"),
    }
    table = frame([row], published_value="Float64", published_high="Float64", tolerance="Float64")
    with pytest.raises(ClaimsError):
        claims.evaluate_claims(table, ev)


# --- the appendix helpers ----------------------------------------------------------------


def test_summary_and_counts_agree_with_the_register(each_register):
    register = each_register
    counts = claims.verdict_counts(register)
    assert counts["total"] == len(register) == sum(counts[v] for v in claims.VERDICTS)
    summary = claims.summary_table(register)
    assert summary["claims"].sum() == len(register)
    for verdict in claims.VERDICTS:
        assert summary[verdict].sum() == counts[verdict]
    shown = claims.register_table(register)
    assert list(shown["claim"]) == list(register["claim_id"])
    assert not shown["source"].str.contains(ARTICLE, regex=False).any()
