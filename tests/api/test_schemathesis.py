"""Property-based tests of /api/v1 against its own OpenAPI document (schemathesis).

Every operation gets a bounded number of generated requests, valid and invalid; none
may fail with a 5xx, every answer must match the schema documented for its status and
media type, and generated invalid input must be refused with a 4xx.

(schemathesis' pytest plugin does not run under pytest 9 yet, so the operations are
driven through hypothesis directly.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from gateway import suppression
from gateway.api.datasets import DATASETS

OPERATIONS = [
    "/api/v1/datasets",
    "/api/v1/docs",
    *(f"/api/v1/{name}" for name in DATASETS),
    *(f"/api/v1/aggregates/{name}" for name in DATASETS),
]
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def api_schema(release_app, monkeypatch):
    # Three-dimension aggregates may take seconds to protect; a short audit budget keeps
    # the run bounded (and exercises the withhold-everything fallback).
    monkeypatch.setattr(suppression, "AUDIT_SECONDS", 0.5)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", release_app)


def test_every_operation_is_covered(api_schema):
    documented = {result.ok().path for result in api_schema.get_all_operations()}
    assert documented == set(OPERATIONS)


CASES = [(path, GenerationMode.POSITIVE) for path in OPERATIONS]
# Operations with parameters get invalid ones too (the others have nothing to break).
CASES += [(path, GenerationMode.NEGATIVE) for path in OPERATIONS[2:]]


@pytest.mark.parametrize(("path", "mode"), CASES, ids=[f"{p}-{m.value}" for p, m in CASES])
def test_operation_conforms(api_schema, path, mode):
    operation = api_schema[path]["GET"]
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case):
        # The WSGI transport does not decode gzip (real clients do; tests/test_http.py).
        case.call_and_validate(checks=checks, headers={"Accept-Encoding": "identity"})

    run()
