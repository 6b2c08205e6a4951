"""Poison messages — malformed bodies, a tenant header that is not the subject's, a batch that
can never be stored — go to the tenant's dead-letter subject with the reason, after bounded
retries at most, and do not stop the services (nor hold up anyone else's work)."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pyarrow as pa
import pytest

from remedyiq_analysis.batchbody import encode
from remedyiq_analysis.columnar import ENTRY_SCHEMA, to_ipc
from remedyiq_platform.contracts.messages import EntryBatchHeaders, FileRef, SubmitJob
from remedyiq_platform.contracts.subjects import TENANT_HEADER, subject
from remedyiq_platform.messaging import MAX_DELIVERIES, headers_for
from remedyiq_platform.stores import jobs_repo

from .conftest import CliAnalyses
from .harness import Pipeline, Platform, batches_published, start_pipeline

pytestmark = pytest.mark.slow
SMALL_LOG = "sample2_legacy_oracle.log"


def _submit_body(tenant: UUID, bucket: str) -> bytes:
    message = SubmitJob(
        job_id=uuid.uuid4(),
        tenant_id=tenant,
        file=FileRef(bucket=bucket, key=f"tenants/{tenant}/files/x/a.log", filename="a.log"),
        requested_at=datetime.now(UTC),
    )
    return message.model_dump_json().encode()


def _batch_headers(
    tenant: UUID, rows: int, job_id: UUID | None = None, batch_id: str = "r0.b0"
) -> dict[str, str]:
    headers = EntryBatchHeaders(
        job_id=job_id or uuid.uuid4(),
        tenant_id=tenant,
        batch_id=batch_id,
        table="log_entries",
        rows=rows,
    )
    return {k: str(v) for k, v in headers.model_dump().items()}


def _arrow(rows: int, column: str = "line_number") -> bytes:
    return to_ipc(pa.record_batch({column: pa.array(range(rows), pa.uint32())}))


def _body(headers: dict[str, str], rows: int, *, tenant: UUID | None = None) -> bytes:
    """An entry-batch body of ``rows`` rows keyed as ``headers`` say (or for ``tenant``)."""
    columns = [
        pa.array(["x" * 40] * rows, field.type)
        if pa.types.is_string(field.type)
        else pa.array([1] * rows, field.type)
        if pa.types.is_integer(field.type)
        else pa.nulls(rows, field.type)
        for field in ENTRY_SCHEMA
    ]
    return encode(
        pa.RecordBatch.from_arrays(columns, schema=ENTRY_SCHEMA),
        tenant_id=str(tenant or headers["tenant_id"]),
        job_id=headers["job_id"],
        batch_id=headers["batch_id"],
        retention_days=int(headers["retention_days"]),
    )


def _undecodable(body: bytes) -> bytes:
    """``body`` with its first compressed buffer (not a key column's) broken: the writer's
    checks pass, ClickHouse refuses the insert."""
    frame = body.index(b"\x28\xb5\x2f\xfd")  # the first ZSTD frame
    return body[: frame + 4] + b"\xff" * 6 + body[frame + 10 :]


async def test_poison_messages_are_dead_lettered_with_the_reason(
    fixtures_dir: Path, ensure_alive: Pipeline, tenant: UUID, cli: CliAnalyses
) -> None:
    pipeline = ensure_alive
    platform = pipeline.platform
    other = await platform.new_tenant("other")
    ghost = uuid.uuid4()  # a tenant that does not exist (its letter goes to its own subject)
    own = str(tenant)
    submit = subject("jobs.submit", tenant)
    entries = subject("jobs.entries", tenant)
    # (subject, body, headers, consumer expected to refuse it, what the reason must say)
    cases: list[tuple[str, bytes, dict[str, str], str, str]] = [
        (submit, b'{"kind": "submit", "job_id": ', headers_for("SubmitJob.v1", own),
         "ingest-submit", "invalid SubmitJob"),
        (submit, _submit_body(tenant, platform.bucket),
         headers_for("SubmitJob.v1", str(other)), "ingest-submit", "tenant header"),
        (submit, _submit_body(other, platform.bucket), headers_for("SubmitJob.v1", own),
         "ingest-submit", "body tenant"),
        (submit, _submit_body(tenant, platform.bucket), {}, "ingest-submit", "tenant header"),
        (subject("jobs.submit", ghost), _submit_body(ghost, platform.bucket),
         headers_for("SubmitJob.v1", str(ghost)), "ingest-submit", f"there is no tenant {ghost}"),
        (subject("jobs.range", tenant), b"[]", headers_for("ParseRange.v1", own),
         "parser", "invalid ParseRange"),
        (subject("jobs.parsed", tenant), b"{}", headers_for("RangeParsed.v1", own),
         "ingest-parsed", "invalid RangeParsed"),
        (subject("jobs.stored", tenant), b"null", headers_for("BatchStored.v1", own),
         "ingest-stored", "invalid BatchStored"),
        (entries, b"not arrow at all", headers_for("EntryBatch.v1", own, _batch_headers(tenant, 1)),
         "writer", "not an Arrow IPC stream"),
        (entries, _arrow(1), headers_for("EntryBatch.v1", own, _batch_headers(tenant, 1)),
         "writer", "not those of log_entries: column 1 is line_number: uint32"),
        (entries, _body(five := _batch_headers(tenant, 5), 1),
         headers_for("EntryBatch.v1", own, five), "writer", "holds 1 rows, its headers say 5"),
        (entries, _body(one := _batch_headers(tenant, 1), 1, tenant=other),
         headers_for("EntryBatch.v1", own, one), "writer", f"carry tenant_id '{other}'"),
        (entries, _arrow(2), headers_for("EntryBatch.v1", own), "writer",
         "invalid EntryBatchHeaders"),
    ]  # fmt: skip
    for name, body, headers, _, _ in cases:
        await pipeline.publish_raw(name, body, headers)

    letters = await pipeline.dead_letters(own, len(cases) - 1)
    letters += await pipeline.dead_letters(str(ghost), 1)
    found = {
        (letter.original_subject, base64.b64decode(letter.body_b64)): letter for letter in letters
    }
    assert len(found) == len(cases)
    for name, body, headers, consumer, reason in cases:
        letter = found[(name, body)]
        assert letter.consumer == consumer
        assert reason in letter.reason, letter.reason
        assert 1 <= letter.attempts <= MAX_DELIVERIES
        assert letter.headers.get(TENANT_HEADER) == headers.get(TENANT_HEADER)
    assert await pipeline.messages_on("DLQ", subject("jobs.dlq", tenant)) == len(cases) - 1
    assert await pipeline.messages_on("DLQ", subject("jobs.dlq", other)) == 0

    for someone in (tenant, other, ghost):  # nothing was registered for anyone
        async with platform.db.tenant(someone) as conn:
            assert (await jobs_repo.list_jobs(conn, limit=10)).items == []

    path = fixtures_dir / SMALL_LOG
    job_id, end = await pipeline.run_job(tenant, path.name, path.read_bytes())
    assert end.status == "complete", end.error_message
    assert await platform.report(tenant, job_id) == (await cli.analyse(path)).report


async def test_a_batch_that_cannot_be_stored_fails_its_job_and_holds_up_no_other(
    fixtures_dir: Path, platform: Platform, tmp_path: Path, cli: CliAnalyses
) -> None:
    """A writer pulls tenant A's batches together with a batch of tenant B's job that ClickHouse
    refuses (a broken compressed buffer: the writer's checks do not decode it): A's job
    completes; B's batch is dead-lettered after the bounded retries and B's job fails with the
    reason instead of waiting for it."""
    path = fixtures_dir / SMALL_LOG
    async with start_pipeline(platform, tmp_path, services=("ingest", "parser")) as pipeline:
        tenant_a = await platform.new_tenant("a")
        tenant_b = await platform.new_tenant("b")
        job_a = await pipeline.submit(tenant_a, path.name, path.read_bytes())
        job_b = await pipeline.submit(tenant_b, path.name, path.read_bytes())
        await batches_published(platform, tenant_a, job_a)
        await batches_published(platform, tenant_b, job_b)
        # B's last batch is replaced by one that ClickHouse refuses: the job waits for it
        entries_b = subject("jobs.entries", tenant_b)
        last = await pipeline.js.get_last_msg("JOBS_ENTRIES", entries_b)
        assert last.seq is not None
        await pipeline.js.delete_msg("JOBS_ENTRIES", last.seq)
        batch_id = (last.headers or {})["batch_id"]
        batch = _batch_headers(tenant_b, 3, job_id=job_b, batch_id=batch_id)
        headers = headers_for("EntryBatch.v1", str(tenant_b), batch)
        poison = _undecodable(_body(batch, 3))
        await pipeline.publish_raw(entries_b, poison, headers)

        await pipeline.start_more(("writer",))  # one pull gets them all
        end = await pipeline.wait_end(tenant_a, job_a, within_s=60)
        assert end.status == "complete", end.error_message
        expected = await cli.analyse(path)
        assert await platform.count_rows("log_entries", tenant_a, job_a) == expected.entries
        assert await platform.report(tenant_a, job_a) == expected.report

        (letter,) = await pipeline.dead_letters(str(tenant_b), 1, within_s=60)
        assert letter.consumer == "writer"
        assert letter.attempts == MAX_DELIVERIES
        assert "could not be stored" in letter.reason
        assert "not a valid ZSTD frame" in letter.reason
        assert base64.b64decode(letter.body_b64) == poison

        failed = await pipeline.wait_end(tenant_b, job_b, within_s=60)
        assert failed.status == "failed"
        assert failed.error_message is not None
        assert f"batch {batch_id} (log_entries): could not be stored" in failed.error_message
        assert "not a valid ZSTD frame" in failed.error_message
