"""Numbers the chapters state, computed from the data release's tables.

Small pure functions: DataFrames in, plain Python values out.
"""

from __future__ import annotations

import re

import pandas as pd

# --- Chapters 00-04: introduction, methods and the first three findings ------
# (figure phrases, sample counts, role groups, codebook counts, cohort bounds)

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_SMALL_NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)
# How each `figures.qualifier` reads in front of a number. "less than" reads "fewer than"
# before counts of whole things (people, offences), as English grammar asks.
_QUALIFIER_WORDS = {
    "exact": "",
    "about": "about",
    "estimated": "an estimated",
    "less than": "less than",
    "just under": "just under",
    "over": "over",
    "at least": "at least",
}
_COUNTED_UNITS = {"people", "offences", "count"}
# Singular and plural of each `figures.unit` that is written as a word after the number.
_UNIT_WORDS = {
    "people": ("person", "people"),
    "offences": ("offence", "offences"),
    "minutes": ("minute", "minutes"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
    "years": ("year", "years"),
}


def in_words(n: int) -> str:
    """A whole number as prose: words up to twenty ("nine"), digits with commas above."""
    n = int(n)
    if 0 <= n < len(_SMALL_NUMBER_WORDS):
        return _SMALL_NUMBER_WORDS[n]
    return f"{n:,}"


def how_many(n: int) -> str:
    """A count for running prose: "none" for zero, else :func:`in_words` ("one", "twelve", "1,007")."""
    return "none" if int(n) == 0 else in_words(n)


def _plain_number(value) -> int | float:
    """An integer when the value is whole (the figures table stores numbers as floats)."""
    value = float(value)
    return int(value) if value.is_integer() else value


def _number_text(value) -> str:
    value = _plain_number(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,g}"


def _figure_row(figures: pd.DataFrame, figure_id: str) -> pd.Series:
    rows = figures[figures["figure_id"] == figure_id]
    if len(rows) != 1:
        raise KeyError(f"figure {figure_id!r} is not in the figures table")
    return rows.iloc[0]


def same_statistic(figures: pd.DataFrame, figure_id: str) -> str:
    """The row that stands for ``figure_id``'s statistic: its ``same_as`` row, or itself.

    Two sources can word one statistic differently (the article's "over 74%" and the
    summary's "74 per cent"); since release 1.2.0 the ``same_as`` column links them.
    Releases without the column give every row its own statistic.
    """
    row = _figure_row(figures, figure_id)
    linked = row.get("same_as")
    return figure_id if linked is None or pd.isna(linked) or not str(linked) else str(linked)


def part_of_pairs(figures: pd.DataFrame, figure_ids=None) -> list[tuple[str, str]]:
    """(part, whole) figure ids linked by the ``part_of`` column (release 1.2.0 on), in table order.

    With ``figure_ids``, only pairs whose part and whole are both among them.
    """
    if "part_of" not in figures.columns:
        return []
    wanted = None if figure_ids is None else set(figure_ids)
    pairs = []
    for row in figures.itertuples():
        whole = row.part_of
        if pd.isna(whole) or not str(whole):
            continue
        if wanted is None or (row.figure_id in wanted and str(whole) in wanted):
            pairs.append((str(row.figure_id), str(whole)))
    return pairs


def figure_value(figures: pd.DataFrame, figure_id: str) -> int | float:
    """The value of one row of ``figures`` (the lower bound for a range), as a plain number."""
    return _plain_number(_figure_row(figures, figure_id)["value"])


def qualifier_words(qualifier: str, unit: str) -> str:
    """The words a qualifier puts before a number ("" for exact), e.g. "an estimated"."""
    if qualifier not in _QUALIFIER_WORDS:
        raise ValueError(f"no wording for qualifier {qualifier!r}")
    words = _QUALIFIER_WORDS[qualifier]
    if qualifier == "less than" and unit in _COUNTED_UNITS:
        words = "fewer than"
    return words


def figure_phrase(figures: pd.DataFrame, figure_id: str, with_unit: bool = True, noun: str | None = None) -> str:
    """One figure as prose with its qualifier and unit, e.g. "an estimated 200,000 people".

    Percentages always keep their sign ("about 70%"); ranges read "40–60 minutes"; calendar
    years get no thousands separator and any qualifier after them ("2023 (estimated)").
    ``noun`` replaces the unit word ("50,000 more prisoners"); it also keeps a bare number
    such as "50,000" out of the glued text, which myst-nb would read as a Python tuple.
    """
    row = _figure_row(figures, figure_id)
    unit, qualifier = str(row["unit"]), str(row["qualifier"])
    value = _plain_number(row["value"])
    if unit == "year":
        text = str(value)
        return text if qualifier == "exact" else f"{text} ({qualifier})"
    if qualifier == "range":
        number = f"{_number_text(value)}–{_number_text(row['value_high'])}"
        plural = True
    else:
        number = _number_text(value)
        plural = value != 1
    if unit == "percent":
        number += "%"
    elif noun:
        number += " " + noun
    elif with_unit and unit in _UNIT_WORDS:
        number += " " + _UNIT_WORDS[unit][1 if plural else 0]
    words = "" if qualifier == "range" else qualifier_words(qualifier, unit)
    return f"{words} {number}".strip()


def period_phrase(as_of: str) -> str:
    """An ISO date or period as prose: "2018-06/2018-09" -> "June to September 2018"."""

    def parts(text: str) -> tuple[int, int, int | None]:
        fields = [int(p) for p in text.split("-")]
        if len(fields) not in (2, 3):
            raise ValueError(f"not an ISO year-month or date: {text!r}")
        return fields[0], fields[1], fields[2] if len(fields) == 3 else None

    def one(year: int, month: int, day: int | None, with_year: bool = True) -> str:
        text = _MONTHS[month - 1] + (f" {year}" if with_year else "")
        return f"{day} {text}" if day is not None else text

    start, _, end = str(as_of).partition("/")
    first = parts(start)
    if not end:
        return one(*first)
    last = parts(end)
    same_year = first[0] == last[0]
    return f"{one(*first, with_year=not same_year)} to {one(*last)}"


def figure_period(figures: pd.DataFrame, figure_id: str) -> str:
    """The date or period a figure refers to (its ``as_of``), as prose."""
    as_of = _figure_row(figures, figure_id)["as_of"]
    if pd.isna(as_of):
        raise ValueError(f"figure {figure_id!r} has no as_of date")
    return period_phrase(str(as_of))


def figure_year(figures: pd.DataFrame, figure_id: str) -> int:
    """The (last) calendar year of a figure's ``as_of`` period."""
    as_of = _figure_row(figures, figure_id)["as_of"]
    if pd.isna(as_of):
        raise ValueError(f"figure {figure_id!r} has no as_of date")
    return int(str(as_of).split("/")[-1][:4])


def sample_count(sample: pd.DataFrame, dimension: str, category: str) -> int:
    """The count of one category of one sample dimension (e.g. role, Probation officer)."""
    rows = sample[(sample["dimension"] == dimension) & (sample["category"] == category)]
    if len(rows) != 1:
        raise KeyError(f"sample has no row ({dimension!r}, {category!r})")
    return int(rows.iloc[0]["count"])


def sample_total(sample: pd.DataFrame, dimension: str) -> int:
    """The sum of the counts of one dimension (a marginal total over the participants)."""
    rows = sample[sample["dimension"] == dimension]
    if rows.empty:
        raise KeyError(f"sample has no dimension {dimension!r}")
    return int(rows["count"].sum())


def excerpt_ids(excerpts: pd.DataFrame, theme_id: str | None = None) -> list[str]:
    """Excerpt ids in article order, optionally only those of one theme."""
    rows = excerpts if theme_id is None else excerpts[excerpts["theme_id"] == theme_id]
    return [str(e) for e in rows.sort_values("position")["excerpt_id"]]


def excerpt_count(excerpts: pd.DataFrame, theme_id: str | None = None) -> int:
    """How many interview excerpts the article prints (in one theme, or in all)."""
    return len(excerpt_ids(excerpts, theme_id))


def excerpt_count_by_role(excerpts: pd.DataFrame, speaker_role: str) -> int:
    """How many excerpts the article attributes to one published speaker role."""
    return int((excerpts["speaker_role"] == speaker_role).sum())


def excerpt_attribute_count(excerpts: pd.DataFrame, column: str, value: str | None = None) -> int:
    """Excerpts whose ``column`` (e.g. gender, experience) is stated, or equals ``value``."""
    stated = excerpts[column].notna()
    if value is None:
        return int(stated.sum())
    return int((stated & (excerpts[column] == value)).sum())


# The sample's role groups for each speaker role printed after an excerpt. The two manager
# roles are an ASSUMPTION of this book: the article says two interviewees had middle
# management responsibilities for the CRC, and quotes a "CRC business manager" and a
# "CRC partnership manager", but never says that these are those two people.
SPEAKER_ROLE_GROUPS = {
    "Probation officer": "Probation officer",
    "Probation service officer": "Probation service officer",
    "CRC business manager": "Middle manager",
    "CRC partnership manager": "Middle manager",
}
ASSUMED_ROLE_GROUPS = frozenset({"CRC business manager", "CRC partnership manager"})


def role_group(speaker_role: str) -> str:
    """The sample role group of a published speaker role (see ``SPEAKER_ROLE_GROUPS``)."""
    if speaker_role not in SPEAKER_ROLE_GROUPS:
        raise KeyError(f"no sample role group for speaker role {speaker_role!r}")
    return SPEAKER_ROLE_GROUPS[speaker_role]


def quoted_vs_interviewed(sample: pd.DataFrame, excerpts: pd.DataFrame) -> pd.DataFrame:
    """Per sample role group: participants interviewed and excerpts quoted.

    Columns ``role_group``, ``interviewed``, ``excerpts_quoted`` and ``assumed`` (True where
    the group's excerpts rest on the manager-role assumption), in the sample's role order.
    Excerpts are not people: several excerpts may come from one participant.
    """
    roles = sample[sample["dimension"] == "role"]
    groups = excerpts["speaker_role"].map(role_group)
    unknown = set(groups) - set(roles["category"])
    if unknown:
        raise KeyError(f"speaker roles map to groups missing from the sample: {sorted(unknown)}")
    assumed = {role_group(r) for r in ASSUMED_ROLE_GROUPS if r in set(excerpts["speaker_role"])}
    return pd.DataFrame(
        {
            "role_group": [str(c) for c in roles["category"]],
            "interviewed": [int(n) for n in roles["count"]],
            "excerpts_quoted": [int((groups == c).sum()) for c in roles["category"]],
            "assumed": [str(c) in assumed for c in roles["category"]],
        }
    )


def roles_not_quoted(sample: pd.DataFrame, excerpts: pd.DataFrame) -> list[str]:
    """Sample role groups from which the article quotes no excerpt."""
    table = quoted_vs_interviewed(sample, excerpts)
    return list(table.loc[table["excerpts_quoted"] == 0, "role_group"])


def _theme_of(codes: pd.DataFrame) -> dict[str, str]:
    """Each code's theme (level 3 ancestor)."""
    parent = dict(zip(codes["code_id"], codes["parent_id"], strict=True))
    themes = {}
    for code in parent:
        node = code
        while not pd.isna(parent.get(node)):
            node = parent[node]
        themes[code] = node
    return themes


def open_codes(codes: pd.DataFrame, theme_id: str | None = None) -> pd.DataFrame:
    """Open codes (level 1) with their category, optionally only those under one theme."""
    themes = _theme_of(codes)
    names = dict(zip(codes["code_id"], codes["name"], strict=True))
    rows = codes[codes["level"] == 1].copy()
    rows["category_id"] = rows["parent_id"].astype("string")
    rows["category_name"] = rows["category_id"].map(names).astype("string")
    rows["theme_id"] = rows["code_id"].map(themes).astype("string")
    if theme_id is not None:
        rows = rows[rows["theme_id"] == theme_id]
    return rows.sort_values(["category_id", "code_id"]).reset_index(drop=True)


def open_code_count(codes: pd.DataFrame, theme_id: str | None = None) -> int:
    """How many open codes the reconstructed codebook has (under one theme, or in all)."""
    return len(open_codes(codes, theme_id))


def category_count(codes: pd.DataFrame, theme_id: str | None = None) -> int:
    """How many categories (level 2) sit under one theme (or in the codebook)."""
    rows = codes[codes["level"] == 2]
    if theme_id is not None:
        rows = rows[rows["parent_id"] == theme_id]
    return len(rows)


def theme_code_counts(codes: pd.DataFrame, coding: pd.DataFrame, theme_id: str) -> pd.DataFrame:
    """Codings per open code of one theme, whichever theme the coded excerpt is in.

    Columns ``code_id``, ``code_name``, ``category_id``, ``category_name``, ``codings`` and
    ``excerpts`` (the coded excerpt ids, comma separated), by category then code.
    """
    table = open_codes(codes, theme_id)
    coded = coding.groupby("code_id")["excerpt_id"].agg(lambda ids: ", ".join(sorted(str(i) for i in ids)))
    counts = coding.groupby("code_id").size()
    return pd.DataFrame(
        {
            "code_id": [str(c) for c in table["code_id"]],
            "code_name": [str(n) for n in table["name"]],
            "category_id": [str(c) for c in table["category_id"]],
            "category_name": [str(n) for n in table["category_name"]],
            "codings": [int(counts.get(c, 0)) for c in table["code_id"]],
            "excerpts": [str(coded.get(c, "")) for c in table["code_id"]],
        }
    )


def theme_code_table(codes: pd.DataFrame, coding: pd.DataFrame, excerpts: pd.DataFrame, theme_id: str) -> pd.DataFrame:
    """A theme's open codes for readers: name, category, times applied, and whose excerpts (by published role).

    The same counts as :func:`theme_code_counts`, without the codebook's identifiers (those are for the
    appendices); each coded excerpt is named by the role the article prints after it.
    """
    counts = theme_code_counts(codes, coding, theme_id)
    role_of = dict(zip(excerpts["excerpt_id"], excerpts["speaker_role"], strict=True))
    speakers = []
    for ids in counts["excerpts"]:
        roles = [role_of[i.strip()] for i in ids.split(",") if i.strip()]
        tally = {r: roles.count(r) for r in dict.fromkeys(roles)}
        speakers.append("; ".join(f"{r} ({n})" if n > 1 else r for r, n in tally.items()))
    return pd.DataFrame({
        "open code": list(counts["code_name"]),
        "category": list(counts["category_name"]),
        "times applied": list(counts["codings"]),
        "in excerpts from": speakers,
    })


def coding_count(codes: pd.DataFrame, coding: pd.DataFrame, theme_id: str | None = None) -> int:
    """How many codings use the open codes of one theme (or any open code)."""
    wanted = set(open_codes(codes, theme_id)["code_id"])
    return int(coding["code_id"].isin(wanted).sum())


def cross_theme_coding_count(
    codes: pd.DataFrame, coding: pd.DataFrame, excerpts: pd.DataFrame, theme_id: str
) -> int:
    """Codings with a code of ``theme_id`` applied to an excerpt printed under another theme."""
    wanted = set(open_codes(codes, theme_id)["code_id"])
    excerpt_theme = dict(zip(excerpts["excerpt_id"], excerpts["theme_id"], strict=True))
    rows = coding[coding["code_id"].isin(wanted)]
    return int(sum(excerpt_theme[e] != theme_id for e in rows["excerpt_id"]))


def codes_by_role(
    codes: pd.DataFrame, coding: pd.DataFrame, excerpts: pd.DataFrame, theme_id: str | None = None
) -> pd.DataFrame:
    """Codings per (published speaker role, category), zeros included.

    Columns ``speaker_role``, ``theme_id``, ``category_id``, ``category_name``, ``codings``;
    roles in the order they first speak in the article, categories in codebook order.
    A category counts under ``theme_id`` when its codes belong to that theme.
    """
    table = open_codes(codes, theme_id)
    category_of = dict(zip(table["code_id"], table["category_id"], strict=True))
    role_of = dict(zip(excerpts["excerpt_id"], excerpts["speaker_role"], strict=True))
    rows = coding[coding["code_id"].isin(category_of)]
    pairs = pd.Series(list(zip(rows["excerpt_id"].map(role_of), rows["code_id"].map(category_of), strict=True)))
    counts = pairs.value_counts()
    roles = list(dict.fromkeys(str(r) for r in excerpts.sort_values("position")["speaker_role"]))
    categories = table.drop_duplicates("category_id")
    records = [
        {
            "speaker_role": role,
            "theme_id": str(cat["theme_id"]),
            "category_id": str(cat["category_id"]),
            "category_name": str(cat["category_name"]),
            "codings": int(counts.get((role, cat["category_id"]), 0)),
        }
        for role in roles
        for _, cat in categories.iterrows()
    ]
    return pd.DataFrame.from_records(
        records, columns=["speaker_role", "theme_id", "category_id", "category_name", "codings"]
    )


def cohort_count(cohorts: pd.DataFrame) -> int:
    """How many cohorts the case study CRC's model has."""
    return len(cohorts)


def unreported_cohort_count(cohorts: pd.DataFrame) -> int:
    """Cohorts whose size the article does not report."""
    return int((~cohorts["size_reported"].astype("boolean").fillna(False)).sum())


def cohort_size_phrase(cohorts: pd.DataFrame, cohort_id: str) -> str:
    """A reported cohort size in words, e.g. "about 70% of all service users"."""
    rows = cohorts[cohorts["cohort_id"] == cohort_id]
    if len(rows) != 1:
        raise KeyError(f"cohort {cohort_id!r} is not in the cohorts table")
    row = rows.iloc[0]
    if not bool(row["size_reported"]) or pd.isna(row["size_value"]):
        return "not reported"
    unit = "people" if row["size_unit"] == "people" else "percent"
    number = _number_text(row["size_value"])
    if unit == "percent":
        text = f"{number}% of all service users"
    else:
        text = f"{number} {_UNIT_WORDS['people'][0 if _plain_number(row['size_value']) == 1 else 1]}"
    words = "" if pd.isna(row["size_qualifier"]) else qualifier_words(str(row["size_qualifier"]), unit)
    return f"{words} {text}".strip()


def share_upper_bound_pct(figures: pd.DataFrame, part_id: str, whole_id: str) -> float:
    """Percentage ``part`` makes of ``whole`` when ``part`` is an upper bound ("less than 90").

    A derived bound, not a reported figure: the share is below this value if the two figures
    describe the same population. When ``whole`` is itself approximate, so is the bound.
    """
    part, whole = _figure_row(figures, part_id), _figure_row(figures, whole_id)
    if str(part["qualifier"]) not in ("less than", "just under", "exact"):
        raise ValueError(f"figure {part_id!r} is not bounded above (qualifier {part['qualifier']!r})")
    if str(part["unit"]) != str(whole["unit"]):
        raise ValueError(f"figures {part_id!r} and {whole_id!r} have different units")
    return 100 * float(part["value"]) / float(whole["value"])


def appointment_minutes(appointment_models: pd.DataFrame, model_id: str) -> int:
    """Minutes of one appointment model."""
    rows = appointment_models[appointment_models["model_id"] == model_id]
    if len(rows) != 1:
        raise KeyError(f"appointment model {model_id!r} is not in the table")
    return int(rows.iloc[0]["minutes"])


def appointments_per(appointment_models: pd.DataFrame, long_id: str, short_id: str) -> int:
    """How many whole ``short_id`` appointments fit in one ``long_id`` appointment (our arithmetic)."""
    return appointment_minutes(appointment_models, long_id) // appointment_minutes(appointment_models, short_id)


def cohort_shares(
    cohorts: pd.DataFrame, figures: pd.DataFrame, caseload_id: str = "caseload_case_study"
) -> pd.DataFrame:
    """Each cohort's reported size as a share of the area's caseload, where one can be given.

    Columns ``cohort_id``, ``label`` (name with age range), ``size_text`` (the reported size in
    words, or "not reported"), ``share_pct`` and ``share_kind``:

    * a size reported as a percentage is used as published (``reported estimate``);
    * a size reported in people with an upper bound ("less than 90") becomes a
      ``derived upper bound`` on the share: value / caseload. This assumes that the size
      and the caseload count the same population, and inherits the caseload's "about";
    * a size that is not reported stays missing (``not reported``): nothing is estimated.
    """
    caseload = figure_value(figures, caseload_id)
    records = []
    for _, row in cohorts.sort_values("position").iterrows():
        label = str(row["name"]) if pd.isna(row["age_range"]) else f"{row['name']} ({row['age_range']})"
        share, kind = pd.NA, "not reported"
        if bool(row["size_reported"]) and not pd.isna(row["size_value"]):
            if str(row["size_unit"]).startswith("percent"):
                share, kind = float(row["size_value"]), "reported estimate"
            elif str(row["size_qualifier"]) in ("less than", "just under"):
                share, kind = 100 * float(row["size_value"]) / caseload, "derived upper bound"
            else:
                raise ValueError(f"cohort {row['cohort_id']!r}: no rule for a size in {row['size_unit']!r}")
        records.append(
            {
                "cohort_id": str(row["cohort_id"]),
                "label": label,
                "size_text": cohort_size_phrase(cohorts, str(row["cohort_id"])),
                "share_pct": share,
                "share_kind": kind,
            }
        )
    table = pd.DataFrame.from_records(records)
    table["share_pct"] = table["share_pct"].astype("Float64")
    return table


# --- Chapters 06-08: discussion, data and codebook appendices -----------------


def measures_table(policy_measures: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    """The Target Operating Model measures for readers, with the theme each is read as addressing.

    The theme is the book's reading, not the article's; ``mapping_basis`` says what it rests on.
    """
    names = dict(zip(codes["code_id"], codes["name"], strict=True))
    rows = policy_measures.sort_values("measure_id")
    return pd.DataFrame(
        {
            "measure": [str(n) for n in rows["name"]],
            "what it does (our words)": [str(d) for d in rows["description"]],
            "harm it is read as addressing (the book's reading)": [str(names[t]) for t in rows["addresses_theme"]],
        }
    ).astype("string")


def themes_without_measure(policy_measures: pd.DataFrame, codes: pd.DataFrame) -> list[str]:
    """Names of the themes (level 3) that no measure is read as addressing, in code order."""
    themes = codes[codes["level"] == 3].sort_values("code_id")
    addressed = set(policy_measures["addresses_theme"])
    return [str(n) for c, n in zip(themes["code_id"], themes["name"], strict=True) if c not in addressed]


def level_count(codes: pd.DataFrame, level: int) -> int:
    """How many codes the codebook has at one level (3 themes, 2 categories, 1 open codes)."""
    return int((codes["level"] == level).sum())


def _bib_fields(entry: str) -> dict[str, str]:
    fields = {}
    for match in re.finditer(r"(\w+)\s*=\s*\{((?:[^{}]|\{[^{}]*\})*)\}", entry):
        fields[match.group(1).lower()] = match.group(2)
    return fields


def literature_labels(bib_text: str) -> dict[str, str]:
    """Each BibTeX key as an author-year label, e.g. ``mcneill2018`` -> "McNeill (2018)".

    One author: surname; two: both surnames; more: first surname "et al.". A corporate author
    in double braces is kept whole.
    """
    labels = {}
    for match in re.finditer(r"^@\w+\{([^,\s]+),(.*?)^\}", bib_text, flags=re.MULTILINE | re.DOTALL):
        key, fields = match.group(1), _bib_fields(match.group(2))
        author = fields.get("author", "").strip()
        if author.startswith("{") and author.endswith("}"):
            surnames = [author[1:-1]]  # a corporate author, kept whole even if it contains "and"
        else:
            authors = [a.strip() for a in re.split(r"\s+and\s+", author) if a.strip()]
            surnames = [a.split(",")[0].strip() for a in authors]
        if not surnames:
            who = "Anonymous"
        elif len(surnames) == 1:
            who = surnames[0]
        elif len(surnames) == 2:
            who = f"{surnames[0]} and {surnames[1]}"
        else:
            who = f"{surnames[0]} et al."
        labels[key] = f"{who} ({fields.get('year', 'n.d.')})"
    return labels


def codebook_table(codes: pd.DataFrame, theme_id: str, bib_text: str) -> pd.DataFrame:
    """One theme's categories, each followed by its open codes, with definitions and literature.

    ``literature`` is the author-year label of ``literature_key`` (empty where the code does not
    come from literature the article cites for it).
    """
    labels = literature_labels(bib_text)

    def literature(key) -> str:
        return "" if pd.isna(key) else labels.get(str(key), str(key))

    records = []
    categories = codes[(codes["level"] == 2) & (codes["parent_id"] == theme_id)].sort_values("code_id")
    for category in categories.itertuples():
        records.append(
            {
                "level": "category",
                "code": str(category.code_id),
                "name": str(category.name),
                "definition (our words)": str(category.definition),
                "literature": literature(category.literature_key),
            }
        )
        children = codes[(codes["level"] == 1) & (codes["parent_id"] == category.code_id)].sort_values("code_id")
        for child in children.itertuples():
            records.append(
                {
                    "level": "open code",
                    "code": str(child.code_id),
                    "name": str(child.name),
                    "definition (our words)": str(child.definition),
                    "literature": literature(child.literature_key),
                }
            )
    columns = ["level", "code", "name", "definition (our words)", "literature"]
    return pd.DataFrame.from_records(records, columns=columns).astype("string")


def cross_theme_codings(codes: pd.DataFrame, coding: pd.DataFrame, excerpts: pd.DataFrame) -> pd.DataFrame:
    """Codings whose open code sits under a theme other than the excerpt's own section."""
    themes = _theme_of(codes)
    names = dict(zip(codes["code_id"], codes["name"], strict=True))
    excerpt_theme = dict(zip(excerpts["excerpt_id"], excerpts["theme_id"], strict=True))
    records = [
        {
            "excerpt": str(e),
            "excerpt's theme": str(excerpt_theme[e]),
            "open code": f"{c} {names[c]}",
            "code's theme": str(themes[c]),
        }
        for e, c in zip(coding["excerpt_id"], coding["code_id"], strict=True)
        if themes[c] != excerpt_theme[e]
    ]
    columns = ["excerpt", "excerpt's theme", "open code", "code's theme"]
    table = pd.DataFrame.from_records(records, columns=columns)
    return table.sort_values(["excerpt", "open code"]).reset_index(drop=True).astype("string")


def literature_code_count(codes: pd.DataFrame) -> int:
    """Codes (any level) that name the literature they come from."""
    return int(codes["literature_key"].notna().sum())


# --- Chapter 06, "After the article": tables added in release 1.1.0 ------------------
# Each function reads one or two of the later tables (community_sentences, recruitment,
# workload_surveys, kirton_survey, reception_comments). Chapters call them through
# ``ctx.glue_from`` / ``ctx.show_table_from``, which print a note instead on releases
# that lack the tables.

# The stances of ``reception_comments`` (the book's coding, see data/1.1.0/README.md), in the
# order the README defines them, with how each reads in a sentence (one comment, several).
STANCE_WORDS = {
    "agrees": ("agrees with it", "agree with it"),
    "extends": ("accepts its account and adds to it", "accept its account and add to it"),
    "critical": ("disputes it", "dispute it"),
    "other": ("is not about the article", "are not about the article"),
}


def day_phrase(value) -> str:
    """A date as prose: 2022-07-03 -> "3 July 2022"."""
    day = pd.Timestamp(value)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def publisher_words(publisher: str) -> str:
    """A publisher as prose outside brackets: "The Times (via On Probation)" -> "The Times, via On Probation"."""
    match = re.fullmatch(r"(.+?) \((.+)\)", str(publisher).strip())
    return f"{match.group(1)}, {match.group(2)}" if match else str(publisher).strip()


def _lower_first(text: str) -> str:
    text = str(text).strip()
    return text[:1].lower() + text[1:]


def _series(community: pd.DataFrame, series: str) -> pd.DataFrame:
    rows = community[community["series"] == series].sort_values("year")
    if rows.empty:
        raise KeyError(f"community_sentences has no series {series!r}")
    return rows


def series_publisher(community: pd.DataFrame, series: str) -> str:
    """Who published one series of community_sentences, as prose."""
    publishers = set(_series(community, series)["publisher"])
    if len(publishers) != 1:
        raise ValueError(f"series {series!r} has {len(publishers)} publishers")
    return publisher_words(publishers.pop())


def community_series_span(community: pd.DataFrame, series: str) -> str:
    """First and last figure of one series with its publisher and date, e.g.
    "190,172 in 2008 to 102,938 in 2016 (nine figures; Ministry of Justice, …, dated 23 January 2018)"."""
    rows = _series(community, series)
    first, last = rows.iloc[0], rows.iloc[-1]
    published = sorted({day_phrase(d) for d in rows["published"]})
    count = f"{in_words(len(rows))} figure{'s' if len(rows) != 1 else ''}"
    return (f"{int(first['count']):,} in {int(first['year'])} to {int(last['count']):,} in {int(last['year'])} "
            f"({count}; {series_publisher(community, series)}, dated {' and '.join(published)})")


def community_fall_pct(community: pd.DataFrame, series: str) -> float:
    """How far one series fell from its first to its last year, in percent of the first."""
    rows = _series(community, series)
    start, end = float(rows.iloc[0]["count"]), float(rows.iloc[-1]["count"])
    return 100 * (start - end) / start


def community_disagreements(community: pd.DataFrame) -> pd.DataFrame:
    """Rows of the years in which the series give different counts (every series of such a year)."""
    spread = community.groupby("year")["count"].nunique()
    years = set(spread[spread > 1].index)
    rows = community[community["year"].isin(years)].sort_values(["year", "series"])
    return rows.reset_index(drop=True)


def community_overlap_phrase(community: pd.DataFrame) -> str:
    """Each year that several series cover, with every source's value; the difference where they disagree."""
    covered = community.groupby("year")["series"].nunique()
    years = sorted(covered[covered > 1].index)
    if not years:
        return "none: no year is covered by more than one source"
    parts = []
    for year in years:
        rows = community[community["year"] == year].sort_values("series")
        values = [int(v) for v in rows["count"]]
        listed = " against ".join(
            f"{v:,} ({publisher_words(p)})" for v, p in zip(values, rows["publisher"], strict=True)
        )
        gap = max(values) - min(values)
        verdict = f"a difference of {gap:,}" if gap else "the sources agree"
        parts.append(f"{int(year)}: {listed}, {verdict}")
    return "; ".join(parts)


def community_bases_phrase(community: pd.DataFrame) -> str:
    """The counting basis each source states (or says it does not state), as prose."""
    rows = community.drop_duplicates("series").sort_values("series")
    return "; ".join(
        f"{publisher_words(p)}: {_lower_first(b)}"
        for p, b in zip(rows["publisher"], rows["counting_basis"], strict=True)
    )


def community_table(community: pd.DataFrame) -> pd.DataFrame:
    """Community sentences per year, one column per source (blank where a source gives no figure)."""
    labels = {s: series_publisher(community, s) for s in community["series"].unique()}
    table = community.pivot(index="year", columns="series", values="count").sort_index()
    out = pd.DataFrame({"year": [str(int(y)) for y in table.index]})
    for series, label in labels.items():
        out[label] = ["" if pd.isna(v) else f"{int(v):,}" for v in table[series]]
    return out


def recruitment_table(recruitment: pd.DataFrame) -> pd.DataFrame:
    """Trainee intake and targets per financial year, as each source words them."""
    rows = recruitment.sort_values(["period", "kind"])
    return pd.DataFrame(
        {
            "financial year": [str(p) for p in rows["period"]],
            "actual or target": [str(k) for k in rows["kind"]],
            "number": [f"{int(c):,}" for c in rows["count"]],
            "what is counted": [str(d) for d in rows["description"]],
            "source": [f"{publisher_words(p)}, {day_phrase(d)}" for p, d in zip(rows["publisher"], rows["published"],
                                                                                  strict=True)],
        }
    )


def recruitment_phrase(recruitment: pd.DataFrame, kind: str) -> str:
    """The ``kind`` rows ("actual" or "target") as prose, each with what it counts."""
    rows = recruitment[recruitment["kind"] == kind].sort_values("period")
    if rows.empty:
        raise KeyError(f"recruitment has no {kind!r} rows")
    word = "in" if kind == "actual" else "for"
    return "; ".join(
        f"{int(c):,} {word} {p} — {_lower_first(d)}"
        for c, p, d in zip(rows["count"], rows["period"], rows["description"], strict=True)
    )


def recruitment_above(recruitment: pd.DataFrame, figures: pd.DataFrame, figure_id: str) -> str:
    """Which recorded years' actual intake is larger than a planned number (a figure), as prose."""
    plan = figure_value(figures, figure_id)
    rows = recruitment[recruitment["kind"] == "actual"].sort_values("period")
    above = [str(p) for p, c in zip(rows["period"], rows["count"], strict=True) if int(c) > plan]
    listed = f"({' and '.join(above)})"
    if not above:
        return f"none of the {in_words(len(rows))} recorded years"
    if len(above) == len(rows):
        every = "both" if len(rows) == 2 else f"all {in_words(len(rows))}"
        return f"{every} recorded years {listed}"
    return f"{in_words(len(above))} of the {in_words(len(rows))} recorded years {listed}"


def _stated_value(value, unit: str, qualifier: str) -> str:
    """A number with its unit and the source's qualifier, e.g. "almost 2,000", "46%", "more than 50 cases"."""
    number = _number_text(value) + ("%" if unit == "percent" else "")
    if unit not in ("percent", "people"):
        number += f" {unit}"
    return number if qualifier == "exact" else f"{qualifier} {number}"


def _row_by_id(table: pd.DataFrame, figure_id: str, name: str) -> pd.Series:
    rows = table[table["figure_id"] == figure_id]
    if len(rows) != 1:
        raise KeyError(f"{name} has no single row {figure_id!r}")
    return rows.iloc[0]


def workload_finding(workload: pd.DataFrame, figure_id: str, base_id: str | None = None) -> str:
    """One inspectorate figure as prose, of its base where given, with publisher and year, e.g.
    "46% of almost 2,000 probation practitioners interviewed (HM Inspectorate of Probation, 2021)"."""
    row = _row_by_id(workload, figure_id, "workload_surveys")
    text = _stated_value(row["value"], str(row["unit"]), str(row["qualifier"]))
    if base_id is not None:
        base = _row_by_id(workload, base_id, "workload_surveys")
        if base["survey"] != row["survey"]:
            raise ValueError(f"{base_id} is from another survey than {figure_id}")
        text += (f" of {_stated_value(base['value'], str(base['unit']), str(base['qualifier']))} "
                 f"{_lower_first(base['measure'])}")
    return f"{text} ({row['publisher']}, {int(row['year'])})"


def kirton_phrase(kirton: pd.DataFrame, figure_id: str) -> str:
    """A Kirton and Guillaume figure with whom it is about, e.g. "87% of survey respondents placed in the NPS"."""
    row = _row_by_id(kirton, figure_id, "kirton_survey")
    text = _stated_value(row["value"], str(row["unit"]), str(row["qualifier"]))
    return f"{text} of {row['group']}" if str(row["unit"]) == "percent" else text


def kirton_gap_points(kirton: pd.DataFrame, first_id: str, second_id: str) -> int | float:
    """The difference between two percentages of the survey, in percentage points."""
    rows = [_row_by_id(kirton, i, "kirton_survey") for i in (first_id, second_id)]
    if any(str(r["unit"]) != "percent" or str(r["qualifier"]) != "exact" for r in rows):
        raise ValueError("percentage points need two exact percentages")
    return _plain_number(float(rows[0]["value"]) - float(rows[1]["value"]))


def kirton_period(kirton: pd.DataFrame, figure_id: str) -> str:
    """The period of a survey row's ``as_of`` as prose ("January to June 2015")."""
    as_of = _row_by_id(kirton, figure_id, "kirton_survey")["as_of"]
    if pd.isna(as_of):
        raise ValueError(f"kirton_survey {figure_id!r} has no as_of period")
    return period_phrase(str(as_of))


def stance_counts(comments: pd.DataFrame) -> pd.DataFrame:
    """Comments per stance (the book's coding), in ``STANCE_WORDS`` order, with how many are replies."""
    unknown = set(comments["stance"]) - set(STANCE_WORDS)
    if unknown:
        raise KeyError(f"no wording for stance(s) {sorted(unknown)}")
    replies = comments["reply_to"].notna()
    return pd.DataFrame(
        {
            "stance": list(STANCE_WORDS),
            "comments": [int((comments["stance"] == s).sum()) for s in STANCE_WORDS],
            "replies": [int(((comments["stance"] == s) & replies).sum()) for s in STANCE_WORDS],
        }
    )


def stance_phrase(comments: pd.DataFrame) -> str:
    """How many comments take each stance towards the article, in words: "one agrees with it, four …"."""
    table = stance_counts(comments)
    parts = [
        f"{in_words(n)} {STANCE_WORDS[s][0 if n == 1 else 1]}"
        for s, n in zip(table["stance"], table["comments"], strict=True)
        if n
    ]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


def reception_counts(comments: pd.DataFrame) -> str:
    """The date of the post and its comments: "posted on 3 July 2022; eight comments (six comments and two replies)"."""
    dates = sorted({day_phrase(d) for d in comments["post_date"]})
    replies = int(comments["reply_to"].notna().sum())
    return (f"posted on {' and '.join(dates)}; {in_words(len(comments))} comments in all "
            f"({in_words(len(comments) - replies)} on the post and {in_words(replies)} replies to other comments)")


def context_sources(*tables: pd.DataFrame) -> pd.DataFrame:
    """Every distinct public citation of the given tables (their ``citation`` column), in order of first use."""
    citations = []
    for table in tables:
        for citation in table["citation"]:
            if not pd.isna(citation) and str(citation) not in citations:
                citations.append(str(citation))
    return pd.DataFrame({"source as the release cites it": citations})


# --- the end of Transforming Rehabilitation (release 1.2.0 on) --------------------------


def _tr_row(tr_end: pd.DataFrame, item_id: str) -> pd.Series:
    return _row_by_id(tr_end.rename(columns={"item_id": "figure_id"}), item_id, "tr_end")


def tr_end_date(tr_end: pd.DataFrame, item_id: str) -> str:
    """The date of a row of ``tr_end`` as prose: "July 2018" for a month, "26 June 2021" for a day."""
    text = str(_tr_row(tr_end, item_id)["date"])
    if len(text) == len("2018-07"):
        year, month = text.split("-")
        return f"{_MONTHS[int(month) - 1]} {year}"
    return day_phrase(text)


def tr_end_value(tr_end: pd.DataFrame, item_id: str, noun: str | None = None) -> str:
    """The number of a row of ``tr_end`` with its unit: "14 months", "109,335 people", "48.7%", "21"."""
    row = _tr_row(tr_end, item_id)
    if pd.isna(row["value"]):
        raise ValueError(f"tr_end row {item_id!r} has no value")
    number = _number_text(row["value"])
    unit = str(row["unit"])
    if unit == "percent":
        return number + "%"
    if noun:
        return f"{number} {noun}"
    if unit in _UNIT_WORDS:
        return f"{number} {_UNIT_WORDS[unit][0 if _plain_number(row['value']) == 1 else 1]}"
    return number


def tr_end_table(tr_end: pd.DataFrame) -> pd.DataFrame:
    """The end of TR for readers: date, what happened or was counted, the number, and who published it."""
    rows = []
    for row in tr_end.sort_values("date", kind="stable").itertuples():
        figure = "" if pd.isna(row.value) else tr_end_value(tr_end, row.item_id)
        rows.append({"date": tr_end_date(tr_end, row.item_id), "what": row.description, "figure": figure,
                     "published by": row.publisher})
    return pd.DataFrame(rows)


def tr_end_source(tr_end: pd.DataFrame, item_id: str) -> str:
    """The public document a ``tr_end`` row comes from, as its citation names it (without the address)."""
    citation = str(_tr_row(tr_end, item_id)["citation"])
    return re.split(r"\.\s+https?://|\s+https?://", citation, maxsplit=1)[0].rstrip(".")
