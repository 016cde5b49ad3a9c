"""Client note: an example vendor plugin for the systemic plugin host."""

__version__ = "0.1.0"
