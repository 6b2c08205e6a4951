"""What the analysis needs besides rows: the parse statistics of a job (from the join)."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict, TypeAdapter

from remedyiq_arlog.join import JoinResult


class FileMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: int
    name: str
    bytes: int


INPUT_FILES_ARTEFACT: Final = "inputs.json"
"""The job artefact listing the logs inside a compressed input (a zip's members, numbered as the
rows number them): written by the parser, read when the ingest makes the job's meta."""
input_files: Final = TypeAdapter(list[FileMeta])


class JobMeta(BaseModel):
    """Parse facts of a job, stored with it (JSON) and passed to :func:`analyze`."""

    model_config = ConfigDict(extra="forbid")
    files: list[FileMeta]
    first_ts: int | None
    last_ts: int | None
    physical_lines: int
    continuation_lines: int
    stray_lines: int
    malformed_lines: int
    ignored_records: int
    filtered_records: int
    bad_timestamps: int
    cut_lines: int
    type_first_ts: dict[str, int]
    type_last_ts: dict[str, int]
    locale: str | None
    filter_language: str | None
    server_versions: list[str]

    @classmethod
    def from_join(cls, result: JoinResult, files: list[FileMeta]) -> JobMeta:
        stats = result.stats
        return cls(
            files=files,
            first_ts=stats.first_ts,
            last_ts=stats.last_ts,
            physical_lines=stats.physical_lines,
            continuation_lines=stats.continuation_lines,
            stray_lines=stats.stray_lines,
            malformed_lines=stats.malformed_lines,
            ignored_records=stats.ignored_records,
            filtered_records=stats.filtered_records,
            bad_timestamps=stats.bad_timestamps,
            cut_lines=stats.cut_lines,
            type_first_ts=dict(stats.type_first_ts),
            type_last_ts=dict(stats.type_last_ts),
            locale=result.locale,
            filter_language=result.filter_language,
            server_versions=list(result.server_versions),
        )
