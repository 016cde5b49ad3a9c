"""Test support shipped with the host, for this repository's tests and for vendors' plugins.

``plugin_host.testing.pytest_plugin`` is a pytest plugin (entry point ``pytest11``), loaded in
every pytest run of an environment the host is installed in: fixtures prefixed ``plugin_host_``
(the reference record system on loopback, a host with the plugin under test, launches, a
Chromium page). ``plugin_host.testing.contract`` is the contract suite a vendor runs against
their plugin. The other modules are the parts both share with ``tests/fixtures``.
"""
