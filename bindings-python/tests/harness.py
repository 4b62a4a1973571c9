"""Test helpers: a real emulator process, a callback receiver, and the shared scenario runner
(tests/scenarios/README.md) in sync and asyncio form."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Optional

import callsteer
import callsteer.aio

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "tests" / "scenarios"
RESOURCE_PHONE_NUMBER = "+16044561234"
EVENT_TIMEOUT = 10.0


def emulator_binary() -> Path:
    override = os.environ.get("CALLSTEER_EMULATOR_BIN")
    if override:
        return Path(override)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return target / "debug" / "callsteer-emulator"


class Emulator:
    """`callsteer-emulator --port 0`; its first stdout line is the connection string."""

    def __init__(self, *extra: str) -> None:
        binary = emulator_binary()
        if not binary.exists():
            raise RuntimeError(f"{binary} is missing: run `cargo build -p callsteer-emulator`")
        self.process = subprocess.Popen(
            [
                str(binary),
                "--port",
                "0",
                "--answer-delay-ms",
                "5",
                "--resource-phone-number",
                RESOURCE_PHONE_NUMBER,
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline().strip()
        if not first.startswith("CONNECTION_STRING="):
            self.stop()
            raise RuntimeError(f"unexpected first line from the emulator: {first!r}")
        self.connection_string = first[len("CONNECTION_STRING=") :]
        parts = dict(p.split("=", 1) for p in self.connection_string.split(";") if "=" in p)
        self.endpoint = parts["endpoint"]
        self.access_key = parts["accesskey"]
        self.base_url = self.endpoint.rstrip("/")
        self.ca_pem: Optional[str] = None
        if "--tls" in extra:
            for _ in range(5):
                line = self.process.stdout.readline().strip()
                if line.startswith("TLS_CA_PEM="):
                    self.ca_pem = line[len("TLS_CA_PEM=") :]
                    break
        self.lines: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        context = None
        if self.ca_pem:
            import ssl

            context = ssl.create_default_context(cafile=self.ca_pem)
        try:
            with urllib.request.urlopen(request, timeout=10, context=context) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path} answered {e.code}: {e.read().decode()}") from e
        return json.loads(text) if text.strip() else None

    def set_target(self, raw_id: str, body: Any) -> Any:
        return self.admin("PUT", "/emulator/targets/" + urllib.parse.quote(raw_id, safe=""), body)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


class Delivered:
    def __init__(self, path: str, event: dict[str, Any]) -> None:
        self.path = path
        event_type = str(event.get("type") or event.get("eventType") or "")
        self.event_type = event_type.rsplit(".", 1)[-1]
        data = event.get("data")
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        call = self.data.get("callConnectionId")
        self.call_connection_id: Optional[str] = call if isinstance(call, str) else None

    def __repr__(self) -> str:
        return f"{self.event_type}@{self.path} {json.dumps(self.data)[:200]}"


class Receiver:
    """The app side of callbacks: answers the Event Grid handshake, records every delivery with
    its path and feeds the same bytes to an event processor."""

    def __init__(self) -> None:
        self.log: list[Delivered] = []
        self.cond = threading.Condition()
        self.processor: Optional[callsteer.EventProcessor] = None
        self.errors: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                status, answer = receiver.receive(self.path, body)
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def do_OPTIONS(self) -> None:
                self.send_response(200)
                origin = self.headers.get("webhook-request-origin")
                if origin:
                    self.send_header("webhook-allowed-origin", origin)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def receive(self, path: str, body: bytes) -> tuple[int, bytes]:
        try:
            parsed = json.loads(body)
        except ValueError:
            return 400, b'{"error":"not JSON"}'
        events = parsed if isinstance(parsed, list) else [parsed]
        for event in events:
            if isinstance(event, dict) and str(event.get("eventType") or event.get("type")) == (
                "Microsoft.EventGrid.SubscriptionValidationEvent"
            ):
                code = event.get("data", {}).get("validationCode")
                return 200, json.dumps({"validationResponse": code}).encode()
        if self.processor is not None:
            try:
                self.processor.process_events(body)
            except callsteer.CallAutomationError as e:
                self.errors.append(str(e))
                return 400, json.dumps({"error": str(e)}).encode()
        with self.cond:
            for event in events:
                if isinstance(event, dict):
                    self.log.append(Delivered(path.split("?", 1)[0], event))
            self.cond.notify_all()
        return 200, b"{}"

    def __len__(self) -> int:
        with self.cond:
            return len(self.log)

    def find(self, start: int, predicate: Callable[[Delivered], bool]) -> Optional[int]:
        with self.cond:
            for i in range(start, len(self.log)):
                if predicate(self.log[i]):
                    return i
        return None

    def wait_for(
        self, start: int, predicate: Callable[[Delivered], bool], timeout: float = EVENT_TIMEOUT
    ) -> Optional[int]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(start, len(self.log)):
                    if predicate(self.log[i]):
                        return i
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def subset(fields: Any, actual: Any) -> bool:
    """`fields` ⊆ `actual`, recursively; arrays compare element-wise."""
    if isinstance(fields, dict):
        return isinstance(actual, dict) and all(
            k in actual and subset(v, actual[k]) for k, v in fields.items()
        )
    if isinstance(fields, list):
        return (
            isinstance(actual, list)
            and len(fields) == len(actual)
            and all(subset(f, a) for f, a in zip(fields, actual))
        )
    return bool(fields == actual)


def scenario_files() -> list[Path]:
    return sorted(SCENARIOS.glob("*.json"))


def ident(raw: str) -> Any:
    return callsteer.identifier_from_raw_id(raw)


def headers(args: dict[str, Any]) -> tuple[Optional[dict[str, str]], Optional[dict[str, str]]]:
    """`customCallingContext` → the official SDK's (sip_headers, voip_headers) keywords."""
    ctx = args.get("customCallingContext")
    if not ctx:
        return None, None
    sip: dict[str, str] = {}
    if "sipUui" in ctx:
        sip["User-To-User"] = ctx["sipUui"]
    for name, value in (ctx.get("sipX") or {}).items():
        sip["X-MS-Custom-" + name] = value
    voip = dict(ctx.get("voip") or {})
    return (sip or None), (voip or None)


