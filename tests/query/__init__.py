"""Tests of remedyiq_query: KQL parsing, compilation, errors, autocomplete, and chDB execution."""
