"""Dagster assets and checks: thin wrappers over the domain, quality and storage layers.

These modules do not use `from __future__ import annotations`: Dagster reads the `context` and input
annotations at definition time and rejects them as strings.
"""
