#!/usr/bin/env python3
"""Crash safety of `tailor serve`: SIGKILL during a genome upload and during an analysis.

After each kill the server is started again on the same data (SQLite, or PostgreSQL with --database) and the
script checks: no partial dataset or finding exists, staged files are gone, the interrupted analysis is resumed
and finishes with exactly one set of findings, and `tailor audit verify` passes.

Usage: scripts/crash_test.py --binary .build/release/tailor [--database postgres://...] [--fixture VCF]
"""
import argparse, http.client, json, os, re, shutil, signal, subprocess, sys, tempfile, time

ADMIN_PASSWORD = "crash-test-admin-1"


class Server:
    def __init__(self, binary, data, database):
        self.binary, self.data, self.database = binary, data, database
        self.proc = None
        self.port = None

    def start(self):
        env = dict(os.environ, TAILOR_BCRYPT_COST="4", TAILOR_ADMIN_PASSWORD=ADMIN_PASSWORD, TAILOR_LOG_LEVEL="warning")
        args = [self.binary, "serve", "--demo", "--port", "0", "--data", self.data]
        if self.database:
            args += ["--database", self.database]
        self.log = open(os.path.join(self.data, "server.log"), "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, env=env)
        deadline = time.time() + 120
        while time.time() < deadline:
            line = self.proc.stdout.readline().decode()
            if not line:
                raise SystemExit(f"server exited early (see {self.data}/server.log)")
            m = re.search(r"listening on http://[^:]+:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                return
        raise SystemExit("server did not start within 120 s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def request(self, method, path, token=None, body=None, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, (json.loads(data) if data else None)

    def login(self, username, password):
        status, body = self.request("POST", "/api/v1/auth/login", body={"username": username, "password": password})
        assert status == 200, (status, body)
        return body["token"]


def make_genome(fixture, path, filler_lines):
    """A real PGx test genome followed by filler records, so reading it takes long enough to be interrupted."""
    with open(fixture) as source, open(path, "w") as out:
        for line in source:
            out.write(line)
        chunk = []
        for i in range(filler_lines):
            chunk.append(f"chr22\t{20_000_000 + i * 7}\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n")
            if len(chunk) == 100_000:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))
    return os.path.getsize(path)


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def audit_verify(binary, data, database):
    args = [binary, "audit", "verify"] + (["--database", database] if database else ["--data", data])
    result = subprocess.run(args, capture_output=True, text=True)
    print("   ", result.stdout.strip() or result.stderr.strip())
    assert result.returncode == 0, "audit verify failed"


def blob_files(data):
    folder = os.path.join(data, "genomes")
    return {name: sorted(os.listdir(os.path.join(folder, name))) for name in ("blobs", "staging") if os.path.isdir(os.path.join(folder, name))}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database")
    parser.add_argument("--fixture", default="Tests/PGxTests/Fixtures/pharmcat-tests/testTpmtStar1s.vcf")
    parser.add_argument("--filler", type=int, default=3_000_000, help="filler records after the fixture")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    data = tempfile.mkdtemp(prefix="tailor-crash-")
    genome = os.path.join(data, "big.vcf")
    size = make_genome(args.fixture, genome, args.filler)
    print(f"genome for the test: {size / 1e6:.0f} MB")
    server = Server(binary, data, args.database)
    patient = "/api/v1/patients/pat_demo-alex"
    try:
        server.start()
        token = server.login("clinician", "demo-clinician")
        # Let the demo's own analyses finish first.
        wait_for(lambda: all(r["status"] == "succeeded" for r in server.request("GET", patient + "/runs", token)[1]["runs"]), 120, "demo analyses")
        datasets_before = len(server.request("GET", patient + "/datasets", token)[1]["datasets"])

        print("1. SIGKILL during an upload")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        conn.putrequest("POST", patient + "/datasets?kind=germline_vcf&filename=big.vcf")
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        sent = 0
        with open(genome, "rb") as f:
            while sent < size // 3:
                block = f.read(1 << 20)
                conn.send(block)
                sent += len(block)
        time.sleep(0.3)
        server.kill()
        conn.close()
        print(f"   killed after {sent / 1e6:.0f} MB of {size / 1e6:.0f} MB; staged: {blob_files(data).get('staging')}")
        server.start()
        token = server.login("clinician", "demo-clinician")
        datasets = server.request("GET", patient + "/datasets", token)[1]["datasets"]
        assert len(datasets) == datasets_before, f"a partial dataset appeared: {datasets}"
        files = blob_files(data)
        assert files.get("staging") == [], f"staged files left after restart: {files}"
        print(f"   no partial dataset; staging empty; {len(files.get('blobs', []))} stored genomes")

        print("2. SIGKILL during an analysis")
        with open(genome, "rb") as f:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
            conn.request("POST", patient + "/datasets?kind=germline_vcf&filename=big.vcf", body=f,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream", "Content-Length": str(size)})
            response = conn.getresponse()
            created = json.loads(response.read())
            conn.close()
        assert response.status == 201, created
        run_id = created["runs"][0]["id"]
        run_path = f"{patient}/runs/{run_id}"
        wait_for(lambda: server.request("GET", run_path, token)[1]["status"] == "running", 120, "the run to start")
        server.kill()
        print(f"   killed while run {run_id} was running")
        server.start()
        token = server.login("clinician", "demo-clinician")
        run = wait_for(lambda: (lambda r: r if r["status"] in ("succeeded", "failed") else None)(server.request("GET", run_path, token)[1]), 300, "the resumed run")
        assert run["status"] == "succeeded", run
        assert run["attempts"] == 2, f"expected the run to be resumed once, attempts={run['attempts']}"
        findings = [f for f in server.request("GET", patient + "/findings?all=true", token)[1]["findings"] if f["runID"] == run_id]
        keys = [(f["kind"], f["subject"], f.get("label")) for f in findings]
        assert findings and len(keys) == len(set(keys)), "findings missing or duplicated"
        print(f"   resumed (attempt {run['attempts']}) and stored {len(findings)} findings once")
        server.stop()
        audit_verify(binary, data, args.database)
        print("crash tests: both scenarios passed")
    finally:
        if server.proc and server.proc.poll() is None:
            server.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
