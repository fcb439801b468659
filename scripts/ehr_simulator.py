#!/usr/bin/env python3
"""A small EHR calling Tailor's CDS Hooks 2.0 services (issue #5, interop brief §4(d) and test plan item 4).

1. Makes an ES384 key, registers it as a CDS client (TAILOR_CDS_CLIENTS, acting as the demo clinician) and starts
   `tailor serve --demo` on a free port in a fresh data folder (SQLite unless --database is given).
2. GETs /cds-services and validates it with the CDS Hooks discovery schema.
3. For each drug (clopidogrel, codeine, simvastatin, warfarin, fluorouracil, allopurinol) sends order-select for a demo
   patient WITH the relevant genotype and one WITHOUT it. The EHR uses its own patient ids ("ehr-…"), so it fills the
   `patient` prefetch template from Tailor's FHIR API (/fhir/r4/Patient/…, which carries the MRN) and Tailor matches
   the patient by MRN. Every request and response is validated with the schemas; cards are checked (indicator, CPIC or
   DPWG source label and URL, summary <= 140 characters, suggestions with selectionBehavior where the guideline gives
   an alternative drug, a link to the report that answers 200). A JWT is signed per call with aud = the service URL.
4. POSTs feedback (accepted, overridden); an overridden card is not repeated at order-sign for the same order.
5. Checks 401 (no JWT, unknown key, alg none, HS256, wrong aud) and 412 (EHR id without the patient prefetch).
A drug that cannot give a card is reported by name; it is never a silent pass. Exit 0 when every check passes.

Usage: ehr_simulator.py TAILOR_BINARY [--examples DIR] [--database URL]
Needs: requests, jsonschema, pyjwt[crypto] (versions pinned in .ci/run).
"""
from __future__ import annotations

import argparse, json, os, re, subprocess, sys, tempfile, time, uuid
from datetime import datetime, timezone

import jwt, requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jsonschema import Draft202012Validator, FormatChecker

ISS = "https://ehr-simulator.example"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
# drug, RxNorm ingredient, patient with the genotype, patient without it, expect a suggestion (alternative drug)
CASES = [
    ("clopidogrel", "32968", "pat_demo-alex", "pat_demo-priya", True),   # CYP2C19 *2/*2 vs *17/*17
    ("codeine", "2670", "pat_demo-sam", "pat_demo-priya", True),         # CYP2D6 *4/*4 vs *1/*2 (outside calls)
    ("simvastatin", "36567", "pat_demo-priya", "pat_demo-sam", True),    # SLCO1B1 *5/*5 vs reference
    ("warfarin", "11289", "pat_demo-mei", "pat_demo-priya", False),      # CYP2C9 *1/*3 + VKORC1 vs reference (see INFO_ONLY)
    ("fluorouracil", "4492", "pat_demo-sam", "pat_demo-priya", False),   # DPYD *2A carrier vs reference
    ("allopurinol", "519", "pat_demo-mei", "pat_demo-priya", True),      # HLA-B*58:01 positive vs negative
]
# Cards whose indicator is info by Tailor's rule (indicator from the recommendation's strength classification), and why.
INFO_ONLY = {
    "warfarin": "CPIC's warfarin guideline is a dosing algorithm with no phenotype-keyed recommendation (PharmCAT: 'see guideline'), "
                "so the card is DPWG's dose advice ('use 65% of the standard initial dose'), which carries no strength classification (N/A)",
}
failures: list[str] = []


def check(ok: bool, message: str) -> bool:
    print(("ok   " if ok else "FAIL ") + message)
    if not ok:
        failures.append(message)
    return ok


class EHR:
    def __init__(self, base: str, key, schemas: dict, clinician_token: str):
        self.base, self.key, self.schemas, self.token = base, key, schemas, clinician_token

    def jwt_for(self, url: str, **overrides) -> str:
        now = int(time.time())
        claims = {"iss": ISS, "aud": url, "exp": now + 300, "iat": now, "jti": str(uuid.uuid4())} | overrides
        return jwt.encode(claims, self.key, algorithm="ES384", headers={"kid": "sim-1", "typ": "JWT"})

    def post(self, path: str, body: dict, token: str | None = "sign") -> requests.Response:
        url = self.base + path
        headers = {"Content-Type": "application/json"}
        if token == "sign":
            token = self.jwt_for(url)
        if token:
            headers["Authorization"] = "Bearer " + token
        return requests.post(url, data=json.dumps(body), headers=headers, timeout=30)

    def valid(self, schema: str, document, where: str) -> bool:
        errors = sorted(Draft202012Validator(self.schemas[schema], format_checker=FormatChecker()).iter_errors(document), key=str)
        return check(not errors, f"{where}: valid against {schema}" + (f": {errors[0].message[:200]}" if errors else ""))

    def prefetch_patient(self, tailor_id: str, ehr_id: str) -> dict:
        """The `patient` template Patient/{{context.patientId}}, filled from Tailor's FHIR API as the EHR's own record."""
        fhir_id = tailor_id.replace("_", "-", 1)
        r = requests.get(f"{self.base}/fhir/r4/Patient/{fhir_id}", headers={"Authorization": "Bearer " + self.token}, timeout=30)
        check(r.status_code == 200, f"prefetch Patient/{fhir_id} from /fhir/r4: {r.status_code}")
        return r.json() | {"id": ehr_id}

    def order(self, hook: str, ehr_id: str, drug: str, code: str, draft: str, prefetch: dict | None, encounter: str) -> dict:
        context = {"userId": "Practitioner/sim-1", "patientId": ehr_id, "encounterId": encounter, "draftOrders": {
            "resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
                "resourceType": "MedicationRequest", "id": draft, "status": "draft", "intent": "order",
                "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": code, "display": drug}], "text": drug},
                "subject": {"reference": f"Patient/{ehr_id}"}}}]}}
        if hook == "order-select":
            context["selections"] = [f"MedicationRequest/{draft}"]
        body = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context}
        if prefetch is not None:
            body["prefetch"] = {"patient": prefetch}
        self.valid("service-request", body, f"{hook} request {drug}")
        return body