def error_json(e: callsteer.CallAutomationError) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": e.kind, "message": str(e)}
    if isinstance(e, callsteer.InvalidArgumentError):
        out["field"] = e.field
    if isinstance(e, callsteer.ServiceError):
        out["status"] = e.status_code
        out["code"] = e.error_code
    return out


def props_json(p: Any) -> dict[str, Any]:
    return {
        "callConnectionId": p.call_connection_id,
        "serverCallId": p.server_call_id,
        "callConnectionState": str(p.call_connection_state),
    }


REJECT = {"none": "none", "busy": "busy", "forbidden": "forbidden"}


class ScenarioRunner:
    """Runs one scenario through the sync API (or, with `use_async`, the asyncio API)."""

    def __init__(self, scenario: dict[str, Any], use_async: bool = False) -> None:
        self.scenario = scenario
        self.use_async = use_async
        manual = scenario.get("clock") == "manual"
        self.emulator = Emulator(*(["--clock", "manual"] if manual else []))
        self.receiver = Receiver()
        if use_async:
            self.aclient = callsteer.aio.CallAutomationClient.from_connection_string(
                self.emulator.connection_string
            )
            self.receiver.processor = self.aclient.event_processor
        else:
            self.client = callsteer.CallAutomationClient.from_connection_string(
                self.emulator.connection_string
            )
            self.receiver.processor = self.client.event_processor
        self.emulator.admin(
            "POST", "/emulator/event-subscriptions", {"url": self.receiver.url("/eventgrid")}
        )
        self.vars: dict[str, Any] = {}

    def close(self) -> None:
        self.receiver.close()
        self.emulator.stop()

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("$"):
            if value[1:] not in self.vars:
                raise AssertionError(f"variable {value} was never saved")
            return self.vars[value[1:]]
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def op_callback(self, args: dict[str, Any]) -> Optional[str]:
        return self.receiver.url("/op") if args.get("operationCallback") is True else None

    # One description of every action: (method name, args, kwargs, result → JSON, call id).
    def plan(self, action: str, args: dict[str, Any]) -> tuple[Any, ...]:
        callback = self.receiver.url("/events")
        ctx = args.get("operationContext")
        call = args.get("call")
        sip, voip = headers(args)
        target = ident(args["target"]) if "target" in args else None
        if action == "createCall":
            if "customCallingContext" in args:
                raise AssertionError("createCall has no custom calling context in the Python API")
            kwargs = {
                "source_caller_id_number": args.get("sourceCallerIdNumber"),
                "source_display_name": args.get("sourceDisplayName"),
                "operation_context": ctx,
            }
            return ("client", "create_call", (target, callback), kwargs, props_json, "conn")
        if action == "createGroupCall":
            targets = [ident(t) for t in args["targets"]]
            kwargs = {
                "source_caller_id_number": args.get("sourceCallerIdNumber"),
                "operation_context": ctx,
            }
            return ("client", "create_group_call", (targets, callback), kwargs, props_json, "conn")
        if action == "connectCall":
            kwargs = {
                "server_call_id": args.get("serverCallId"),
                "group_call_id": args.get("groupCallId"),
                "room_id": args.get("roomId"),
                "operation_context": ctx,
            }
            return ("client", "connect_call", (callback,), kwargs, props_json, "conn")
        if action == "answerCall":
            kwargs = {"operation_context": ctx}
            return (
                "client",
                "answer_call",
                (args["incomingCallContext"], callback),
                kwargs,
                props_json,
                "conn",
            )
        if action == "rejectCall":
            kwargs = {"call_reject_reason": args.get("callRejectReason")}
            return ("client", "reject_call", (args["incomingCallContext"],), kwargs, None, None)
        if action == "redirectCall":
            redirect_to: Any = target
            if args.get("sourceCallerIdNumber"):
                redirect_to = callsteer.CallInvite(
                    target, source_caller_id_number=args["sourceCallerIdNumber"]
                )
            return (
                "client",
                "redirect_call",
                (args["incomingCallContext"], redirect_to),
                {},
                None,
                None,
            )
        if action == "transferCallToParticipant":
            kwargs = {
                "transferee": ident(args["transferee"]) if "transferee" in args else None,
                "operation_context": ctx,
                "operation_callback_url": self.op_callback(args),
                "sip_headers": sip,
                "voip_headers": voip,
                "source_caller_id_number": args.get("sourceCallerIdNumber"),
            }
            ret = lambda r: {"operationContext": r.operation_context}
            return (call, "transfer_call_to_participant", (target,), kwargs, ret, call)
        if action == "addParticipant":
            kwargs = {
                "invitation_timeout": args.get("invitationTimeoutInSeconds"),
                "operation_context": ctx,
                "operation_callback_url": self.op_callback(args),
                "sip_headers": sip,
                "voip_headers": voip,
                "source_caller_id_number": args.get("sourceCallerIdNumber"),
                "source_display_name": args.get("sourceDisplayName"),
            }
            ret = lambda r: {
                "invitationId": r.invitation_id,
                "operationContext": r.operation_context,
            }
            return (call, "add_participant", (target,), kwargs, ret, call)
        if action == "cancelAddParticipant":
            kwargs = {"operation_context": ctx, "operation_callback_url": self.op_callback(args)}
            ret = lambda r: {
                "invitationId": r.invitation_id,
                "operationContext": r.operation_context,
            }
            return (
                call,
                "cancel_add_participant_operation",
                (args["invitationId"],),
                kwargs,
                ret,
                call,
            )
        if action == "removeParticipant":
            kwargs = {"operation_context": ctx, "operation_callback_url": self.op_callback(args)}
            ret = lambda r: {"operationContext": r.operation_context}
            return (call, "remove_participant", (target,), kwargs, ret, call)
        if action == "moveParticipants":
            targets = [ident(t) for t in args["targets"]]
            kwargs = {"operation_context": ctx, "operation_callback_url": self.op_callback(args)}
            ret = lambda r: {
                "operationContext": r.operation_context,
                "fromCall": r.from_call,
                "participants": [p.identifier.raw_id for p in r.participants],
            }
            return (call, "move_participants", (targets, args["fromCall"]), kwargs, ret, call)
        if action == "muteParticipant":
            ret = lambda r: {"operationContext": r.operation_context}
            return (call, "mute_participant", (target,), {"operation_context": ctx}, ret, call)
        if action == "getCallProperties":
            return (call, "get_call_properties", (), {}, props_json, call)
        if action == "listParticipants":
            ret = lambda r: {"participants": [p.identifier.raw_id for p in r]}
            return (call, "list_participants", (), {}, ret, call)
        if action == "hangUp":
            return (call, "hang_up", (bool(args.get("isForEveryone")),), {}, None, call)
        raise AssertionError(f"unknown scenario action {action}")

    def admin_action(self, action: str, args: dict[str, Any]) -> Any:
        e = self.emulator
        if action == "emulator.setTarget":
            body = {"behavior": args["behavior"], "delayMs": args.get("delayMs", 0)}
            return e.set_target(args["rawId"], body)
        if action == "emulator.incomingCall":
            return e.admin(
                "POST", "/emulator/incoming-calls", {"from": args["from"], "to": args["to"]}
            )
        if action == "emulator.createCall":
            return e.admin("POST", "/emulator/calls", {"participants": args["participants"]})
        if action == "emulator.createRoom":
            return e.admin("POST", "/emulator/rooms", {"participants": args["participants"]})
        if action == "emulator.advanceClock":
            return e.admin("POST", "/emulator/clock/advance", {"ms": args["ms"]})
        raise AssertionError(f"unknown emulator action {action}")

    def _target_object(self, who: Any, client: Any) -> Any:
        if who == "client":
            return client
        if who is None:
            raise AssertionError("step has no `call`")
        return client.get_call_connection(who)

    def steps(self) -> list[dict[str, Any]]:
        for raw, body in (self.scenario.get("targets") or {}).items():
            self.emulator.set_target(raw, body)
        return list(self.scenario["steps"])

    def after(
        self, i: int, step: dict[str, Any], result: Any, call: Optional[str], mark: int
    ) -> list[tuple[str, Callable[[Delivered], bool], Any]]:
        at = f"step {i} ({step['action']})"
        for var, field in (step.get("save") or {}).items():
            value = (result or {}).get(field)
            assert value is not None, f"{at}: result has no {field} to save: {result}"
            self.vars[var] = value
        if "expect" in step:
            expect = self.resolve(step["expect"])
            assert subset(expect, result), f"{at}: expected result {expect}, got {result}"
        waits = []
        for expected in step.get("events") or []:
            expected = self.resolve(expected)
            event_type = expected["type"]
            call_id = expected["call"] if "call" in expected else call
            fields = expected.get("fields") or {}
            want_path = "/op" if expected.get("at") == "op" else None

            def pred(
                d: Delivered,
                event_type: str = event_type,
                call_id: Optional[str] = call_id,
                fields: Any = fields,
                want_path: Optional[str] = want_path,
            ) -> bool:
                return (
                    d.event_type == event_type
                    and (
                        event_type == "IncomingCall"
                        or call_id is None
                        or d.call_connection_id == call_id
                    )
                    and (want_path is None or d.path == want_path)
                    and subset(fields, d.data)
                )

            waits.append((f"{at}: no {event_type} matching {fields} (call {call_id})", pred, mark))
        return waits

    def check_error(self, i: int, step: dict[str, Any], error: Exception) -> None:
        at = f"step {i} ({step['action']})"
        want = step.get("expectError")
        if want is None:
            raise AssertionError(f"{at}: {error!r}") from error
        if "fieldIn" in want:
            # Fields are named in the caller's language (tests/scenarios/README.md).
            want = {k: v for k, v in want.items() if k != "fieldIn"}
            want["field"] = step["expectError"]["fieldIn"]["python"]
        assert isinstance(error, callsteer.CallAutomationError), f"{at}: {error!r}"
        got = error_json(error)
        assert subset(want, got), f"{at}: expected error {want}, got {got}"

    def run_sync(self) -> None:
        for i, step in enumerate(self.steps()):
            args = self.resolve(step.get("args") or {})
            mark = len(self.receiver)
            call: Optional[str] = None
            if step["action"].startswith("emulator."):
                result = self.admin_action(step["action"], args)
            else:
                who, method, pos, kwargs, ret, call_of = self.plan(step["action"], args)
                try:
                    value = getattr(self._target_object(who, self.client), method)(*pos, **kwargs)
                except Exception as e:  # noqa: BLE001
                    self.check_error(i, step, e)
                    continue
                assert "expectError" not in step, f"step {i}: expected {step['expectError']}"
                result = ret(value) if ret else None
                call = value.call_connection_id if call_of == "conn" else call_of
            self.wait_events(self.after(i, step, result, call, mark))

    def wait_events(self, waits: list[tuple[str, Callable[[Delivered], bool], Any]]) -> None:
        start = waits[0][2] if waits else 0
        for message, pred, _ in waits:
            found = self.receiver.wait_for(start, pred)
            if found is None:
                seen = self.receiver.log[waits[0][2] :]
                raise AssertionError(f"{message}; seen: {seen}")
            start = found + 1

    async def run_async(self) -> None:
        for i, step in enumerate(self.steps()):
            args = self.resolve(step.get("args") or {})
            mark = len(self.receiver)
            call: Optional[str] = None
            if step["action"].startswith("emulator."):
                result = await asyncio.to_thread(self.admin_action, step["action"], args)
            else:
                who, method, pos, kwargs, ret, call_of = self.plan(step["action"], args)
                try:
                    target = self._target_object(who, self.aclient)
                    called = getattr(target, method)(*pos, **kwargs)
                    # list_participants is an async pager (like azure-core's AsyncItemPaged).
                    if hasattr(called, "__aiter__"):
                        value = [item async for item in called]
                    else:
                        value = await called
                except Exception as e:  # noqa: BLE001
                    self.check_error(i, step, e)
                    continue
                assert "expectError" not in step, f"step {i}: expected {step['expectError']}"
                result = ret(value) if ret else None
                call = value.call_connection_id if call_of == "conn" else call_of
            waits = self.after(i, step, result, call, mark)
            await asyncio.to_thread(self.wait_events, waits)
