"""Schemathesis hooks (SCHEMATHESIS_HOOKS=hooks): every request to /calling is signed with the
emulator's HMAC scheme exactly as callsteer's core signs it (core/src/auth.rs):

    string-to-sign = METHOD \\n path?query \\n x-ms-date;host;x-ms-content-sha256
    Authorization  = HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<b64>

The signature is computed on the prepared request (final URL, body bytes), so what is signed is
exactly what is sent. The key comes from CALLSTEER_ACCESS_KEY.

Each schemathesis run tests one api-version's spec (run.sh runs one per version, with
CALLSTEER_API_VERSION set to it); every request carries `api-version=<that version>`, and the
versions actually sent are written to CALLSTEER_API_VERSIONS_SENT (run.sh checks them).
"""

import atexit
import base64
import collections
import hashlib
import hmac
import json
import os
import re
import zlib
from email.utils import formatdate
from urllib.parse import parse_qs, urlsplit

import requests
import schemathesis

API_VERSION = os.environ["CALLSTEER_API_VERSION"]
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
# api-version values of every /calling request sent (None: no api-version), for run.sh's check.
SENT = collections.Counter()
SENT_PATH = os.environ.get("CALLSTEER_API_VERSIONS_SENT")


def _signed_send(self, request, **kwargs):
    url = urlsplit(request.url)
    if not url.path.startswith("/calling/"):
        return _send(self, request, **kwargs)
    versions = parse_qs(url.query, keep_blank_values=True).get("api-version", [None])
    SENT[",".join(v for v in versions if v is not None) or None] += 1
    sign(request)
    response = _send(self, request, **kwargs)
    if response.status_code == 404:
        _replace_ended(response)
    return response


@atexit.register
def _write_sent():
    if SENT_PATH:
        with open(SENT_PATH, "w") as f:
            json.dump({str(k): v for k, v in SENT.items()}, f)


requests.Session.send = _signed_send


def _spec_version(ctx):
    """The api-version of the spec under test (its info.version; build_spec.py checks it is the
    folder's), checked against CALLSTEER_API_VERSION."""
    if ctx is None or ctx.operation is None:
        return API_VERSION
    version = ctx.operation.schema.raw_schema["info"]["version"]
    if version != API_VERSION:
        raise RuntimeError(f"spec is {version} but CALLSTEER_API_VERSION is {API_VERSION}")
    return version


@schemathesis.hook
def map_case(ctx, case):
    # The api-version parameter is a free string in the spec (`ApiVersionParameter`: type
    # string, no enum); the emulator (like the service) answers 400 to unknown versions. Pin it
    # to the version of the spec under test so generated cases reach validation. A case hook
    # (not map_query): schemathesis applies map_query only to the fuzzing phase, map_case to
    # every phase (coverage included).
    case.query = {**(case.query or {}), "api-version": _spec_version(ctx)}
    return case


# ---------------------------------------------------------------------------------------------
# Realistic data: generated strings almost never make a valid callback URL, identifier or call
# connection id, so every case would stop at validation (400) or lookup (404). These hooks map
# some of them onto valid values so cases reach the emulator's call logic too; the rest keep the
# generated values (refusals stay covered).

BASE = os.environ.get("CALLSTEER_EMULATOR_URL")
USERS = [f"8:acs:schemathesis-{i}" for i in range(8)]
CALLBACK = "http://127.0.0.1:9/callbacks"


def _pick(value, choices):
    return choices[zlib.crc32(repr(value).encode()) % len(choices)]


def _create_call(session, user):
    response = session.post(
        f"{BASE}/calling/callConnections?api-version={API_VERSION}",
        json={"targets": [{"rawId": user}], "callbackUri": CALLBACK},
        timeout=10,
    )
    return response.json()["callConnectionId"] if response.status_code == 201 else None


def _live_calls(count=24):
    """Creates `count` calls; returns {call connection id: the user it called}."""
    if not BASE:
        return {}
    session = requests.Session()
    calls = {}
    for i in range(count):
        user = USERS[i % len(USERS)]
        call = _create_call(session, user)
        if call:
            calls[call] = user
    return calls


CALL_USERS = _live_calls()
CALLS = list(CALL_USERS)
ENDED = re.compile(r"^Call connection `([^`]*)` was not found\.$")


def _replace_ended(response):
    """The pool's calls end as the run goes (hang up, terminate, a move that empties the source
    call, …): one the emulator answers 404 for takes a new call's place in the pool, so later
    cases still reach a live call."""
    try:
        m = ENDED.match(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return
    ended = m and m.group(1)
    if ended not in CALL_USERS:
        return
    user = CALL_USERS.pop(ended)
    call = _create_call(requests.Session(), user)
    if call:
        CALLS[CALLS.index(ended)] = call
        CALL_USERS[call] = user
    else:
        CALLS.remove(ended)


def _identifier(user):
    return {"rawId": user, "communicationUser": {"id": user}}


def _fix(node, depth=0):
    if depth > 8:
        return node
    if isinstance(node, dict):
        keys = ("rawId", "communicationUser", "phoneNumber", "kind")
        is_identifier = any(k in node for k in keys)
        if is_identifier and zlib.crc32(repr(node).encode()) % 4 != 0:
            return _identifier(_pick(node, USERS))
        fixed = {k: _fix(v, depth + 1) for k, v in node.items()}
        for key in ("callbackUri", "operationCallbackUri"):
            if key in fixed and zlib.crc32(repr((key, node)).encode()) % 4 != 0:
                fixed[key] = CALLBACK
        # participants:moveHere (2026-03-12): the source call, and a participant in it.
        if CALLS and "fromCall" in fixed and zlib.crc32(repr(node).encode()) % 4 != 0:
            source = _pick(("fromCall", node), CALLS)
            fixed["fromCall"] = source
            targets = fixed.get("targetParticipants")
            if isinstance(targets, list) and targets and zlib.crc32(repr(targets).encode()) % 2:
                fixed["targetParticipants"] = [_identifier(CALL_USERS[source])] + targets[1:]
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
