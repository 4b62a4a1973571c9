#!/usr/bin/env python3
"""Capture the requests the official Python SDK (azure-communication-callautomation 1.6.0) sends.

Self-contained: starts a local HTTP server on 127.0.0.1 (port 0, i.e. any free port) that records
every request (method, path+query, all headers in arrival order, JSON body) and answers the way the
service does (the status each operation declares in
spec/callautomation/2026-03-12/communicationservicescallautomation.json, with a plausible JSON body),
then drives the SDK through a fixed list of steps over real HTTP (the SDK's default requests
transport), so host, date, content hash and HMAC signature are exactly what the SDK produces.

Usage (from the repository root):

    bindings-python/.venv/bin/python spec/captures/capture_python.py \
        [spec/captures/official-python-sdk-1.6.0-requests-2026-03-12.json]

The interpreter must have azure-communication-callautomation 1.6.0 installed; the SDK's default
api-version is used (the script fails if it is not 2026-03-12).
"""

import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Never route the loopback traffic through a proxy.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

from azure.core.credentials import AzureKeyCredential  # noqa: E402
from azure.communication.callautomation import (  # noqa: E402
    CallAutomationClient,
    CommunicationUserIdentifier,
    MicrosoftTeamsAppIdentifier,
    MicrosoftTeamsUserIdentifier,
    PhoneNumberIdentifier,
    TeamsExtensionUserIdentifier,
    TeamsPhoneCallDetails,
    TeamsPhoneCallerDetails,
    TeamsPhoneSourceDetails,
)
from azure.communication.callautomation._api_versions import DEFAULT_VERSION  # noqa: E402
from azure.communication.callautomation._version import VERSION  # noqa: E402

API_VERSION = "2026-03-12"
ACCESS_KEY = "c2VjcmV0"  # base64 of "secret"
DEFAULT_OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "official-python-sdk-1.6.0-requests-2026-03-12.json"
)

NOTE = (
    "Requests sent by azure-communication-callautomation 1.6.0 (Python, PyPI) at its default "
    "api-version 2026-03-12, with access key 'c2VjcmV0' (base64 of 'secret'), captured by "
    "spec/captures/capture_python.py: a local HTTP server on 127.0.0.1 (port 0) that records method, "
    "path+query, every header in arrival order and the JSON body, and answers each operation with the "
    "status the 2026-03-12 spec declares (201 create, 200 answer/connect/get/mute, 202 transfer/add/"
    "remove/cancel/moveHere, 204 redirect/reject/hang-up/terminate) and a plausible body; the SDK "
    "used its default requests transport over real HTTP. The connection string was "
    "endpoint=http://127.0.0.1:<port>/;accesskey=c2VjcmV0, but from_connection_string() drops the scheme and "
    "forces https://, so the script hands that endpoint and key to CallAutomationClient(endpoint, "
    "AzureKeyCredential(key)) instead (same host, same signing). Host, date, content hash and signature are "
    "real: a signing implementation fed the same method, path+query, host, date and body (the body "
    "re-serialised with json.dumps default separators ', ' and ': ') must produce the same "
    "x-ms-content-sha256 and Authorization headers. Unlike the 2025-05-15 capture, all headers are "
    "kept (User-Agent, Accept-Encoding, Connection included). Quirks visible here: identifiers carry "
    "rawId plus the nested model but never 'kind'; phone numbers are {value} only (no isAnonymous); "
    "Teams identifiers default to cloud 'PUBLIC' in upper case; customCallingContext is sent only when "
    "sip_headers or voip_headers is non-empty, and then only the header map(s) passed (teams_phone_call_details "
    "is silently dropped without headers, so steps 20-21 pass voip_headers={'k': 'v'}); no "
    "operationContext is invented when none is given; teamsAppSource is {appId} only (no cloud); "
    "create_group_call is deprecated but still sends the same CreateCall body; bodiless DELETE (hang-up) "
    "and POST :terminate carry Content-Length: 0, GET none."
)

# ---------------------------------------------------------------------------------------------
# A service-like local server
# ---------------------------------------------------------------------------------------------

NESTED_KINDS = {
    "communicationUser": "communicationUser",
    "phoneNumber": "phoneNumber",
    "microsoftTeamsUser": "microsoftTeamsUser",
    "microsoftTeamsApp": "microsoftTeamsApp",
    "teamsExtensionUser": "teamsExtensionUser",
}


def as_service_identifier(model):
    """The identifier the service would echo back: kind, rawId and the nested model."""
    if not isinstance(model, dict):
        return model
    out = dict(model)
    if "kind" not in out:
        for key, kind in NESTED_KINDS.items():
            if key in out:
                out = {"kind": kind, **out}
                break
    return out


