"""schemathesis against the app's own OpenAPI schema, on a live server: no input gives a 5xx.

Every operation with positive and with negative (schema-violating) data, with the token unset and
set (requests carrying it, and the same requests without it), and the stateful phase that follows
the links schemathesis infers (a job's id into GET /api/jobs/{id}, a run's id into its downloads).
Bounded: a few examples per operation; the module runs in under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from web_server import serving

from kopru.web import create_app

MAX_EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 6}
# with the token each request is sent twice (with and without it): fewer examples, as many requests
TOKEN_EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 4}
TOKEN = "fuzz-token"
QUIET = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}


@pytest.fixture(scope="module", params=["", TOKEN], ids=["no-token", "token"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, schemathesis.schemas.BaseSchema]]:
    # a store of its own: the fuzz may DELETE a run it made, never one of the user's data folder
    store = tmp_path_factory.mktemp("fuzz-store") / "runs.duckdb"
    app = create_app(token=request.param, max_pending=16, scenario_store=store)
    with serving(app) as url:
        yield url, request.param, schemathesis.openapi.from_dict(app.openapi())


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.mark.parametrize("mode", list(MAX_EXAMPLES), ids=lambda m: m.value)
def test_no_server_errors(live: tuple[str, str, Any], mode: GenerationMode) -> None:
    url, token, schema = live
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: list[int] = []
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=(TOKEN_EXAMPLES if token else MAX_EXAMPLES)[mode], **QUIET)
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=url, headers=_auth(token), timeout=60)
            case.validate_response(response, checks=[not_a_server_error])
            statuses.append(response.status_code)
            if token and case.operation.path != "/api/health":  # the same request without the token
                bare = case.call(base_url=url, timeout=60)
                case.validate_response(bare, checks=[not_a_server_error])
                # refused: 401, or 400/404/422 when the request is broken before the token is read
                assert 400 <= bare.status_code < 500, (case.operation.path, bare.status_code)

        try:
            check()
        except Unsatisfiable:  # an operation without inputs has no negative cases (GET /api/health)
            assert mode is GenerationMode.NEGATIVE and not operation.path_parameters
    assert 500 not in statuses and len(statuses) >= 3 * len(operations)
    if mode is GenerationMode.POSITIVE:  # the generated requests reach the handlers
        assert sum(200 <= s < 300 for s in statuses) >= 10
    else:  # and broken ones are refused as the client's mistake
        assert sum(400 <= s < 500 for s in statuses) >= len(operations)


def test_stateful_links_give_no_server_errors(live: tuple[str, str, Any]) -> None:
    url, token, schema = live
    calls: list[int] = []

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"base_url": url, "headers": _auth(token), "timeout": 60}

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            case.validate_response(response, checks=[not_a_server_error])
            calls.append(response.status_code)

    Workflow.run(settings=settings(max_examples=12, stateful_step_count=4, **QUIET))
    assert calls and all(s < 500 for s in calls)
