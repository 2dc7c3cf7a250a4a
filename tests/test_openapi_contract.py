"""The OpenAPI check tells breaking changes from compatible ones, and the committed
documents are those the code makes."""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "openapi.py"


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("openapi_tool", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["openapi_tool"] = module
    spec.loader.exec_module(module)
    return module


def _document() -> dict[str, Any]:
    return {
        "paths": {
            "/v1/sites/{site_id}": {
                "get": {
                    "parameters": [{"name": "site_id", "in": "path", "required": True}],
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Site"}
                                }
                            }
                        }
                    },
                }
            },
            "/v1/sites": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Site"}}
                        }
                    },
                    "responses": {"201": {"content": {"application/json": {"schema": {}}}}},
                }
            },
        },
        "components": {
            "schemas": {
                "Site": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "phone": {"type": "string"}},
                    "required": ["name"],
                }
            }
        },
    }


def test_compatible_changes_pass(tool: ModuleType) -> None:
    old = _document()
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Site"]["properties"]["address"] = {"type": "string"}
    new["paths"]["/v1/sites/{site_id}"]["get"]["parameters"].append(
        {"name": "lang", "in": "query", "required": False}
    )
    assert tool.breaking_changes(old, new) == []


def test_breaking_changes_are_named(tool: ModuleType) -> None:
    old = _document()
    new = copy.deepcopy(old)
    del new["paths"]["/v1/sites"]
    site = new["components"]["schemas"]["Site"]
    site["properties"]["name"] = {"type": "integer"}
    del site["properties"]["phone"]
    new["paths"]["/v1/sites/{site_id}"]["get"]["parameters"].append(
        {"name": "township", "in": "query", "required": True}
    )
    problems = "\n".join(tool.breaking_changes(old, new))
    assert "POST /v1/sites: operation removed" in problems
    assert "property 'phone' removed" in problems
    assert "property 'name' changed from string to integer" in problems
    assert "new required parameter 'township'" in problems


def test_a_new_required_request_property_breaks_old_clients(tool: ModuleType) -> None:
    old = _document()
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Site"]["required"] = ["name", "phone"]
    assert tool.breaking_changes(old, new) == ["POST /v1/sites body: new required property 'phone'"]


def test_untyped_answers_are_found(tool: ModuleType) -> None:
    assert tool.untyped("registry", _document()) == ["registry POST /v1/sites 201"]


def test_the_committed_documents_are_the_codes(tool: ModuleType) -> None:
    assert tool.check() == 0
