"""Schemathesis hooks (SCHEMATHESIS_HOOKS=hooks): every request to /calling is signed with the
emulator's HMAC scheme exactly as callsteer's core signs it (core/src/auth.rs):

    string-to-sign = METHOD \\n path?query \\n x-ms-date;host;x-ms-content-sha256
    Authorization  = HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<b64>

The signature is computed on the prepared request (final URL, body bytes), so what is signed is
exactly what is sent. The key comes from CALLSTEER_ACCESS_KEY.
"""

import base64
import hashlib
import hmac
import os
import zlib
from email.utils import formatdate
from urllib.parse import urlsplit

import requests
import schemathesis

API_VERSION = "2025-05-15"
KEY = base64.b64decode(os.environ["CALLSTEER_ACCESS_KEY"])


def sign(request: requests.PreparedRequest) -> None:
    url = urlsplit(request.url)
    path_and_query = url.path + (f"?{url.query}" if url.query else "")
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    date = formatdate(usegmt=True)
    content_hash = base64.b64encode(hashlib.sha256(body).digest()).decode()
    to_sign = f"{request.method}\n{path_and_query}\n{date};{url.netloc};{content_hash}"
    signature = base64.b64encode(
        hmac.new(KEY, to_sign.encode(), hashlib.sha256).digest()
    ).decode()
    request.headers["x-ms-date"] = date
    request.headers["x-ms-content-sha256"] = content_hash
    request.headers["Host"] = url.netloc
    request.headers["Authorization"] = (
        f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}"
    )


_send = requests.Session.send


def _signed_send(self, request, **kwargs):
    if urlsplit(request.url).path.startswith("/calling/"):
        sign(request)
    return _send(self, request, **kwargs)


requests.Session.send = _signed_send


@schemathesis.hook
def map_query(ctx, query):
    # The api-version parameter is a free string in the spec; the emulator (like the service)
    # answers 400 to unknown versions. Pin it so generated cases reach validation.
    query = dict(query or {})
    query["api-version"] = API_VERSION
    return query


# ---------------------------------------------------------------------------------------------
# Realistic data: generated strings almost never make a valid callback URL, identifier or call
# connection id, so every case would stop at validation (400) or lookup (404). These hooks map
# some of them onto valid values so cases reach the emulator's call logic too; the rest keep the
# generated values (refusals stay covered).

BASE = os.environ.get("CALLSTEER_EMULATOR_URL")
USERS = [f"8:acs:schemathesis-{i}" for i in range(8)]


def _pick(value, choices):
    return choices[zlib.crc32(repr(value).encode()) % len(choices)]


def _live_calls(count=24):
    if not BASE:
        return []
    session = requests.Session()
    calls = []
    for i in range(count):
        body = {
            "targets": [{"rawId": USERS[i % len(USERS)]}],
            "callbackUri": "http://127.0.0.1:9/callbacks",
        }
        response = session.post(
            f"{BASE}/calling/callConnections?api-version={API_VERSION}",
            json=body,
            timeout=10,
        )
        if response.status_code == 201:
            calls.append(response.json()["callConnectionId"])
    return calls


CALLS = _live_calls()


def _fix(node, depth=0):
    if depth > 8:
        return node
    if isinstance(node, dict):
        keys = ("rawId", "communicationUser", "phoneNumber", "kind")
        is_identifier = any(k in node for k in keys)
        if is_identifier and zlib.crc32(repr(node).encode()) % 4 != 0:
            user = _pick(node, USERS)
            return {"rawId": user, "communicationUser": {"id": user}}
        fixed = {k: _fix(v, depth + 1) for k, v in node.items()}
        if "callbackUri" in fixed and zlib.crc32(repr(node).encode()) % 4 != 0:
            fixed["callbackUri"] = "http://127.0.0.1:9/callbacks"
        return fixed
    if isinstance(node, list):
        return [_fix(v, depth + 1) for v in node]
    return node


@schemathesis.hook
def map_body(ctx, body):
    return _fix(body)


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    params = dict(path_parameters or {})
    if (
        CALLS
        and "callConnectionId" in params
        and zlib.crc32(repr(params).encode()) % 5 != 0
    ):
        params["callConnectionId"] = _pick(params, CALLS)
    if "participantRawId" in params and zlib.crc32(repr(params).encode()) % 3 != 0:
        params["participantRawId"] = _pick(params, USERS)
    return params
