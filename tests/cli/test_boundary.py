"""The one place where failures become exit codes: what it catches and what it lets by."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError, PendingRollbackError

from compengine.cli import INTERRUPTED, report_failure
from compengine.cli.common import AppState
from compengine.errors import UserError

URL = "postgresql+psycopg://pay:s3cret-pw@dbhost/pay"
STATE = AppState(url=URL, actor="ops")


def raised(error: BaseException, during: BaseException | None = None) -> BaseException:
    """`error` as Python chains it when raised while handling `during`."""
    try:
        try:
            if during is not None:
                raise during
        finally:
            raise error
    except BaseException as caught:
        return caught


def test_ctrl_c_is_130_even_when_the_cleanup_fails_with_pending_rollback(capsys):
    error = raised(PendingRollbackError("Can't reconnect", None, None), KeyboardInterrupt())
    assert report_failure(error, STATE) == 130
    assert capsys.readouterr().err == INTERRUPTED + "\n"


def test_a_user_error_prints_its_problems_without_the_password(capsys):
    assert report_failure(UserError(["one", f"two {URL}"]), STATE) == 1
    assert capsys.readouterr().err == ("one\ntwo postgresql+psycopg://pay:***@dbhost/pay\n")


def test_a_driver_error_is_one_sentence_without_the_password(capsys):
    driver = Exception('connection failed: password "s3cret-pw" was refused\nhint')
    assert report_failure(OperationalError("connect", {}, driver), STATE) == 1
    err = capsys.readouterr().err
    assert (
        err
        == 'cannot connect to postgresql+psycopg://pay:***@dbhost/pay: password "***" was refused\n'
    )


@pytest.mark.parametrize("bug", [ValueError("bug"), ZeroDivisionError(), SystemExit(3)])
def test_anything_else_is_left_alone(bug, capsys):
    assert report_failure(bug, STATE) is None
    assert capsys.readouterr().err == ""


def test_a_bug_raised_while_handling_a_database_error_keeps_its_traceback(capsys):
    error = raised(ValueError("bug"), OperationalError("SELECT 1", {}, Exception("locked")))
    assert report_failure(error, STATE) is None
    assert capsys.readouterr().err == ""
