"""The record-system contract over SOAP 1.1 (zeep), with optional X-Road headers."""

from adapters.soap.client import SoapRecordSystem
from adapters.soap.settings import SoapSettings, XRoadMember, XRoadSettings

__all__ = ["SoapRecordSystem", "SoapSettings", "XRoadMember", "XRoadSettings"]
