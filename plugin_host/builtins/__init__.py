"""The host's own behaviours, registered as plugins through the same hooks a vendor uses."""
