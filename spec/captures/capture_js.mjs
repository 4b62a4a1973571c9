#!/usr/bin/env node
// Capture the requests the official JS SDK (@azure/communication-call-automation 1.6.0) sends.
//
// Self-contained: starts a local HTTP server on 127.0.0.1 (port 0, i.e. any free port) that records
// every request (method, path+query, all headers in arrival order, JSON body) and answers the way
// the service does (the status each operation declares in
// spec/callautomation/2026-03-12/communicationservicescallautomation.json, with a plausible JSON
// body), then drives the SDK through a fixed list of steps over real HTTP (the SDK's default Node
// http client), so host, date, content hash and HMAC signature are exactly what the SDK produces.
//
// The repository has no install of the SDK: pass the node_modules directory that holds
// @azure/communication-call-automation (1.6.0) as the first argument or as CALL_AUTOMATION_NODE_MODULES.
//
// Usage (from the repository root):
//
//     node spec/captures/capture_js.mjs /path/to/node_modules \
//         [spec/captures/official-js-sdk-1.6.0-requests-2026-03-12.json]
//     CALL_AUTOMATION_NODE_MODULES=/path/to/node_modules node spec/captures/capture_js.mjs

import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const API_VERSION = "2026-03-12";
const ACCESS_KEY = "c2VjcmV0"; // base64 of "secret"
const PACKAGE = "@azure/communication-call-automation";
const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_OUT = path.join(HERE, "official-js-sdk-1.6.0-requests-2026-03-12.json");

const NOTE =
  "Requests sent by @azure/communication-call-automation 1.6.0 (Node, npm; with " +
  "@azure/communication-common COMMON_VERSION, Node NODE_VERSION) at its default api-version 2026-03-12, " +
  "with access key 'c2VjcmV0' (base64 of 'secret'), captured by spec/captures/capture_js.mjs: a local " +
  "HTTP server on 127.0.0.1 (port 0) that records method, path+query, every header in arrival order and " +
  "the JSON body, and answers each operation with the status the 2026-03-12 spec declares (201 create, " +
  "200 answer/connect/get/mute, 202 transfer/add/remove/cancel/moveHere, 204 redirect/reject/hang-up/" +
  "terminate) and a plausible body; the SDK used its default Node HTTP client over real HTTP, with the " +
  "connection string endpoint=http://127.0.0.1:<port>/;accesskey=c2VjcmV0 and client option " +
  "allowInsecureConnection: true (core-rest-pipeline refuses plain http otherwise). Signatures are real: a signing " +
  "implementation fed the same method, path+query, host, date and body (the body re-serialised compactly, " +
  "JSON.stringify / no spaces) must produce the same x-ms-content-sha256 and Authorization headers. Unlike " +
  "the earlier JS capture, all headers are kept (user-agent, accept-encoding, connection included). Quirks " +
  "visible here: every identifier carries 'kind' plus rawId plus the nested model; phone numbers always " +
  "carry isAnonymous:false; Teams identifiers carry cloud 'public' in lower case; add participant and " +
  "transfer always send customCallingContext with both voipHeaders and sipHeaders, empty ({}) when not " +
  "given; transfer, remove, cancel-add and move invent a random UUID operationContext when none is given " +
  "(step transfer_group_pstn shows one; add participant does not); teamsAppSource is {appId} only (no " +
  "cloud); TeamsPhoneCallDetails is an entry {kind:'TeamsPhoneCallDetails', ...} of the customCallingContext " +
  "array and goes out as customCallingContext.teamsPhoneCallDetails; the teamsAppSource option exists " +
  "(step create_call_teams_app_source); bodiless POST :terminate carries Content-Length: 0, GET and DELETE " +
  "none; header names are recorded as sent on the wire (Title-Case for most, unlike the earlier capture's " +
  "lower-cased names).";

