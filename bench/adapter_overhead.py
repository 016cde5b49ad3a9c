"""What the SOAP adapter costs over a raw POST of the same envelope and a bare lxml parse.

``python -m bench.adapter_overhead [--samples 300] [--list-samples 30] [--list-kb 1024] [--quick]``

The reference record system as a real process on loopback, its database seeded (demo data)
before it starts, plus, written with ``RecordStore.save_document`` directly:

- one document of about 2 KB for client ``c-1002``;
- for client ``c-1003``, as many documents as make the ``ListDocuments`` reply about
  ``--list-kb`` KB (1 MB).

Timed, interleaved, one call at a time:

1. ``adapters.soap.SoapRecordSystem.get_document`` / ``list_documents``: zeep builds the
   envelope, the reply passes the host's hardened parser and the contract check, zeep reads it
   and ``convert`` makes the dataclasses;
2. the baseline: ``requests.Session.post`` of the very envelope zeep sends (built once,
   untimed) with zeep's HTTP headers, then ``lxml.etree.fromstring`` of the reply.

Printed: median and p95 per call, ratio of the medians. Goals: within 1.5x for one document,
within 2x for the 1 MB list. The benchmark exits 1 if the adapter's answer does not match what
was seeded.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests
from lxml import etree

from adapters.soap import SoapRecordSystem, SoapSettings
from bench._table import Row, print_table
from plugin_host.demo import free_port, stop_process, wait_until_up
from plugin_host.records import RequestContext
from reference_record_system.seed import seed_if_empty
from reference_record_system.store import RecordStore

CONTEXT = RequestContext(worker_id="w-demo", org_unit="lastensuojelu-1", purpose="asiakastyö")
ONE_CLIENT, LIST_CLIENT = "c-1002", "c-1003"
GOAL_ONE, GOAL_LIST = 1.5, 2.0
DOCUMENT_TYPE = "client_note"



class WrongAnswer(Exception):
    """The adapter's answer is not what was seeded."""


@dataclass(frozen=True)
class Options:
    samples: int
    list_samples: int
    list_kb: int


def seed_documents(store: RecordStore, list_kb: int) -> tuple[str, str, int]:
    """The single document (id, content) and the number of documents in the long list."""
    content = "Tapaaminen perheen kanssa. " * 80  # about 2 KB
    one = store.save_document(
        "w-demo",
        ONE_CLIENT,
        DOCUMENT_TYPE,
        "Muistiinpano",
        content,
        "text/plain",
        idempotency_key=uuid.uuid4().hex,
    )
    # One listed document is about 350 bytes of XML (ids, type, title, version, time, worker).
    count = max(1, list_kb * 1024 // 350)
    for index in range(count):
        store.save_document(
            "w-demo",
            LIST_CLIENT,
            DOCUMENT_TYPE,
            f"Muistiinpano {index:05d}: tapaaminen koulussa",
            "lyhyt",
            "text/plain",
            idempotency_key=uuid.uuid4().hex,
        )
    return one["document_id"], content, count


def start_records(directory: Path) -> tuple[subprocess.Popen, str]:
    url = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "reference_record_system", "serve"]
    command += ["--port", url.rsplit(":", 1)[1], "--db", str(directory / "records.db")]
    with (directory / "records.log").open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    wait_until_up(f"{url}/-/ready")
    return process, url


