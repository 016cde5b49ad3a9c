"""The systemic-practice plugins shipped with the host, each found through its entry point."""
