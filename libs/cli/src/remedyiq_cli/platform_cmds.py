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
SHARES_CLICKHOUSE = ("gateway", "ingest", "writer")


def service_factories() -> dict[str, EntryPoint]:
    """The installed services (entry point group ``remedyiq.services``), loaded when used."""
    return {ep.name: ep for ep in entry_points(group="remedyiq.services")}


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--service",
        required=True,
        help="gateway, ingest, parser or writer (comma-separated: several in this process, "
        "sharing one ClickHouse client — needed for the embedded engine)",
    )


def serve_command(args: argparse.Namespace) -> int:
    names = [name.strip() for name in args.service.split(",") if name.strip()]
    factories = service_factories()
    unknown = [name for name in names if name not in factories]
    if unknown:
        raise SystemExit(
            f"remedyiq: unknown service {unknown}; installed: {', '.join(sorted(factories))}"
        )
    runtime = RuntimeSettings()
    configure_logging(runtime.log_level)
    # the gateway answers /healthz and /readyz on its API port; the others on the health port
    port = None if names == ["gateway"] else runtime.health_port
    asyncio.run(_serve(names, factories, health_host=runtime.health_host, health_port=port))
    return 0


async def _serve(
    names: list[str], factories: dict[str, EntryPoint], *, health_host: str, health_port: int | None
) -> None:
    shared: ClickHouse | None = None
    if len(names) > 1 and set(names) & set(SHARES_CLICKHOUSE):
        settings = ClickHouseSettings()
        shared = ClickHouse(
            settings.clickhouse_dsn.get_secret_value(), settings.clickhouse_database
        )
        await shared.connect()
    try:
        services = []
        for name in names:
            factory: ServiceFactory = factories[name].load()
            wants = shared is not None and name in SHARES_CLICKHOUSE
            services.append(factory(clickhouse=shared) if wants else factory())
        await serve(services, health_host=health_host, health_port=health_port)
    finally:
        if shared is not None:
            await shared.close()


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
