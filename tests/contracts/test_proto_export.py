"""``proto/`` is the current export of the contracts, and a valid AsyncAPI 3.0 document.

The export is regenerated in memory and compared with the committed files (a contract changed
without ``make proto`` fails here, and so CI). The AsyncAPI document is validated against the
official AsyncAPI 3.0.0 JSON Schema (vendored, see README.md) and checked against the registry:
every subject, stream, producer and consumer is in it; every message schema accepts real
messages and refuses wrong ones.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from uuid import uuid4

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import pytest

from remedyiq_platform.contracts import export
from remedyiq_platform.contracts.messages import CONTRACTS, EntryBatchHeaders, FileRef, SubmitJob
from remedyiq_platform.contracts.subjects import MESSAGE_HEADER, STREAMS, SUBJECTS, TENANT_HEADER
from remedyiq_platform.messaging import MAX_DELIVERIES

REPO = Path(__file__).resolve().parents[2]

PROTO = REPO / "proto"
OFFICIAL_SCHEMA = Path(__file__).with_name("asyncapi-3.0.0.schema.json")
OFFICIAL_SHA256 = "abe96881dbfaad495ccbb6bd8d3fb43ca18a13b9d7564849ccb66f39d5e5b20f"


@cache
def official_validator() -> jsonschema.Draft7Validator:
    data = OFFICIAL_SCHEMA.read_bytes()
    assert hashlib.sha256(data).hexdigest() == OFFICIAL_SHA256, "the vendored schema changed"
    return jsonschema.Draft7Validator(json.loads(data))


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PROTO / export.ASYNCAPI_FILE).read_text("utf-8"))
    return loaded


def test_committed_export_is_current() -> None:
    problems = export.differences(PROTO)
    assert not problems, (
        "proto/ is stale — the contracts changed without re-exporting them. "
        "Run `make proto` and commit proto/.\n" + "\n".join(problems)
    )


def test_check_mode_reports_stale_missing_and_extra_files(tmp_path: Path) -> None:
    assert export.main(["--out", str(tmp_path), "--check"]) == 1  # nothing exported yet
    assert export.main(["--out", str(tmp_path)]) == 0
    assert export.main(["--out", str(tmp_path), "--check"]) == 0
    assert export.write(tmp_path) == []  # deterministic: a second export changes nothing

    (tmp_path / "schemas" / "SubmitJob.v1.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "schemas" / "Removed.v1.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / export.ASYNCAPI_FILE).unlink()
    problems = export.differences(tmp_path)
    assert [p.split(":")[0] for p in problems] == ["out of date", "missing", "no longer a contract"]
    assert export.main(["--out", str(tmp_path), "--check"]) == 1
    export.write(tmp_path)
    assert export.differences(tmp_path) == []
    assert not (tmp_path / "schemas" / "Removed.v1.json").exists()


def test_asyncapi_document_is_valid_against_the_official_schema(document: dict[str, Any]) -> None:
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in official_validator().iter_errors(document)
    ]
    assert errors == []


@pytest.mark.parametrize(
    "breakage",
    [
        ("operations", "ingest.receive.jobs.submit", "action", "subscribe"),  # AsyncAPI 2 verb
        ("channels", "jobs.submit", "publish", {}),  # AsyncAPI 2 channel shape
        ("components", "parameters", "tenant", {"schema": {"type": "string"}}),  # 2.x parameter
    ],
)
def test_the_official_schema_catches_a_broken_document(
    document: dict[str, Any], breakage: tuple[Any, ...]
) -> None:
    broken = json.loads(json.dumps(document))
    *path, key, value = breakage
    target = broken
    for part in path:
        target = target[part]
    target[key] = value
    assert list(official_validator().iter_errors(broken)), f"{breakage} was accepted"


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    refs = _refs(document)
    assert len(refs) > 50
    for ref in refs:
        _resolve(document, ref)


def test_every_subject_is_a_channel_with_its_parameters_stream_and_message(
    document: dict[str, Any],
) -> None:
    channels = document["channels"]
    assert set(channels) == set(SUBJECTS)
    for key, spec in SUBJECTS.items():
        channel = channels[key]
        assert channel["address"] == spec.pattern
        assert set(channel["parameters"]) == set(re.findall(r"\{(\w+)\}", spec.pattern))
        assert channel["x-remedyiq-stream"] == spec.stream
        [message] = channel["messages"].values()
        assert _resolve(document, message["$ref"])["name"] == spec.message
    assert set(channels["logs.tail"]["parameters"]) == {"tenant", "log_type"}
    assert document["x-remedyiq-streams"].keys() == STREAMS.keys()
    for name, stream in STREAMS.items():
        assert document["x-remedyiq-streams"][name]["subjects"] == list(stream.subjects)
    assert f"after {MAX_DELIVERIES} deliveries" in document["info"]["description"]


def test_every_producer_and_consumer_has_an_operation(document: dict[str, Any]) -> None:
    expected = {
        (service, action, key)
        for key, spec in SUBJECTS.items()
        for action, services in (("send", spec.producers), ("receive", spec.consumers))
        for service in services
    }
    found = set()
    for operation in document["operations"].values():
        channel = _resolve(document, operation["channel"]["$ref"])
        key = next(k for k, c in document["channels"].items() if c is channel)
        found.add((operation["x-remedyiq-service"], operation["action"], key))
        for message in operation["messages"]:  # must point into its own channel
            assert message["$ref"].startswith(f"#/channels/{key}/messages/")
            _resolve(document, message["$ref"])
    assert found == expected
    assert ("ingest", "receive", "jobs.submit") in found
    assert ("writer", "receive", "jobs.entries") in found


def test_every_message_declares_the_tenant_contract_and_trace_headers(
    document: dict[str, Any],
) -> None:
    common = document["components"]["schemas"]["RemedyIQHeaders"]
    assert common["required"] == [TENANT_HEADER, MESSAGE_HEADER]
    assert {"Nats-Msg-Id", "traceparent"} <= set(common["properties"])
    messages = document["components"]["messages"]
    assert set(messages) == {spec.message for spec in SUBJECTS.values()}
    for name, message in messages.items():
        parts = message["headers"]["allOf"]
        assert parts[0] == {"$ref": "#/components/schemas/RemedyIQHeaders"}
        assert parts[1]["properties"][MESSAGE_HEADER]["const"] == name
    assert messages["EntryBatch.v1"]["contentType"] == "application/vnd.apache.arrow.stream"
    traceparent = re.compile(common["properties"]["traceparent"]["pattern"])
    assert traceparent.match("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")


def _schema_file(contract: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((PROTO / "schemas" / f"{contract}.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_there_is_one_schema_file_per_contract() -> None:
    assert {p.stem for p in (PROTO / "schemas").glob("*.json")} == set(CONTRACTS)


def test_message_schemas_accept_real_messages_and_refuse_wrong_ones() -> None:
    submit = SubmitJob(
        job_id=uuid4(),
        tenant_id=uuid4(),
        file=FileRef(bucket="remedyiq", key="tenants/t/uploads/a.log", filename="a.log"),
        requested_at=datetime.now(UTC),
    )
    validator = _schema_file("SubmitJob.v1")
    good = submit.model_dump(mode="json")
    assert list(validator.iter_errors(good)) == []
    for bad in (
        {**good, "surprise": 1},  # closed models
        {k: v for k, v in good.items() if k != "job_id"},
        {**good, "options": {**good["options"], "top_n": 0}},
    ):
        assert list(validator.iter_errors(bad)), bad


def test_entry_batch_schema_describes_the_header_values_on_the_wire() -> None:
    headers = EntryBatchHeaders(
        job_id=uuid4(), tenant_id=uuid4(), batch_id="r00001.b0001", table="log_entries", rows=7
    )
    wire = {k: str(v) for k, v in headers.model_dump().items()}  # what the parser publishes
    validator = _schema_file("EntryBatch.v1")
    assert list(validator.iter_errors(wire)) == []
    assert list(validator.iter_errors({**wire, "rows": "seven"}))
    assert list(validator.iter_errors({**wire, "final": "maybe"}))
    assert EntryBatchHeaders.model_validate(wire) == headers  # and the writer reads it back
    final = {**wire, "final": "true"}
    assert list(validator.iter_errors(final)) == []
    assert EntryBatchHeaders.model_validate(final).final
