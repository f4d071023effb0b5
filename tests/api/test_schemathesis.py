"""Property-based tests of the API against its own OpenAPI document (schemathesis): for
every operation, valid and invalid requests under each role's token and none. No answer
is a 5xx, and every answer matches the schema the document gives for its status.

The server's database is this module's own: the ops token really runs, approves, adjusts
and holds whatever the generator draws. Only ops' runs are left out here (a run of year
9999 computes eight thousand years of months): tests/api/test_ops.py covers them."""

from __future__ import annotations

import hypothesis.strategies as st
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

ROLES = (None, "ops", "payroll", "rep", "rep2")
MAX_EXAMPLES = 6
RUN = "/periods/{period}/run"


def test_no_5xx_and_every_answer_as_documented(api):
    schema = schemathesis.openapi.from_url(api.url("/openapi.json"))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    statuses: set[int] = set()

    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=cases)
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case):
            generated = {
                k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"
            }
            for role in ROLES:
                if role == "ops" and case.operation.path == RUN:
                    continue
                case.headers = {**generated, **api.headers(role)}
                response = case.call(base_url=api.url(""), timeout=120)
                statuses.add(response.status_code)
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )

        check()
    assert {200, 401, 403, 404, 409, 422} <= statuses, statuses
