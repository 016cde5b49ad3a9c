"""A deliberately bad vendor plugin: what the contract suite must catch (tests/test_scaffold.py)."""
