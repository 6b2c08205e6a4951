"""``remedyiq up``: the whole platform on this machine, started by one command.

Real servers from the package registries (NATS JetStream, PostgreSQL, Redis, SeaweedFS for S3;
see remedyiq_devstack), migrations applied, then every installed service in this one process —
each still its own FastStream app talking over the real NATS server — sharing one embedded
ClickHouse (chDB allows one process per data directory, design.md §4). Ctrl-C drains the
services and stops the servers. The endpoints are written to ``<data-dir>/stack.env`` so that
``remedyiq submit`` / ``report`` (and your shell: ``set -a; . .cache/stack/stack.env``) find them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
from pathlib import Path

from remedyiq_cli.platform_cmds import SHARES_CLICKHOUSE, migrate_all, service_factories
from remedyiq_devstack.postgres_server import provision_platform_database
from remedyiq_devstack.stack import Stack
from remedyiq_platform.clickhouse import ClickHouse
from remedyiq_platform.service import Service, serve
from remedyiq_platform.telemetry import configure_logging

DEFAULT_DIR = Path(".cache/stack")
BUCKET = "remedyiq"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DIR, help="state kept between runs"
    )
    parser.add_argument("--api-port", type=int, default=8080, help="the gateway's HTTP port")
    parser.add_argument(
        "--services", help="comma-separated services to run (default: every installed one)"
    )
    parser.add_argument(
        "--no-dev-auth",
        action="store_true",
        help="require real JWTs (dev mode accepts X-Dev-User-ID / X-Dev-Tenant-ID headers)",
    )


def _secrets(data_dir: Path) -> dict[str, str]:
    """Passwords of this local stack, made once and kept (never defaults)."""
    path = data_dir / "secrets.json"
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return stored
    values = {name: secrets.token_urlsafe(24) for name in ("owner", "app", "s3")}
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values), encoding="utf-8")
    path.chmod(0o600)
    return values


def start_servers(data_dir: Path, *, api_port: int, dev_auth: bool) -> tuple[Stack, dict[str, str]]:
    """Start the servers and return them with the environment the services read."""
    keys = _secrets(data_dir)
    stack = Stack(data_dir / "servers", s3_secret_key=keys["s3"])
    stack.start()
    database = provision_platform_database(
        stack.postgres,
        "remedyiq",
        owner="remedyiq_owner",
        owner_password=keys["owner"],
        app_role="remedyiq_app",
        app_password=keys["app"],
    )
    env = {
        **stack.settings.as_env(),
        "REMEDYIQ_POSTGRES_DSN": database.app_dsn,
        "REMEDYIQ_POSTGRES_OWNER_DSN": database.owner_dsn,
        "REMEDYIQ_POSTGRES_APP_PASSWORD": database.app_password,
        "REMEDYIQ_S3_BUCKET": BUCKET,
        "REMEDYIQ_CLICKHOUSE_DSN": f"chdb://{(data_dir / 'chdb').absolute()}",
        "REMEDYIQ_CLICKHOUSE_DATABASE": "remedyiq",
        "REMEDYIQ_API_PORT": str(api_port),
        "REMEDYIQ_AUTH_DEV_MODE": "true" if dev_auth else "false",
        "REMEDYIQ_PARSER_WORK_DIR": str((data_dir / "work").absolute()),
    }
    (data_dir / "work").mkdir(parents=True, exist_ok=True)
    env_file = data_dir / "stack.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in sorted(env.items())), encoding="utf-8")
    env_file.chmod(0o600)
    return stack, env


def build_services(clickhouse: ClickHouse, names: list[str] | None = None) -> list[Service]:
    """The installed services (or ``names``); those that query ClickHouse share one engine."""
    factories = service_factories()
    unknown = set(names or ()) - set(factories)
    if unknown:
        raise SystemExit(f"remedyiq: unknown services {sorted(unknown)}; have {sorted(factories)}")
    services = []
    for name in names or sorted(factories):
        factory = factories[name].load()
        services.append(factory(clickhouse=clickhouse) if name in SHARES_CLICKHOUSE else factory())
    return services


async def run_platform(
    env: dict[str, str],
    *,
    names: list[str] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Migrate, then run the services until Ctrl-C / SIGTERM (or ``stop``)."""
    os.environ.update(env)
    await migrate_all()
    clickhouse = ClickHouse(env["REMEDYIQ_CLICKHOUSE_DSN"], env["REMEDYIQ_CLICKHOUSE_DATABASE"])
    await clickhouse.connect()
    try:
        services = build_services(clickhouse, names)
        await serve(services, health_host="127.0.0.1", health_port=None, stop_event=stop)
    finally:
        await clickhouse.close()


def up_command(args: argparse.Namespace) -> int:
    configure_logging(os.environ.get("REMEDYIQ_LOG_LEVEL", "WARNING"))
    stack, env = start_servers(args.data_dir, api_port=args.api_port, dev_auth=not args.no_dev_auth)
    try:
        print("RemedyIQ is running (Ctrl-C stops everything):")
        print(f"  API          http://127.0.0.1:{args.api_port}/api/v1  (docs: /api/v1/docs)")
        print(f"  NATS         {env['REMEDYIQ_NATS_URL']}")
        print(f"  PostgreSQL   {stack.postgres.dsn_for('remedyiq')}")
        print(f"  Redis        {env['REMEDYIQ_REDIS_URL']}")
        print(f"  S3           {env['REMEDYIQ_S3_ENDPOINT']}  (bucket {BUCKET})")
        print(f"  ClickHouse   {env['REMEDYIQ_CLICKHOUSE_DSN']}  (embedded)")
        print(f"  settings     {args.data_dir / 'stack.env'}")
        if not args.no_dev_auth:
            print("  auth         DEV MODE: X-Dev-User-ID / X-Dev-Tenant-ID headers are accepted")
        demo = Path(".cache/demo/arserver-demo.log")
        print(f"Try: .venv/bin/remedyiq submit {demo if demo.exists() else 'FILE.log'} --wait")
        names = [n.strip() for n in args.services.split(",")] if args.services else None
        asyncio.run(run_platform(env, names=names))
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping: services drained, stopping the servers…", flush=True)
        stack.stop()
        print(f"RemedyIQ stopped (data kept in {args.data_dir})", flush=True)
    return 0
