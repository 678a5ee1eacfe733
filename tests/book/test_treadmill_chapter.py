"""The supplementary appendix's what-if follows its papermill parameters.

The chapter is executed with non-default parameters into ``tmp_path`` (never into
``chapters/``). Every glued what-if number must equal what :mod:`analysis.book.whatif`
computes for those parameters, to the precision shown, and must differ from the
committed default run wherever the parameters change it.
"""

from __future__ import annotations

import ast

import nbformat
import papermill
import pytest

from analysis import paths
from analysis.book import whatif
from analysis.data.release import load_release

CHAPTER = paths.CHAPTERS / "14_supplementary.ipynb"
PARAMETERS = {"caseload_growth_pct": 50.0, "staff_hours_per_week": 30.0, "appointment_minutes": 60.0}

# Each glued what-if number and the model quantity it states.
QUANTITIES = {
    "wi_staff_minutes": lambda s, o: o.staff_minutes_per_month,
    "wi_contact_minutes": lambda s, o: o.contact_minutes_per_month,
    "wi_caseload": lambda s, o: o.caseload,
    "wi_minutes_per_person": lambda s, o: o.minutes_per_person,
    "wi_appointments": lambda s, o: o.appointments_per_person,
    "wi_appointment_minutes": lambda s, o: s.appointment_minutes,
    "wi_growth_pct": lambda s, o: s.caseload_growth_pct,
    "wi_grown_caseload": lambda s, o: o.grown_caseload,
    "wi_grown_minutes": lambda s, o: o.grown_minutes_per_person,
    "wi_grown_appointments": lambda s, o: o.grown_appointments_per_person,
    "wi_share_left": lambda s, o: o.share_left_pct,
}
# The parameters above leave the caseload alone (it depends on intake and duration only).
UNCHANGED = {"wi_caseload"}


def stored(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Glue name -> the stored ``text/plain`` of each glued value."""
    found = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                found[record["name"]] = output["data"][record["mime_prefix"] + "text/plain"]
    return found


def glued(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Glue name -> the text myst-nb pastes into the prose."""
    return {name: str(pasted(text)) for name, text in stored(nb).items()}


def number_part(text: str) -> str:
    """The number at the start of a glued text such as "9,620 minutes"."""
    return text.split()[0]


def as_number(text: str) -> float:
    return float(number_part(text).replace(",", ""))


def tolerance(text: str) -> float:
    """Half a unit in the last digit shown."""
    number = number_part(text)
    decimals = len(number.split(".", 1)[1]) if "." in number else 0
    return 0.5 * 10**-decimals + 1e-9


def pasted(text: str) -> object:
    """What myst-nb pastes for a glued text/plain: it literal-evaluates it first ("1,000" -> (1, 0))."""
    try:
        return ast.literal_eval(text)
    except (SyntaxError, ValueError):
        return text


def chapter_defaults() -> dict:
    """The parameters cell's own values, read by papermill (not copied from whatif)."""
    found = papermill.inspect_notebook(str(CHAPTER))
    return {name: ast.literal_eval(p["default"]) for name, p in found.items() if name != "data_version"}


def model(parameters: dict) -> tuple[whatif.Scenario, whatif.Projection]:
    release = load_release()
    inputs = whatif.resolve(release.table("figures"), release.table("appointment_models"), **parameters)
    return inputs.scenario, whatif.run(inputs.scenario)


def snapshot(folder):
    """The chapter's bytes and every file name in ``folder`` that mentions it.

    (Other chapters may legitimately be rebuilt while the tests run, so only this
    chapter's traces are compared.)
    """
    names = sorted(p.name for p in folder.iterdir() if "treadmill" in p.name)
    return CHAPTER.read_bytes(), names


@pytest.fixture(scope="module")
def run_with_parameters(tmp_path_factory):
    before = snapshot(paths.CHAPTERS)
    output = tmp_path_factory.mktemp("treadmill") / "07_later_evidence.ipynb"
    papermill.execute_notebook(
        str(CHAPTER),
        str(output),
        parameters=PARAMETERS,
        kernel_name="python3",
        cwd=str(paths.CHAPTERS),
        progress_bar=False,
        log_output=False,
    )
    assert snapshot(paths.CHAPTERS) == before, "running the test wrote into chapters/"
    return nbformat.read(output, as_version=4)


def assert_matches_model(values: dict[str, str], parameters: dict) -> None:
    scenario, outcome = model(parameters)
    for name, quantity in QUANTITIES.items():
        expected = quantity(scenario, outcome)
        shown = values[name]
        assert abs(as_number(shown) - expected) <= tolerance(shown), f"{name}: shows {shown}, model gives {expected}"


def test_the_parameters_exist_in_the_parameters_cell():
    defaults = chapter_defaults()
    assert set(PARAMETERS) <= set(defaults)
    assert all(defaults[name] != value for name, value in PARAMETERS.items())


def test_glued_numbers_follow_the_parameters(run_with_parameters):
    values = glued(run_with_parameters)
    assert set(QUANTITIES) <= set(values)
    assert_matches_model(values, chapter_defaults() | PARAMETERS)
    assert values["wi_growth_status"] == whatif.STATUS_PHRASES[whatif.SET_FOR_RUN]


def test_committed_default_run_matches_the_model():
    values = glued(nbformat.read(CHAPTER, as_version=4))
    assert_matches_model(values, chapter_defaults())
    assert values["wi_growth_status"] == whatif.STATUS_PHRASES[whatif.ASSUMED]


def test_parameters_change_what_the_prose_says(run_with_parameters):
    default = glued(nbformat.read(CHAPTER, as_version=4))
    changed = glued(run_with_parameters)
    for name in QUANTITIES:
        if name in UNCHANGED:
            assert changed[name] == default[name], name
        else:
            assert changed[name] != default[name], f"{name} did not change with the parameters"


def test_the_assumptions_table_names_the_values_set_for_the_run(run_with_parameters):
    tables = [
        output["data"]["text/html"]
        for cell in run_with_parameters.cells
        if "inputs.table()" in cell.source  # the cell that shows the what-if's inputs
        for output in cell.get("outputs", [])
    ]
    assert len(tables) == 1
    release = load_release()
    resolved = whatif.resolve(release.table("figures"), release.table("appointment_models"), **PARAMETERS)
    overridden = [i for i in resolved.inputs if i.status == whatif.SET_FOR_RUN]
    assert overridden, "the parameters override at least one published input"
    assert tables[0].count(f"<td>{whatif.SET_FOR_RUN}</td>") == len(overridden)


def test_glued_text_is_pasted_as_written(run_with_parameters):
    """No glued value may turn into something else on the page (e.g. a bare "39,576" into a tuple)."""
    for notebook in (nbformat.read(CHAPTER, as_version=4), run_with_parameters):
        for name, text in stored(notebook).items():
            assert isinstance(pasted(text), str), f"{name}: {text!r} would be pasted as {pasted(text)!r}"
