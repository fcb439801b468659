#!/usr/bin/env python3
"""Real FHIR clients against Tailor's /fhir/r4 facade (issue #5): fhirpy searches and reads, fhir.resources (R4B models)
validating every resource Tailor emits.

1. Starts `tailor serve --demo` on a free port in a fresh data folder and signs in as the demo clinician.
2. POSTs one Synthea bundle to /fhir/r4 (a transaction) and validates the transaction-response.
3. With fhirpy (SyncFHIRClient): reads the imported Patient, searches Observation (by patient, with _count=5 and every
   page through the `next` links), Condition and MedicationRequest; validates each resource and each Bundle page.
4. Validates the CapabilityStatement, Patient/$everything, an OperationOutcome for a bad search, and the demo patient's
   FHIR Genomics Reporting bundle.
5. Consent (fhirpy search and read by id), AuditEvent (fhirpy search with paging, as the patient; refused to the
   clinician), `_include=Observation:subject` and reads by id; every resource validated with the R4B models.
6. The demo patient's Phenopacket v2 export, parsed strictly with the GA4GH `phenopackets` protobuf bindings
   (`google.protobuf.json_format.Parse`, unknown fields rejected).
Exit status 0 when every check passes, 1 otherwise.

Usage: python3 scripts/fhir_clients_check.py TAILOR_BINARY SYNTHEA_BUNDLE.json
(needs `pip install fhirpy fhir.resources phenopackets`; CI installs them, pinned, into its venv)
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from fhir.resources.R4B import get_fhir_model_class
from fhirpy import SyncFHIRClient
from google.protobuf.json_format import Parse
from phenopackets import Phenopacket

failures: list[str] = []


def check(condition: bool, message: str) -> None:
    if not condition:
        failures.append(message)
        print(f"FAIL {message}")


def validate(resource: dict, where: str) -> None:
    """Parses the resource with the fhir.resources R4B model of its type (strict: unknown fields fail)."""
    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except Exception as error:  # noqa: BLE001 - any validation error is a failure to report
        check(False, f"{where}: {resource.get('resourceType')} does not validate: {str(error)[:400]}")


def http(method: str, url: str, token: str | None, body: bytes | None = None, content_type: str = "application/fhir+json"):
    request = urllib.request.Request(url, data=body, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, bundle_path = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="tailor-fhir-clients.")
    env = dict(os.environ, TAILOR_BCRYPT_COST="10", TAILOR_LOG_LEVEL="warning", TAILOR_ADMIN_PASSWORD="fhir-clients-admin-1")
    server = subprocess.Popen([binary, "serve", "--demo", "--port", "0", "--data", work + "/data"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=env, text=True)
    try:
        base = None
        deadline = time.time() + 180
        while time.time() < deadline and base is None:
            line = server.stdout.readline()
            match = re.search(r"listening on (http://[^ ]+:\d+)", line or "")
            if match:
                base = match.group(1)
        if base is None:
            print("FAIL the server did not start")
            return 1
        _, login = http("POST", base + "/api/v1/auth/login", None,
                        json.dumps({"username": "clinician", "password": "demo-clinician"}).encode(), "application/json")
        token = login["token"]
        fhir = base + "/fhir/r4"

        status, capability = http("GET", fhir + "/metadata", token)
        check(status == 200 and capability.get("fhirVersion") == "4.0.1", f"metadata: {status}")
        validate(capability, "metadata")

        with open(bundle_path, "rb") as f:
            status, response = http("POST", fhir, token, f.read())
        check(status == 200 and response.get("type") == "transaction-response", f"import: HTTP {status} {str(response)[:200]}")
        validate(response, "transaction-response")
        locations = [e.get("response", {}).get("location", "") for e in response.get("entry", [])]
        patient_paths = [loc for loc in locations if loc.startswith("Patient/")]
        check(len(patient_paths) == 1, f"import: {len(patient_paths)} Patient locations")
        patient_id = patient_paths[0].split("/")[1] if patient_paths else ""

        client = SyncFHIRClient(fhir, authorization=f"Bearer {token}")
        patient = client.reference("Patient", patient_id).to_resource()
        validate(patient.serialize(), "Patient read")
        check(patient["id"] == patient_id, "Patient read: id")

        pages = 0
        observations = 0
        search = client.resources("Observation").search(patient=patient_id).limit(5)
        for observation in search.fetch_all():
            validate(observation.serialize(), "Observation search")
            observations += 1
        status, page = http("GET", f"{fhir}/Observation?patient={patient_id}&_count=5", token)
        while page and status == 200:
            validate(page, "Observation searchset page")
            pages += 1
            next_links = [link["url"] for link in page.get("link", []) if link.get("relation") == "next"]
            if not next_links or pages > 1000:
                break
            status, page = http("GET", next_links[0] if next_links[0].startswith("http") else fhir + "/" + next_links[0], token)
        check(observations > 5 and pages > 1, f"Observation search: {observations} resources over {pages} pages")
        conditions = client.resources("Condition").search(patient=patient_id).fetch_all()
        for condition in conditions:
            validate(condition.serialize(), "Condition search")
        for request in client.resources("MedicationRequest").search(patient=patient_id).fetch_all():
            validate(request.serialize(), "MedicationRequest search")

        status, everything = http("GET", f"{fhir}/Patient/{patient_id}/$everything", token)
        check(status == 200, f"$everything: HTTP {status}")
        validate(everything, "$everything")

        status, outcome = http("GET", f"{fhir}/Observation?patient={patient_id}&colour=blue", token)
        check(status == 400 and outcome.get("resourceType") == "OperationOutcome", f"unknown parameter: HTTP {status}")
        validate(outcome, "OperationOutcome")

        # The demo's genomes are analysed in the background after start: wait for Alex's PGx findings.
        report = None
        for _ in range(120):
            status, report = http("GET", base + "/api/v1/patients/pat_demo-alex/genomics-report", token)
            if status == 200 and len(report.get("entry", [])) > 1:
                break
            time.sleep(1)
        check(status == 200 and len(report.get("entry", [])) > 1, f"genomics report: HTTP {status}, {len(report.get('entry', []))} entries")
        validate(report, "genomics report")
        for entry in report.get("entry", []):
            validate(entry["resource"], "genomics report entry")

        # Consent: the demo patient's consent history, searched and read by id with fhirpy.
        alex = "pat-demo-alex"
        consents = client.resources("Consent").search(patient=alex).fetch_all()
        for consent in consents:
            validate(consent.serialize(), "Consent search")
        check(len(consents) >= 1 and consents[0]["status"] == "active", f"Consent search: {len(consents)} resources")
        if consents:
            consent = client.reference("Consent", consents[0]["id"]).to_resource()
            validate(consent.serialize(), "Consent read")
            check(consent["id"] == consents[0]["id"], "Consent read: id")

        # _include: the subject comes once, as an include entry; reads by id.
        status, included = http("GET", f"{fhir}/Observation?patient={patient_id}&_include=Observation:subject&_count=5", token)
        validate(included, "Observation _include searchset")
        modes = [(e.get("search", {}).get("mode"), e.get("resource", {}).get("resourceType")) for e in included.get("entry", [])]
        check(status == 200 and modes.count(("include", "Patient")) == 1, f"_include: HTTP {status}, {modes[-2:]}")
        raw = client.resources("Observation").search(patient=patient_id).include("Observation", "subject").limit(5).fetch_raw()
        check(any(e.get("search", {}).get("mode") == "include" for e in raw.get("entry", [])), "_include with fhirpy")
        first_observation = next((e["resource"] for e in included.get("entry", []) if e["resource"]["resourceType"] == "Observation"), None)
        if first_observation:
            observation = client.reference("Observation", first_observation["id"]).to_resource()
            validate(observation.serialize(), "Observation read")

        # AuditEvent: the patient reads their own trail (paged by fhirpy); the clinician is refused.
        _, patient_login = http("POST", base + "/api/v1/auth/login", None,
                                json.dumps({"username": "alex", "password": "demo-alex"}).encode(), "application/json")
        patient_client = SyncFHIRClient(fhir, authorization=f"Bearer {patient_login['token']}")
        events = patient_client.resources("AuditEvent").search(patient=alex).limit(5).fetch_all()
        for event in events:
            validate(event.serialize(), "AuditEvent search")
        check(len(events) > 5 and len({e["id"] for e in events}) == len(events), f"AuditEvent search: {len(events)} events")
        check(any(e["outcome"] == "0" for e in events), "AuditEvent: allowed accesses on the trail")
        status, refused = http("GET", f"{fhir}/AuditEvent?patient={alex}", token)
        check(status == 403 and refused.get("resourceType") == "OperationOutcome", f"AuditEvent as the clinician: HTTP {status}")
        denials = patient_client.resources("AuditEvent").search(patient=alex).limit(5).fetch()
        check(any(e["outcome"] == "8" for e in denials), "AuditEvent: the clinician's refusal is on the trail")

        # Phenopacket v2: strict protobuf parse.
        status, packet = http("GET", base + "/api/v1/patients/pat_demo-alex/phenopacket", token)
        check(status == 200, f"phenopacket: HTTP {status}")
        try:
            parsed = Parse(json.dumps(packet), Phenopacket())
            check(parsed.meta_data.phenopacket_schema_version == "2.0", "phenopacket: schema version")
            check(len(parsed.interpretations) > 0, f"phenopacket: {len(parsed.interpretations)} interpretations")
        except Exception as error:  # noqa: BLE001 - any parse error is a failure to report
            check(False, f"phenopacket does not parse: {str(error)[:400]}")

        print(f"fhir clients: metadata, import ({len(locations)} entries), Patient read, {observations} Observations "
              f"over {pages} pages, Conditions, MedicationRequests, $everything, OperationOutcome and the genomics report "
              f"({len(report.get('entry', []))} resources), {len(consents)} Consents, {len(events)} AuditEvents, _include and the "
              f"phenopacket checked with fhirpy, fhir.resources R4B and phenopackets 2.0.2")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"fhir clients: {len(failures)} failure(s)")
        return 1
    print("fhir clients: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
