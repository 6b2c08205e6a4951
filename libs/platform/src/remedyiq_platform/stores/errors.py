"""Errors raised by the stores layer (all subclasses of :class:`StoreError`)."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error the stores raise on purpose."""


class InvalidTenantError(StoreError, ValueError):
    """A tenant id that is empty, not a UUID, or unsafe to put in a key."""


class NotFoundError(StoreError, LookupError):
    """The row or object does not exist (or belongs to another tenant, which looks the same)."""


class ConflictError(StoreError):
    """The request contradicts what is already stored (e.g. a different range plan)."""


class IllegalTransitionError(StoreError):
    """A job status change that the job lifecycle does not allow."""

    def __init__(self, job_id: object, current: str, target: str) -> None:
        super().__init__(f"job {job_id}: illegal status transition {current} -> {target}")
        self.job_id = job_id
        self.current = current
        self.target = target


class TenantKeyError(StoreError, PermissionError):
    """An object key outside the tenant's prefix, or not a well-formed key."""


class ObjectTooLargeError(StoreError):
    """An upload or read exceeded the size limit given for it."""


class PrivilegedRoleError(StoreError):
    """The services' database role could bypass row-level security (superuser, owner...)."""


class MigrationError(StoreError):
    """The migrations cannot be applied as asked (bad role, edited migration file...)."""
