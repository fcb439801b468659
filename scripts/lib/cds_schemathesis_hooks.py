"""schemathesis hooks for scripts/cds_schemathesis_check.sh: a CDS client JWT signed afresh for every request.

Tailor refuses a CDS client JWT whose `jti` it has seen (replay protection), and its `aud` must be the exact URL called,
so one static `Authorization` header cannot serve a run. This auth provider signs a new ES384 token (new `jti`, `aud` =
base URL + the case's formatted path, 5 minutes' validity) in `set`, which schemathesis calls for every case. The
server's replay check stays on for the test client: nothing is relaxed for testing.

Environment: CDS_BASE (the server's base URL), CDS_ISS (the registered issuer), CDS_KEY (path of the PEM private key).
"""
import os
import time
import uuid

import jwt
import schemathesis
from cryptography.hazmat.primitives import serialization

with open(os.environ["CDS_KEY"], "rb") as f:
    KEY = serialization.load_pem_private_key(f.read(), password=None)


@schemathesis.auth(refresh_interval=None, retry_on=[])
class FreshCDSClientJWT:
    def get(self, case, context):
        return "per-request"

    def set(self, case, data, context):
        now = int(time.time())
        path = case.formatted_path
        # The feedback endpoint accepts a token for the service URL or its /feedback URL: use the exact URL called.
        claims = {"iss": os.environ["CDS_ISS"], "aud": os.environ["CDS_BASE"] + path, "exp": now + 300, "iat": now, "jti": str(uuid.uuid4())}
        token = jwt.encode(claims, KEY, algorithm="ES384", headers={"typ": "JWT", "kid": "schemathesis"})
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
