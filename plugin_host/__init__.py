"""Plugin host for systemic child-protection practice inside municipal client-record systems."""

__version__ = "0.1.0"
