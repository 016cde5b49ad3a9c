"""Genogram and network map: the family over generations and its network, drawn with the family."""

__version__ = "0.1.0"
