"""`bench statements`: a small synthetic cycle, timed with a fake renderer (the command
with the real renderer needs stmt-core's view model and templates)."""

from __future__ import annotations

import pytest
from sqlalchemy import distinct, func, select

from compengine.bench.statements_bench import (
    bench_statements,
    prepare_cycle,
    profile_stages,
    synthetic_shape,
)
from compengine.plan.load import load_plans
from compengine.sample import PLANS
from compengine.storage.models import PayoutLine
from tests.ledger.conftest import rows
from tests.statements.bulk.fakes import TinyStatements


@pytest.fixture
def synthetic(db_url, tmp_path):
    return prepare_cycle(db_url, synthetic_shape(6), load_plans([PLANS]), tmp_path)


def test_every_payee_but_the_manager_gets_a_statement_and_the_rates_add_up(
    synthetic, db_url, tmp_path
):
    result = bench_statements(
        db_url,
        synthetic,
        tmp_path / "out",
        TinyStatements(),
        fmt="pdf",
        workers=2,
        payees=6,
        setup_seconds=1.0,
    )

    with_lines = rows(
        db_url,
        select(func.count(distinct(PayoutLine.payee_id))).where(PayoutLine.period == "2027-12"),
    )
    assert (result.period, result.workers) == ("2027-12", 2)
    assert [(result.statements,)] == with_lines
    assert result.statements >= 3  # every AE at least
    assert result.per_second == pytest.approx(6 / result.wall_seconds)
    assert result.per_core == pytest.approx(result.per_second / 2)
    assert len(list((tmp_path / "out").iterdir())) == result.statements + 1  # manifest.csv
    assert result.out_bytes > 0
    assert 10 < result.worker_peak_rss_mib < 2000  # a worker's own, in MiB (Linux)


def test_the_profile_splits_a_statement_into_stages_and_the_rest(synthetic, db_url):
    stages = dict(profile_stages(db_url, synthetic, TinyStatements(), 3))

    assert list(stages) == [
        "view model (database)",
        "templates (Jinja2)",
        "parse and style (WeasyPrint)",
        "layout (WeasyPrint)",
        "PDF writing",
        "font subsetting",
        "other",
    ]
    # the fake renders no template and no PDF: all its time is 'other'
    assert stages["other"] > 0
    assert all(seconds == 0 for stage, seconds in stages.items() if stage != "other")


def test_bench_statements_with_the_real_renderer(cli_here):
    pytest.importorskip("compengine.views.payee_period", reason="stmt-core not merged yet")

    result = cli_here("bench", "statements", "--payees", 4, "--profile", 2)

    assert result.code == 0, result.err
    assert "statements:          4 PDF in " in result.out
    for label in ("per second:", "per core", "peak RSS:", "layout (WeasyPrint)"):
        assert label in result.out