function fail(msg) {
  console.error(msg);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Locate the SDK
// ---------------------------------------------------------------------------------------------

const args = process.argv.slice(2);
let nodeModules = process.env.CALL_AUTOMATION_NODE_MODULES;
if (args.length && existsSync(path.join(args[0], PACKAGE, "package.json"))) {
  nodeModules = args.shift();
}
if (!nodeModules || !existsSync(path.join(nodeModules, PACKAGE, "package.json"))) {
  fail(
    `usage: node capture_js.mjs <node_modules dir holding ${PACKAGE}> [out.json]\n` +
      `   or: CALL_AUTOMATION_NODE_MODULES=<dir> node capture_js.mjs [out.json]`,
  );
}
const outPath = args[0] ?? DEFAULT_OUT;
nodeModules = path.resolve(nodeModules);
const pkg = JSON.parse(readFileSync(path.join(nodeModules, PACKAGE, "package.json"), "utf8"));
const commonPkg = JSON.parse(
  readFileSync(path.join(nodeModules, "@azure/communication-common/package.json"), "utf8"),
);
if (pkg.version !== "1.6.0") fail(`${PACKAGE} is ${pkg.version}, expected 1.6.0`);

// Never route the loopback traffic through a proxy.
process.env.NO_PROXY = process.env.no_proxy = "127.0.0.1,localhost";
const require = createRequire(path.join(nodeModules, "_capture_js_.js"));
const { CallAutomationClient } = require(PACKAGE);

// ---------------------------------------------------------------------------------------------
// A service-like local server
// ---------------------------------------------------------------------------------------------

const NESTED = ["communicationUser", "phoneNumber", "microsoftTeamsUser", "microsoftTeamsApp", "teamsExtensionUser"];

// The identifier the service would echo back: kind, rawId and the nested model.
function asServiceIdentifier(model) {
  if (!model || typeof model !== "object" || model.kind) return model;
  const kind = NESTED.find((k) => k in model);
  return kind ? { kind, ...model } : model;
}

function callProperties(body, state, targets) {
  body = body ?? {};
  const props = {
    callConnectionId: "call-1",
    serverCallId: "c2VydmVyLWNhbGwtMQ",
    targets: (targets ?? body.targets ?? []).map(asServiceIdentifier),
    callConnectionState: state,
    callbackUri: body.callbackUri ?? "https://app.example/events",
    correlationId: "corr-1",
  };
  if (body.sourceCallerIdNumber) props.sourceCallerIdNumber = body.sourceCallerIdNumber;
  if (body.callLocator?.serverCallId) props.serverCallId = body.callLocator.serverCallId;
  return props;
}

const opContext = (b) => ({ operationContext: b?.operationContext });

// [method, path regex without query, handler(body) -> [status, json or null]]
const ROUTES = [
  ["POST", /^\/calling\/callConnections$/, (b) => [201, callProperties(b, "connecting")]],
  ["POST", /^\/calling\/callConnections:answer$/, (b) => [200, callProperties(b, "connected", [])]],
  ["POST", /^\/calling\/callConnections:connect$/, (b) => [200, callProperties(b, "connecting", [])]],
  ["POST", /^\/calling\/callConnections:redirect$/, () => [204, null]],
  ["POST", /^\/calling\/callConnections:reject$/, () => [204, null]],
  [
    "GET",
    /^\/calling\/callConnections\/[^/:]+$/,
    () => [
      200,
      callProperties(null, "connected", [{ rawId: "4:+16041234567", phoneNumber: { value: "+16041234567" } }]),
    ],
  ],
  ["DELETE", /^\/calling\/callConnections\/[^/:]+$/, () => [204, null]],
  ["POST", /^\/calling\/callConnections\/[^/:]+:terminate$/, () => [204, null]],
  ["POST", /^\/calling\/callConnections\/[^/:]+:transferToParticipant$/, (b) => [202, opContext(b)]],
  [
    "POST",
    /^\/calling\/callConnections\/[^/:]+\/participants:add$/,
    (b) => [
      202,
      {
        ...opContext(b),
        participant: { identifier: asServiceIdentifier(b.participantToAdd), isMuted: false, isOnHold: false },
        invitationId: "inv-1",
      },
    ],
  ],
  ["POST", /^\/calling\/callConnections\/[^/:]+\/participants:remove$/, (b) => [202, opContext(b)]],
  ["POST", /^\/calling\/callConnections\/[^/:]+\/participants:mute$/, (b) => [200, opContext(b)]],
  [
    "POST",
    /^\/calling\/callConnections\/[^/:]+\/participants:cancelAddParticipant$/,
    (b) => [202, { invitationId: b.invitationId, ...opContext(b) }],
  ],
  [
    "POST",
    /^\/calling\/callConnections\/[^/:]+\/participants:moveHere$/,
    (b) => [
      202,
      {
        ...opContext(b),
        participants: (b.targetParticipants ?? []).map((t) => ({
          identifier: asServiceIdentifier(t),
          isMuted: false,
          isOnHold: false,
        })),
        fromCall: b.fromCall,
      },
    ],
  ],
];

const recorded = [];

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks);
    const body = raw.length ? JSON.parse(raw.toString("utf8")) : null;
    const headers = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]] = req.rawHeaders[i + 1];
    recorded.push({ method: req.method, path: req.url, headers, body, raw });
    const route = req.url.split("?")[0];
    let status = 404;
    let answer = { error: { code: "NotFound", message: `no route for ${req.method} ${route}` } };
    for (const [method, pattern, handler] of ROUTES) {
      if (method === req.method && pattern.test(route)) {
        [status, answer] = handler(body);
        break;
      }
    }
    const out = answer === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify(answer));
    const h = { "Content-Length": out.length };
    if (answer !== null) h["Content-Type"] = "application/json";
    res.writeHead(status, h);
    res.end(out);
  });
});