def raw_call(adapter: SoapRecordSystem, operation: str, **params) -> Callable[[], etree._Element]:
    """The same envelope zeep sends, POSTed with requests and parsed with lxml."""
    service = adapter._service  # the bench looks inside; nothing else should
    context = {"WorkerId": CONTEXT.worker_id, "OrgUnit": CONTEXT.org_unit}
    context["Purpose"] = CONTEXT.purpose
    envelope, headers = service._binding._create(
        operation,
        (),
        {"RequestContext": context, **params},
        client=service._client,
        options=service._binding_options,
    )
    body = etree.tostring(envelope, encoding="utf-8", xml_declaration=True)
    endpoint = service._binding_options["address"]
    http = requests.Session()

    def call() -> etree._Element:
        answer = http.post(endpoint, data=body, headers=headers, timeout=30)
        answer.raise_for_status()
        return etree.fromstring(answer.content)

    return call


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def interleaved(ours: Callable, raw: Callable, samples: int) -> tuple[list[float], list[float]]:
    for _ in range(3):
        ours(), raw()
    a, b = [], []
    for _ in range(samples):
        a.append(timed(ours))
        b.append(timed(raw))
    return a, b


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def rows_for(label: str, ours: list[float], raw: list[float], goal: float) -> list[Row]:
    ratio = statistics.median(ours) / statistics.median(raw)
    met = "met" if ratio <= goal else "NOT met"
    return [
        (
            f"{label}, median",
            f"{statistics.median(ours):.2f} ms",
            f"{statistics.median(raw):.2f} ms",
            f"{ratio:.2f}",
            f"<= {goal:g}x ({met})",
        ),
        (f"{label}, p95", f"{_p95(ours):.2f} ms", f"{_p95(raw):.2f} ms", "", ""),
    ]


def run(url: str, document_id: str, content: str, count: int, options: Options) -> list[Row]:
    adapter = SoapRecordSystem(SoapSettings(endpoint=f"{url}/soap", timeout_seconds=30))
    if adapter.get_document(CONTEXT, document_id).content != content:
        raise WrongAnswer("get_document's content differs from the seeded one")
    listed = adapter.list_documents(CONTEXT, LIST_CLIENT)
    if len(listed) != count:
        raise WrongAnswer(f"list_documents gave {len(listed)} documents, {count} were seeded")
    raw_one = raw_call(adapter, "GetDocument", DocumentId=document_id, Version=None)
    raw_list = raw_call(adapter, "ListDocuments", ClientId=LIST_CLIENT, DocumentType=None)
    reply = etree.tostring(raw_list())
    print(f"ListDocuments reply: {len(reply) / 1024:.0f} KB, {count} documents", flush=True)

    one, one_raw = interleaved(
        lambda: adapter.get_document(CONTEXT, document_id), raw_one, options.samples
    )
    many, many_raw = interleaved(
        lambda: adapter.list_documents(CONTEXT, LIST_CLIENT), raw_list, options.list_samples
    )
    return [
        *rows_for("get_document, one 2 KB document", one, one_raw, GOAL_ONE),
        *rows_for(f"list_documents, {len(reply) / 1024:.0f} KB reply", many, many_raw, GOAL_LIST),
    ]




def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.adapter_overhead", description=__doc__)
    parser.add_argument("--samples", type=int, default=300, help="get_document samples (300)")
    parser.add_argument("--list-samples", type=int, default=30, help="list samples (30)")
    parser.add_argument("--list-kb", type=int, default=1024, help="list reply size (1024)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 50 and 5 samples")
    args = parser.parse_args(argv)
    if args.quick:
        args.samples, args.list_samples = 50, 5
    return Options(args.samples, args.list_samples, args.list_kb)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    with tempfile.TemporaryDirectory(prefix="bench-") as name:
        directory = Path(name)
        store = RecordStore(str(directory / "records.db"))
        seed_if_empty(store)
        print(f"seeding about {options.list_kb} KB of document list ...", flush=True)
        document_id, content, count = seed_documents(store, options.list_kb)
        process, url = start_records(directory)
        try:
            rows = run(url, document_id, content, count, options)
        except WrongAnswer as wrong:
            print(f"\n!!! WRONG ANSWER: {wrong}", file=sys.stderr)
            return 1
        finally:
            stop_process(process)
    print()
    print_table(rows)
    print(
        "\none call at a time, interleaved; baseline = requests.post of zeep's own envelope "
        "+ lxml.etree.fromstring (no hardened parse, no contract check, no conversion)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
