"""Writes never get lost: accepted into the host's database, delivered later, in order."""
