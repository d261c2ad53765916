"""Bundled demo data: a deterministic synthetic B2B SaaS billing history."""

from revenue_retention.datasets.demo import generate_demo, write_demo_csv

__all__ = ["generate_demo", "write_demo_csv"]
