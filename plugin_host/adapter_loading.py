"""Choosing the record-system adapter from configuration."""

from __future__ import annotations

from plugin_host.config import RecordSystemConfig
from plugin_host.records import RecordSystem


def build_record_system(config: RecordSystemConfig) -> RecordSystem:
    if config.adapter == "soap":
        from adapters.soap import SoapRecordSystem, SoapSettings, XRoadSettings

        xroad = None
        if config.xroad is not None:
            xroad = XRoadSettings(client=config.xroad.client, service=config.xroad.service)
        return SoapRecordSystem(
            SoapSettings(
                endpoint=config.endpoint, timeout_seconds=config.timeout_seconds, xroad=xroad
            )
        )
    raise ValueError(f"unknown record-system adapter {config.adapter!r}")
