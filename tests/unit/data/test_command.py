"""How commands end: expected errors are one line on stderr and exit status 1; bugs still raise."""

import pytest

from analysis.data.command import run_command


class Expected(Exception):
    pass


def _raise(error: Exception):
    def action():
        raise error

    return action


def test_a_command_that_returns_exits_zero_whatever_it_returns():
    assert run_command(lambda: 2.5, Expected, "x: ") == 0


def test_an_expected_error_is_one_line_and_status_one(capsys):
    assert run_command(_raise(Expected("bad input")), (KeyError, Expected), "diff: ") == 1
    assert capsys.readouterr().err == "diff: bad input\n"


def test_an_unexpected_error_propagates():
    with pytest.raises(ZeroDivisionError):
        run_command(_raise(ZeroDivisionError("bug")), Expected, "x: ")