def call_properties(request_body, state, targets=None):
    body = request_body or {}
    props = {
        "callConnectionId": "call-1",
        "serverCallId": "c2VydmVyLWNhbGwtMQ",
        "targets": [
            as_service_identifier(t)
            for t in (targets if targets is not None else body.get("targets", []))
        ],
        "callConnectionState": state,
        "callbackUri": body.get("callbackUri", "https://app.example/events"),
        "correlationId": "corr-1",
    }
    if "sourceCallerIdNumber" in body:
        props["sourceCallerIdNumber"] = body["sourceCallerIdNumber"]
    locator = body.get("callLocator") or {}
    if "serverCallId" in locator:
        props["serverCallId"] = locator["serverCallId"]
    return props


def op_context(body):
    return {"operationContext": (body or {}).get("operationContext")}


# (method, path regex without query) -> handler(body) -> (status, json or None)
ROUTES = [
    ("POST", r"/calling/callConnections", lambda b: (201, call_properties(b, "connecting"))),
    (
        "POST",
        r"/calling/callConnections:answer",
        lambda b: (200, call_properties(b, "connected", targets=[])),
    ),
    (
        "POST",
        r"/calling/callConnections:connect",
        lambda b: (200, call_properties(b, "connecting", targets=[])),
    ),
    ("POST", r"/calling/callConnections:redirect", lambda b: (204, None)),
    ("POST", r"/calling/callConnections:reject", lambda b: (204, None)),
    (
        "GET",
        r"/calling/callConnections/[^/:]+",
        lambda b: (
            200,
            call_properties(
                None,
                "connected",
                targets=[{"rawId": "4:+16041234567", "phoneNumber": {"value": "+16041234567"}}],
            ),
        ),
    ),
    ("DELETE", r"/calling/callConnections/[^/:]+", lambda b: (204, None)),
    ("POST", r"/calling/callConnections/[^/:]+:terminate", lambda b: (204, None)),
    (
        "POST",
        r"/calling/callConnections/[^/:]+:transferToParticipant",
        lambda b: (202, op_context(b)),
    ),
    (
        "POST",
        r"/calling/callConnections/[^/:]+/participants:add",
        lambda b: (
            202,
            {
                **op_context(b),
                "participant": {
                    "identifier": as_service_identifier(b["participantToAdd"]),
                    "isMuted": False,
                    "isOnHold": False,
                },
                "invitationId": "inv-1",
            },
        ),
    ),
    (
        "POST",
        r"/calling/callConnections/[^/:]+/participants:remove",
        lambda b: (202, op_context(b)),
    ),
    ("POST", r"/calling/callConnections/[^/:]+/participants:mute", lambda b: (200, op_context(b))),
    (
        "POST",
        r"/calling/callConnections/[^/:]+/participants:cancelAddParticipant",
        lambda b: (202, {"invitationId": b.get("invitationId"), **op_context(b)}),
    ),
    (
        "POST",
        r"/calling/callConnections/[^/:]+/participants:moveHere",
        lambda b: (
            202,
            {
                **op_context(b),
                "participants": [
                    {"identifier": as_service_identifier(t), "isMuted": False, "isOnHold": False}
                    for t in b.get("targetParticipants", [])
                ],
                "fromCall": b.get("fromCall"),
            },
        ),
    ),
]

RECORDED = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep stdout clean
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        RECORDED.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers.items()),
                "body": body,
                "raw": raw,
            }
        )
        route = self.path.split("?", 1)[0]
        for method, pattern, handler in ROUTES:
            if method == self.command and re.fullmatch(pattern, route):
                status, answer = handler(body)
                break
        else:
            status, answer = (
                404,
                {"error": {"code": "NotFound", "message": f"no route for {self.command} {route}"}},
            )
        out = json.dumps(answer).encode() if answer is not None else b""
        self.send_response(status)
        if answer is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _handle


# ---------------------------------------------------------------------------------------------
# The steps
# ---------------------------------------------------------------------------------------------


def teams_phone_call_details():
    return TeamsPhoneCallDetails(
        teams_phone_caller=TeamsPhoneCallerDetails(
            caller=PhoneNumberIdentifier("+16045550100"),
            name="Ada",
            phone_number="+16045550100",
            record_id="rec-1",
            is_authenticated=True,
            additional_caller_information={"tier": "gold"},
        ),
        teams_phone_source=TeamsPhoneSourceDetails(
            source=MicrosoftTeamsAppIdentifier("app-1"),
            language="en-US",
            status="active",
            intended_targets={"agent": MicrosoftTeamsUserIdentifier("u2")},
        ),
        session_id="s-1",
        intent="billing",
        call_topic="Billing question",
        call_context="asked about invoice",
        transcript_url="https://app.example/t/1",
        call_sentiment="neutral",
        suggested_actions="refund",
    )


