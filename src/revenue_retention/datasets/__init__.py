"""Bundled data: the deterministic demo company and small example files of every adapter."""

from revenue_retention.datasets.demo import generate_demo, write_demo_csv
from revenue_retention.datasets.examples import EXAMPLES, example_path, write_examples

__all__ = ["EXAMPLES", "example_path", "generate_demo", "write_demo_csv", "write_examples"]
