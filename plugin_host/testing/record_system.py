"""The reference record system as a real server process on loopback, for tests.

``start_record_system`` runs ``python -m reference_record_system serve`` in a subprocess and
waits for ``/-/ready``; the database it creates is seeded with the synthetic families of
``reference_record_system.seed``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from adapters.soap import SoapRecordSystem, SoapSettings
from plugin_host.demo import free_port
from plugin_host.records import RequestContext

# The folder that holds the host's packages (the checkout, or site-packages): the record
# system's module is importable from there whatever the install mode.
PACKAGES_ROOT = Path(__file__).resolve().parents[2]
DEMO_ORG_UNIT = "lastensuojelu-1"
PURPOSE = "asiakastyö"
DEMO_CONTEXT = RequestContext(worker_id="w-demo", org_unit=DEMO_ORG_UNIT, purpose=PURPOSE)
OTHER_CONTEXT = RequestContext(worker_id="w-other", org_unit="lastensuojelu-2", purpose=PURPOSE)
_START_SECONDS = 30


@dataclass
class RecordSystemProcess:
    url: str
    db_path: Path
    log_path: Path
    process: subprocess.Popen

    @property
    def soap_url(self) -> str:
        return f"{self.url}/soap"

    @property
    def wsdl_url(self) -> str:
        return f"{self.url}/soap?wsdl"

    def set_faults(self, **faults: object) -> dict:
        """Replace the injected faults; omitted ones are off. E.g. ``set_faults(http_503=True)``."""
        response = requests.put(f"{self.url}/-/faults", json=faults, timeout=5)
        response.raise_for_status()
        return response.json()

    def reset_faults(self) -> None:
        """Fixed settings off, no schedule, counts back to zero."""
        requests.delete(f"{self.url}/-/faults", timeout=5).raise_for_status()

    def set_schedule(self, phases: list[dict], seed: int = 0) -> dict:
        """Replace the fault schedule; its clock starts at the next SOAP request.

        E.g. ``set_schedule([{"start_s": 0, "duration_s": 2, "faults": {"http_503": True}}])``.
        Returns the schedule with every default filled in.
        """
        response = requests.put(
            f"{self.url}/-/faults/schedule", json={"phases": phases, "seed": seed}, timeout=5
        )
        response.raise_for_status()
        return response.json()

    def fault_stats(self) -> dict:
        """Requests seen, faults injected by kind, latency added and writes committed since the
        schedule was set or the faults reset."""
        response = requests.get(f"{self.url}/-/faults/stats", timeout=5)
        response.raise_for_status()
        return response.json()

    def soap_adapter(self, timeout_seconds: float = 2.0) -> SoapRecordSystem:
        return SoapRecordSystem(
            SoapSettings(endpoint=self.soap_url, timeout_seconds=timeout_seconds)
        )

    def received_requests(self) -> list[dict]:
        """What the SOAP service was asked (operation, context, X-Road headers), oldest first."""
        response = requests.get(f"{self.url}/-/requests", timeout=5)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_record_system(
    tmp_path: Path,
    port: int | None = None,
    host_url: str | None = None,
    private_key: str | Path | None = None,
    issuer: str = "reference-record-system",
    org_unit: str = DEMO_ORG_UNIT,
    kanta_trusted_certs: Path | None = None,
    kanta_content_validation: bool = True,
) -> RecordSystemProcess:
    """Start a record system on loopback with a database in ``tmp_path`` (seeded if new).

    ``private_key`` is the path of the PEM file that signs launch tokens for the web page.
    ``kanta_trusted_certs`` is a PEM file of the certificates the Kanta archive simulator
    (``/kanta/``) trusts for document signatures; without it every archive message is refused.
    ``kanta_content_validation=False`` makes the simulator skip ``adapters.kanta.validation``.
    """
    port = port or free_port()
    db_path = tmp_path / "records.db"
    log_path = tmp_path / "record-system.log"
    command = [
        sys.executable,
        "-m",
        "reference_record_system",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db",
        str(db_path),
        "--issuer",
        issuer,
        "--org-unit",
        org_unit,
    ]
    if host_url:
        command += ["--host-url", host_url]
    if private_key:
        command += ["--private-key", str(private_key)]
    if kanta_trusted_certs:
        command += ["--kanta-trusted-certs", str(kanta_trusted_certs)]
    if not kanta_content_validation:
        command += ["--kanta-no-content-validation"]
    with log_path.open("wb") as log:
        # cwd: the package is importable from there whatever the install mode.
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, cwd=PACKAGES_ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    handle = RecordSystemProcess(f"http://127.0.0.1:{port}", db_path, log_path, process)
    _wait_until_ready(handle)
    return handle


def _wait_until_ready(handle: RecordSystemProcess) -> None:
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if handle.process.poll() is not None:
            raise RuntimeError(f"record system exited:\n{handle.log_path.read_text()}")
        try:
            if requests.get(f"{handle.url}/-/ready", timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    handle.stop()
    log = handle.log_path.read_text()
    raise RuntimeError(f"record system not ready in {_START_SECONDS} s:\n{log}")