// ---------------------------------------------------------------------------------------------
// The steps
// ---------------------------------------------------------------------------------------------

const teamsPhoneCallDetails = () => ({
  kind: "TeamsPhoneCallDetails",
  teamsPhoneCallerDetails: {
    caller: { phoneNumber: "+16045550100" },
    name: "Ada",
    phoneNumber: "+16045550100",
    recordId: "rec-1",
    isAuthenticated: true,
    additionalCallerInformation: { tier: "gold" },
  },
  teamsPhoneSourceDetails: {
    source: { teamsAppId: "app-1" },
    language: "en-US",
    status: "active",
    intendedTargets: { agent: { microsoftTeamsUserId: "u2" } },
  },
  sessionId: "s-1",
  intent: "billing",
  callTopic: "Billing question",
  callContext: "asked about invoice",
  transcriptUrl: "https://app.example/t/1",
  callSentiment: "neutral",
  suggestedActions: "refund",
});

async function main() {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  const connectionString = `endpoint=http://127.0.0.1:${port}/;accesskey=${ACCESS_KEY}`;

  const events = "https://app.example/events";
  const op = "https://app.example/op";
  const phone = { phoneNumber: "+16041234567" };
  const callerId = { phoneNumber: "+16044561234" };
  const user2 = { communicationUserId: "8:acs:user2" };

  // core-rest-pipeline refuses plain http unless told otherwise; this changes nothing on the wire.
  const client = new CallAutomationClient(connectionString, { allowInsecureConnection: true });
  const call = client.getCallConnection("call-1");

  const steps = [
    ["create_call", () => client.createCall({ targetParticipant: phone, sourceCallIdNumber: callerId }, events, { operationContext: "ctx1" })],
    ["create_group_call", () => client.createGroupCall([user2, phone], events, { sourceCallIdNumber: callerId })],
    ["connect_call_server", () => client.connectCall({ kind: "serverCallLocator", id: "srv-9" }, events)],
    ["connect_call_room", () => client.connectCall({ kind: "roomCallLocator", id: "room-9" }, events)],
    ["answer_call", () => client.answerCall("ctx-token", events, { operationContext: "ans" })],
    ["redirect_call", () => client.redirectCall("ctx-token", { targetParticipant: phone })],
    ["reject_call", () => client.rejectCall("ctx-token", { callRejectReason: "busy" })],
    [
      "transfer",
      () =>
        call.transferCallToParticipant(user2, {
          operationContext: "tr",
          operationCallbackUrl: op,
          customCallingContext: [{ kind: "voip", key: "customVoipHeader1", value: "v1" }],
        }),
    ],
    [
      "transfer_group_pstn",
      () =>
        call.transferCallToParticipant(phone, {
          transferee: { phoneNumber: "+16045550000" },
          customCallingContext: [
            { kind: "sipx", key: "headerName", value: "headerValue" },
            { kind: "sipuui", key: "User-To-User", value: "uui" },
          ],
        }),
    ],
    [
      "add_participant_pstn",
      () =>
        call.addParticipant(
          {
            targetParticipant: phone,
            sourceCallIdNumber: callerId,
            customCallingContext: [{ kind: "sipx", key: "headerName", value: "headerValue" }],
          },
          { invitationTimeoutInSeconds: 60, operationContext: "add-ctx", operationCallbackUrl: op },
        ),
    ],
    [
      "add_participant_user",
      () =>
        call.addParticipant({
          targetParticipant: user2,
          customCallingContext: [{ kind: "voip", key: "myHeader", value: "myValue" }],
        }),
    ],
    ["cancel_add", () => call.cancelAddParticipantOperation("inv-1", { operationContext: "cancel", operationCallbackUrl: op })],
    ["remove", () => call.removeParticipant(user2, { operationContext: "rm" })],
    ["mute", () => call.muteParticipant(user2, { operationContext: "mute" })],
    ["get_call", () => call.getCallConnectionProperties()],
    ["hang_up_leave", () => call.hangUp(false)],
    ["hang_up_everyone", () => call.hangUp(true)],
    [
      "move_participants",
      () => call.moveParticipants([user2], "call-2", { operationContext: "move-ctx", operationCallbackUrl: op }),
    ],
    [
      "add_participant_teams_extension_user",
      () =>
        call.addParticipant(
          { targetParticipant: { userId: "u", tenantId: "t", resourceId: "r" } },
          { operationContext: "ext" },
        ),
    ],
    [
      "add_participant_teams_phone_call_details",
      () =>
        call.addParticipant({
          targetParticipant: { microsoftTeamsUserId: "u1" },
          customCallingContext: [{ kind: "voip", key: "k", value: "v" }, teamsPhoneCallDetails()],
        }),
    ],
    [
      "transfer_teams_phone_call_details",
      () =>
        call.transferCallToParticipant(
          { microsoftTeamsUserId: "u1" },
          {
            operationContext: "tr-teams",
            customCallingContext: [{ kind: "voip", key: "k", value: "v" }, teamsPhoneCallDetails()],
          },
        ),
    ],
    [
      "create_call_teams_app_source",
      () => client.createCall({ targetParticipant: user2 }, events, { teamsAppSource: { teamsAppId: "app-1" } }),
    ],
  ];

  const names = [];
  const requests = [];
  for (let [name, action] of steps) {
    const before = recorded.length;
    try {
      await action();
    } catch (e) {
      name = `${name} ERR ${e?.name ?? "Error"}(${JSON.stringify(e?.message ?? String(e))})`;
    }
    const got = recorded.slice(before);
    if (got.length !== 1) fail(`step ${name}: expected exactly one request, got ${got.length}`);
    const r = got[0];
    if (!r.path.includes(`api-version=${API_VERSION}`)) fail(`step ${name}: ${r.path} is not at api-version ${API_VERSION}`);
    // The body as stored must re-serialise to the bytes that were signed.
    if (r.raw.length && !Buffer.from(JSON.stringify(r.body)).equals(r.raw)) {
      fail(`step ${name}: body does not round-trip through JSON.stringify`);
    }
    const sha = createHash("sha256").update(r.raw).digest("base64");
    const sent = Object.entries(r.headers).find(([k]) => k.toLowerCase() === "x-ms-content-sha256")?.[1];
    if (sha !== sent) fail(`step ${name}: x-ms-content-sha256 ${sent} is not the body's hash ${sha}`);
    names.push(name);
    requests.push({ method: r.method, path: r.path, headers: r.headers, body: r.body });
    console.log(name, r.method, r.path);
  }
  server.close();

  const note = NOTE.replace("COMMON_VERSION", commonPkg.version).replace("NODE_VERSION", process.version);
  writeFileSync(outPath, JSON.stringify({ note, steps: names, requests }, null, 1) + "\n");
  console.log(`wrote ${outPath}: ${requests.length} requests (SDK ${pkg.version})`);
}

main().catch((e) => fail(e?.stack ?? String(e)));