def main(out_path):
    if DEFAULT_VERSION != API_VERSION:
        sys.exit(f"SDK default api-version is {DEFAULT_VERSION}, expected {API_VERSION}")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    conn_str = f"endpoint=http://127.0.0.1:{port}/;accesskey={ACCESS_KEY}"

    events = "https://app.example/events"
    op = "https://app.example/op"
    phone = PhoneNumberIdentifier("+16041234567")
    caller_id = PhoneNumberIdentifier("+16044561234")
    user2 = CommunicationUserIdentifier("8:acs:user2")

    # from_connection_string() strips the endpoint's scheme and forces https://, so the connection
    # string is split here and its http:// endpoint and key handed to the constructor instead.
    parts = dict(p.split("=", 1) for p in conn_str.split(";") if p)
    client = CallAutomationClient(
        parts["endpoint"].rstrip("/"), AzureKeyCredential(parts["accesskey"])
    )
    call = client.get_call_connection("call-1")

    steps = [
        (
            "create_call",
            lambda: client.create_call(
                phone, events, source_caller_id_number=caller_id, operation_context="ctx1"
            ),
        ),
        (
            "create_group_call",
            lambda: client.create_group_call(
                [user2, phone], events, source_caller_id_number=caller_id
            ),
        ),
        ("connect_call_server", lambda: client.connect_call(events, server_call_id="srv-9")),
        ("connect_call_room", lambda: client.connect_call(events, room_id="room-9")),
        ("answer_call", lambda: client.answer_call("ctx-token", events, operation_context="ans")),
        ("redirect_call", lambda: client.redirect_call("ctx-token", phone)),
        ("reject_call", lambda: client.reject_call("ctx-token", call_reject_reason="busy")),
        (
            "transfer",
            lambda: call.transfer_call_to_participant(
                user2,
                operation_context="tr",
                operation_callback_url=op,
                voip_headers={"customVoipHeader1": "v1"},
            ),
        ),
        (
            "transfer_group_pstn",
            lambda: call.transfer_call_to_participant(
                phone,
                transferee=PhoneNumberIdentifier("+16045550000"),
                sip_headers={"X-MS-Custom-headerName": "headerValue", "User-To-User": "uui"},
            ),
        ),
        (
            "add_participant_pstn",
            lambda: call.add_participant(
                phone,
                source_caller_id_number=caller_id,
                invitation_timeout=60,
                operation_context="add-ctx",
                operation_callback_url=op,
                sip_headers={"X-MS-Custom-headerName": "headerValue"},
            ),
        ),
        (
            "add_participant_user",
            lambda: call.add_participant(user2, voip_headers={"myHeader": "myValue"}),
        ),
        (
            "cancel_add",
            lambda: call.cancel_add_participant_operation(
                "inv-1", operation_context="cancel", operation_callback_url=op
            ),
        ),
        ("remove", lambda: call.remove_participant(user2, operation_context="rm")),
        ("mute", lambda: call.mute_participant(user2, operation_context="mute")),
        ("get_call", lambda: call.get_call_properties()),
        ("hang_up_leave", lambda: call.hang_up(False)),
        ("hang_up_everyone", lambda: call.hang_up(True)),
        (
            "move_participants",
            lambda: call.move_participants(
                [user2], "call-2", operation_context="move-ctx", operation_callback_url=op
            ),
        ),
        (
            "add_participant_teams_extension_user",
            lambda: call.add_participant(
                TeamsExtensionUserIdentifier(user_id="u", tenant_id="t", resource_id="r"),
                operation_context="ext",
            ),
        ),
        (
            "add_participant_teams_phone_call_details",
            lambda: call.add_participant(
                MicrosoftTeamsUserIdentifier("u1"),
                voip_headers={"k": "v"},
                teams_phone_call_details=teams_phone_call_details(),
            ),
        ),
        (
            "transfer_teams_phone_call_details",
            lambda: call.transfer_call_to_participant(
                MicrosoftTeamsUserIdentifier("u1"),
                operation_context="tr-teams",
                voip_headers={"k": "v"},
                teams_phone_call_details=teams_phone_call_details(),
            ),
        ),
        (
            "create_call_teams_app_source",
            lambda: client.create_call(
                user2, events, teams_app_source=MicrosoftTeamsAppIdentifier("app-1")
            ),
        ),
    ]

    names, requests_out = [], []
    for name, action in steps:
        before = len(RECORDED)
        try:
            action()
        except Exception as e:  # pylint: disable=broad-except
            name = f"{name} ERR {e!r}"
        got = RECORDED[before:]
        if len(got) != 1:
            sys.exit(f"step {name}: expected exactly one request, got {len(got)}")
        r = got[0]
        if f"api-version={API_VERSION}" not in r["path"]:
            sys.exit(f"step {name}: {r['path']} is not at api-version {API_VERSION}")
        # The body as stored must re-serialise to the bytes that were signed.
        if r["raw"] and json.dumps(r["body"]).encode() != r["raw"]:
            sys.exit(f"step {name}: body does not round-trip through json.dumps")
        names.append(name)
        requests_out.append({k: r[k] for k in ("method", "path", "headers", "body")})
        print(name, r["method"], r["path"])

    server.shutdown()
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"note": NOTE, "steps": names, "requests": requests_out}, f, indent=1)
        f.write("\n")
    print(f"wrote {out_path}: {len(requests_out)} requests (SDK {VERSION})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT)
