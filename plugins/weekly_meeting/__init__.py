"""The systemic team's weekly meeting: each family's case discussion, its record and its summary."""

__version__ = "1.0.0"
