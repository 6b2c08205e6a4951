"""RemedyIQ's HTTP API: auth and tenants, uploads, jobs, dashboards, KQL search, traces, reports."""

__version__ = "0.1.0"