def start(binary: str, work: str, database: str | None, clients: str):
    env = dict(os.environ, TAILOR_BCRYPT_COST="4", TAILOR_LOG_LEVEL="warning", TAILOR_ADMIN_PASSWORD="ehr-simulator-admin-1",
               TAILOR_CDS_CLIENTS=clients)
    for name in ("TAILOR_DATABASE_URL", "TAILOR_CDS_BASE_URL", "TAILOR_PORT", "TAILOR_HOST"):
        env.pop(name, None)
    args = [binary, "serve", "--demo", "--host", "127.0.0.1", "--port", "0", "--data", work + "/data"] + (["--database", database] if database else [])
    server = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    deadline = time.time() + 180
    while time.time() < deadline:
        match = re.search(r"listening on (http://[^ ]+:\d+)", server.stdout.readline() or "")
        if match:
            return server, match.group(1)
        if server.poll() is not None:
            break
    server.kill()
    sys.exit("FAIL the server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--examples", default=os.path.join(os.path.dirname(__file__), "../../shared/data/cds-hooks-examples"))
    parser.add_argument("--database")
    args = parser.parse_args()
    schemas = {name: json.load(open(f"{args.examples}/schema/cds-hooks-2.0-{name}.schema.json"))
               for name in ("discovery", "service-request", "service-response", "feedback")}
    work = tempfile.mkdtemp(prefix="tailor-ehr-sim.")
    key = ec.generate_private_key(ec.SECP384R1())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    with open(f"{work}/cds-clients.json", "w") as f:
        json.dump([{"iss": ISS, "publicKeyPEM": public, "actingUser": "clinician"}], f)
    server, base = start(args.binary, work, args.database, f"{work}/cds-clients.json")
    try:
        login = requests.post(f"{base}/api/v1/auth/login", json={"username": "clinician", "password": "demo-clinician"}, timeout=30)
        ehr = EHR(base, key, schemas, login.json()["token"])
        for patient in {c[2] for c in CASES} | {c[3] for c in CASES}:  # the demo analyses run in the background
            for _ in range(240):
                runs = requests.get(f"{base}/api/v1/patients/{patient}/runs", headers={"Authorization": "Bearer " + ehr.token}, timeout=30).json()["runs"]
                if runs and all(r["status"] in ("succeeded", "failed") for r in runs):
                    break
                time.sleep(0.5)
            check(bool(runs) and all(r["status"] == "succeeded" for r in runs), f"{patient}: demo analysis finished")

        discovery = requests.get(f"{base}/cds-services", headers={"Authorization": "Bearer " + ehr.jwt_for(base + "/cds-services")}, timeout=30)
        check(discovery.status_code == 200, f"GET /cds-services: {discovery.status_code}")
        ehr.valid("discovery", discovery.json(), "discovery")
        services = {s["hook"]: s for s in discovery.json()["services"]}
        check(services["order-select"].get("prefetch") == {"patient": "Patient/{{context.patientId}}"}, "order-select declares the patient prefetch")

        shown: dict[tuple[str, bool], dict] = {}
        for drug, code, with_patient, without_patient, alternative in CASES:
            for patient, has_genotype in ((with_patient, True), (without_patient, False)):
                ehr_id = "ehr-" + patient.split("-")[-1]
                body = ehr.order("order-select", ehr_id, drug, code, f"draft-{drug}", ehr.prefetch_patient(patient, ehr_id), "enc-" + ehr_id)
                r = ehr.post("/cds-services/" + services["order-select"]["id"], body)
                where = f"{drug} for {patient} ({'with' if has_genotype else 'without'} the genotype)"
                if not check(r.status_code == 200, f"{where}: {r.status_code} {r.text[:200]}"):
                    continue
                ehr.valid("service-response", r.json(), where)
                cards = r.json()["cards"]
                if not has_genotype:
                    check(not cards, f"{where}: no card" + (f" (got: {cards[0]['summary']})" if cards else ""))
                    continue
                if not check(len(cards) == 1, f"{where}: one card (got {len(cards)}); a drug without a card is named, not passed over"):
                    continue
                card = cards[0]
                shown[(drug, True)] = {"card": card, "body": body, "ehr_id": ehr_id}
                if drug in INFO_ONLY:
                    check(card["indicator"] == "info", f"{where}: indicator {card['indicator']} (expected info: {INFO_ONLY[drug]})")
                else:
                    check(card["indicator"] in ("warning", "critical"), f"{where}: indicator {card['indicator']}")
                check(len(card["summary"]) <= 140 and drug in (card["summary"] + card.get("detail", "")).lower(), f"{where}: summary '{card['summary']}'")
                source = card["source"]
                check(bool(re.match(r"^(CPIC|DPWG) ", source["label"])) and drug in source["label"].lower(), f"{where}: source '{source['label']}'")
                check(source.get("url", "").startswith("https://"), f"{where}: guideline URL {source.get('url')}")
                has_suggestion = bool(card.get("suggestions"))
                check(has_suggestion == alternative and (not has_suggestion or card.get("selectionBehavior") == "at-most-one"),
                      f"{where}: suggestions {'with' if alternative else 'without'} an alternative ({card.get('selectionBehavior')})")
                link = card["links"][0]["url"]
                report = requests.get(link, headers={"Authorization": "Bearer " + ehr.token}, timeout=30)
                check(link.endswith(f"/api/v1/patients/{patient}/genomics-report") and report.status_code == 200, f"{where}: report link {link} -> {report.status_code}")

        # Feedback: accepted (codeine), overridden (warfarin); an overridden card does not repeat at order-sign.
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for drug, outcome in (("codeine", "accepted"), ("warfarin", "overridden")):
            if (drug, True) not in shown:
                check(False, f"feedback {outcome}: no {drug} card to give feedback on")
                continue
            card = shown[(drug, True)]["card"]
            item = {"card": card["uuid"], "outcome": outcome, "outcomeTimestamp": stamp}
            if outcome == "accepted":
                item["acceptedSuggestions"] = [{"id": s.get("uuid", "")} for s in card.get("suggestions", [])[:1]]
            else:
                item["overrideReason"] = {"reason": {"system": "http://example.org/override", "code": "monitored", "display": "Will monitor INR"}}
            feedback = {"feedback": [item]}
            ehr.valid("feedback", feedback, f"feedback {outcome}")
            r = ehr.post(f"/cds-services/{services['order-select']['id']}/feedback", feedback)
            check(r.status_code == 200, f"feedback {outcome} on the {drug} card: {r.status_code} {r.text[:200]}")
            sign = json.loads(json.dumps(shown[(drug, True)]["body"]))
            sign["hook"], sign["hookInstance"] = "order-sign", str(uuid.uuid4())
            del sign["context"]["selections"]
            r = ehr.post("/cds-services/" + services["order-sign"]["id"], sign)
            ehr.valid("service-response", r.json(), f"order-sign {drug}")
            expected = 0 if outcome == "overridden" else 1
            check(len(r.json()["cards"]) == expected, f"order-sign {drug} after '{outcome}' at order-select: {len(r.json()['cards'])} card(s), expected {expected}")

        # 401 for untrustworthy JWTs, 412 for a missing required prefetch.
        path = "/cds-services/" + services["order-select"]["id"]
        body = ehr.order("order-select", "pat-demo-alex", "clopidogrel", "32968", "draft-x", None, "enc-x")
        now = int(time.time())
        claims = {"iss": ISS, "aud": base + path, "exp": now + 300, "iat": now, "jti": str(uuid.uuid4())}
        b64 = lambda d: jwt.utils.base64url_encode(json.dumps(d).encode()).decode()
        bad = {
            "no JWT": None,
            "unknown key": jwt.encode(claims, ec.generate_private_key(ec.SECP384R1()), algorithm="ES384"),
            "alg none": b64({"alg": "none", "typ": "JWT"}) + "." + b64(claims) + ".",
            "HS256": jwt.encode(claims, "a-shared-secret-of-32-bytes-long!", algorithm="HS256"),
            "wrong aud": ehr.jwt_for(base + "/cds-services/another-service"),
        }
        for name, token in bad.items():
            r = ehr.post(path, body, token=token)
            check(r.status_code == 401, f"401 for {name}: {r.status_code}")
        r = ehr.post(path, body)
        check(r.status_code == 200 and len(r.json()["cards"]) == 1, f"a Tailor patient id needs no prefetch: {r.status_code}")
        for fhir in (False, True):
            body = ehr.order("order-select", "ehr-unknown-to-tailor", "clopidogrel", "32968", "draft-y", None, "enc-y")
            if fhir:
                body |= {"fhirServer": "https://ehr.example/fhir", "fhirAuthorization": {"access_token": "t", "token_type": "Bearer",
                                                                                          "expires_in": 300, "scope": "patient/Patient.r", "subject": "tailor"}}
            r = ehr.post(path, body)
            check(r.status_code == 412 and "prefetch.patient" in r.text, f"412 for an EHR id without the patient prefetch{' (fhirServer given)' if fhir else ''}: {r.status_code}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"ehr simulator: {'FAILED, ' + str(len(failures)) + ' check(s)' if failures else 'every check passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
