"""``remedyiq serve`` and ``remedyiq migrate``: the platform's processes in production."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points

from remedyiq_platform.clickhouse import ClickHouse
from remedyiq_platform.config import ClickHouseSettings, RuntimeSettings
from remedyiq_platform.service import Service, serve
from remedyiq_platform.stores.pgmigrate import migrate_up
from remedyiq_platform.stores.settings import MigrationSettings
from remedyiq_platform.telemetry import configure_logging

ServiceFactory = Callable[..., Service]


def service_factories() -> dict[str, EntryPoint]:
    """The installed services (entry point group ``remedyiq.services``), loaded when used."""
    return {ep.name: ep for ep in entry_points(group="remedyiq.services")}


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--service", required=True, help="gateway, ingest, parser or writer")


def serve_command(args: argparse.Namespace) -> int:
    factories = service_factories()
    if args.service not in factories:
        raise SystemExit(
            f"remedyiq: unknown service {args.service!r}; installed: {', '.join(sorted(factories))}"
        )
    runtime = RuntimeSettings()
    configure_logging(runtime.log_level)
    factory: ServiceFactory = factories[args.service].load()
    service = factory()
    port = None if args.service == "gateway" else runtime.health_port  # the API serves its own
    asyncio.run(serve([service], health_host=runtime.health_host, health_port=port))
    return 0


async def migrate_all() -> tuple[list[int], list[int]]:
    """PostgreSQL (as the owner, creating the services' role) then ClickHouse."""
    settings = MigrationSettings()
    postgres = await migrate_up(
        settings.owner_dsn.get_secret_value(),
        app_role=settings.app_role,
        app_password=settings.app_password.get_secret_value(),
    )
    clickhouse_settings = ClickHouseSettings()
    clickhouse = ClickHouse(
        clickhouse_settings.clickhouse_dsn.get_secret_value(),
        clickhouse_settings.clickhouse_database,
    )
    await clickhouse.connect()
    try:
        analytics = await clickhouse.migrate()
    finally:
        await clickhouse.close()
    return postgres, analytics


def migrate_command(_args: argparse.Namespace) -> int:
    configure_logging(RuntimeSettings().log_level)
    postgres, analytics = asyncio.run(migrate_all())
    print(f"PostgreSQL migrations applied: {postgres or 'none (up to date)'}")
    print(f"ClickHouse migrations applied: {analytics or 'none (up to date)'}")
    return 0
