"""schemathesis against the app's own OpenAPI schema, on a live server: no input gives a 5xx.

Bounded: a few examples per operation (the whole module runs in well under a minute).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from web_server import serving

from kopru.web import create_app

MAX_EXAMPLES = 20


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[str, schemathesis.schemas.BaseSchema]]:
    app = create_app(token="")
    with serving(app) as url:
        yield url, schemathesis.openapi.from_dict(app.openapi())


def test_no_server_errors(live: tuple[str, schemathesis.schemas.BaseSchema]) -> None:
    url, schema = live
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: list[int] = []
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate(base_url=url, checks=[not_a_server_error], timeout=60)
            statuses.append(response.status_code)

        check()
    # the generated requests reach the handlers, not only the validation layer
    assert sum(200 <= s < 300 for s in statuses) >= 10 and len(statuses) >= 5 * len(operations)
