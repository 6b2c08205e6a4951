"""RemedyIQ's stores: PostgreSQL (with row-level security), S3 objects and the Redis caches.

Import the submodule you need (``stores.postgres``, ``stores.jobs_repo``, ``stores.objects``,
``stores.status``...); this package imports nothing on its own, so a service that only uses
PostgreSQL never loads aioboto3.
"""
