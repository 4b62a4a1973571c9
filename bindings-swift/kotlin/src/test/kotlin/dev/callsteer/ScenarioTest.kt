// Runs every shared scenario (tests/scenarios/*.json, format in tests/scenarios/README.md)
// unchanged through the Kotlin binding against a real emulator, as tests/src/scenario.rs does.
package dev.callsteer

import kotlinx.coroutines.runBlocking
import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import java.io.File

val scenarioDir = File(repoRoot, "tests/scenarios")

fun id(raw: String) = identifierFromRawId(raw)

class ScenarioRunner(file: File) : AutoCloseable {
    val scenario = JSONObject(file.readText())
    val emulator = Emulator(scenario.optString("clock") == "manual")
    val client = CallAutomationClient(emulator.connectionString)
    lateinit var recorder: Recorder
    val vars = mutableMapOf<String, Any>()

    suspend fun start() {
        recorder = Recorder.start(client.eventProcessor())
        emulator.admin("POST", "/emulator/event-subscriptions", mapOf("url" to recorder.eventGridUrl))
    }

    override fun close() {
        emulator.stop()
        if (this::recorder.isInitialized) recorder.close()
        client.close()
    }

    fun resolve(value: Any?): Any? = when {
        value is String && value.startsWith("$") -> vars[value.drop(1)] ?: throw HarnessError("variable $value was never saved")
        value is JSONArray -> JSONArray((0 until value.length()).map { resolve(value.get(it)) })
        value is JSONObject -> JSONObject().also { o -> value.keySet().forEach { o.put(it, resolve(value.get(it))) } }
        else -> value
    }

    private fun customContext(args: JSONObject): CustomCallingContext? {
        val c = args.optJSONObject("customCallingContext") ?: return null
        var ctx = CustomCallingContext()
        c.optJSONObject("voip")?.let { v -> v.keySet().sorted().forEach { ctx = ctx.withVoip(it, v.getString(it)) } }
        if (c.has("sipUui")) ctx = ctx.withSipUui(c.getString("sipUui"))
        c.optJSONObject("sipX")?.let { v -> v.keySet().sorted().forEach { ctx = ctx.withSipX(it, v.getString(it), null) } }
        return ctx
    }

    private fun connectionJson(r: CallConnectionResult): JSONObject {
        val p = r.callConnectionProperties()
        return JSONObject().put("callConnectionId", p.callConnectionId).put("serverCallId", p.serverCallId ?: JSONObject.NULL)
            .put("callConnectionState", callConnectionStateName(p.callConnectionState))
    }

    private fun ctxJson(vararg pairs: Pair<String, String?>) =
        JSONObject().also { o -> pairs.forEach { (k, v) -> o.put(k, v ?: JSONObject.NULL) } }

    /** Performs one action; returns its result as JSON and the call connection it concerns. */
    suspend fun act(action: String, args: JSONObject): Pair<JSONObject, String?> {
        fun s(key: String): String? = if (args.has(key) && !args.isNull(key)) args.get(key).toString() else null
        val callback = recorder.callbackUrl
        val ctx = s("operationContext")
        val callId = s("call")
        val target = { id(s("target") ?: "") }
        val op = if (args.optBoolean("operationCallback")) recorder.operationCallbackUrl else null
        val call = { client.getCallConnection(callId ?: "") }
        return when (action) {
            "createCall" -> {
                val r = client.createCall(CallInvite(target(), s("sourceCallerIdNumber"), s("sourceDisplayName"), customContext(args)),
                    callback, CreateCallOptions(operationContext = ctx))
                connectionJson(r) to r.callConnectionProperties().callConnectionId
            }
            "createGroupCall" -> {
                val targets = args.getJSONArray("targets").let { a -> (0 until a.length()).map { id(a.getString(it)) } }
                val r = client.createGroupCall(targets, callback, CreateCallOptions(sourceCallerIdNumber = s("sourceCallerIdNumber"), operationContext = ctx))
                connectionJson(r) to r.callConnectionProperties().callConnectionId
            }
            "connectCall" -> {
                val locator = s("serverCallId")?.let { CallLocator.ServerCall(it) }
                    ?: s("groupCallId")?.let { CallLocator.GroupCall(it) } ?: CallLocator.Room(s("roomId") ?: "")
                val r = client.connectCall(locator, callback, ConnectCallOptions(operationContext = ctx))
                connectionJson(r) to r.callConnectionProperties().callConnectionId
            }
            "answerCall" -> {
                val r = client.answerCall(s("incomingCallContext") ?: "", callback, AnswerCallOptions(operationContext = ctx))
                connectionJson(r) to r.callConnectionProperties().callConnectionId
            }
            "rejectCall" -> {
                val reason = when (s("callRejectReason")) {
                    "busy" -> CallRejectReason.BUSY; "forbidden" -> CallRejectReason.FORBIDDEN; "none" -> CallRejectReason.NONE; else -> null
                }
                client.rejectCall(s("incomingCallContext") ?: "", RejectCallOptions(callRejectReason = reason))
                JSONObject() to null
            }
            "redirectCall" -> {
                client.redirectCall(s("incomingCallContext") ?: "", CallInvite(target(), s("sourceCallerIdNumber")))
                JSONObject() to null
            }
            "transferCallToParticipant" -> {
                val r = call().transferCallToParticipant(target(), TransferCallToParticipantOptions(
                    transferee = s("transferee")?.let(::id), operationContext = ctx, operationCallbackUrl = op,
                    customCallingContext = customContext(args), sourceCallerIdNumber = s("sourceCallerIdNumber")))
                ctxJson("operationContext" to r.operationContext()) to callId
            }
            "addParticipant" -> {
                val r = call().addParticipant(CallInvite(target(), s("sourceCallerIdNumber"), s("sourceDisplayName"), customContext(args)),
                    AddParticipantOptions(invitationTimeoutInSeconds = if (args.has("invitationTimeoutInSeconds")) args.getInt("invitationTimeoutInSeconds").toUInt() else null,
                        operationContext = ctx, operationCallbackUrl = op))
                ctxJson("invitationId" to r.invitationId(), "operationContext" to r.operationContext()) to callId
            }
            "cancelAddParticipant" -> {
                val r = call().cancelAddParticipantOperation(s("invitationId") ?: "",
                    CancelAddParticipantOperationOptions(operationContext = ctx, operationCallbackUrl = op))
                ctxJson("invitationId" to r.invitationId(), "operationContext" to r.operationContext()) to callId
            }
            "removeParticipant" -> {
                val r = call().removeParticipant(target(), RemoveParticipantOptions(operationContext = ctx, operationCallbackUrl = op))
                ctxJson("operationContext" to r.operationContext()) to callId
            }
            "moveParticipants" -> {
                val targets = args.getJSONArray("targets").let { a -> (0 until a.length()).map { id(a.getString(it)) } }
                val r = call().moveParticipants(targets, s("fromCall") ?: "",
                    MoveParticipantsOptions(operationContext = ctx, operationCallbackUrl = op))
                ctxJson("operationContext" to r.operationContext(), "fromCall" to r.fromCall())
                    .put("participants", JSONArray(r.participants().map { it.identifier.rawId() })) to callId
            }
            "muteParticipant" -> {
                val r = call().muteParticipant(target(), MuteParticipantOptions(operationContext = ctx))
                ctxJson("operationContext" to r.operationContext) to callId
            }
            "getCallProperties" -> {
                val p = call().getCallProperties()
                JSONObject().put("callConnectionId", p.callConnectionId).put("serverCallId", p.serverCallId ?: JSONObject.NULL)
                    .put("callConnectionState", callConnectionStateName(p.callConnectionState)) to callId
            }
            "listParticipants" -> JSONObject().put("participants", JSONArray(call().listParticipants().map { it.identifier.rawId() })) to callId
            "hangUp" -> {
                call().hangUp(args.optBoolean("isForEveryone"))
                JSONObject() to callId
            }
            else -> throw HarnessError("unknown scenario action $action")
        }
    }

    fun adminAction(action: String, args: JSONObject): Any = when (action) {
        "emulator.setTarget" -> { emulator.setTarget(args.getString("rawId"), JSONObject().put("behavior", args.get("behavior")).put("delayMs", args.opt("delayMs") ?: 0)); JSONObject.NULL }
        "emulator.incomingCall" -> emulator.admin("POST", "/emulator/incoming-calls", JSONObject().put("from", args.get("from")).put("to", args.get("to")))
        "emulator.createCall" -> emulator.admin("POST", "/emulator/calls", JSONObject().put("participants", args.get("participants")))
        "emulator.createRoom" -> emulator.admin("POST", "/emulator/rooms", JSONObject().put("participants", args.get("participants")))
        "emulator.advanceClock" -> emulator.admin("POST", "/emulator/clock/advance", JSONObject().put("ms", args.get("ms")))
        else -> throw HarnessError("unknown emulator action $action")
    }

    /** Runs every step; the error names the step and what differed. */
    suspend fun run() {
        scenario.optJSONObject("targets")?.let { t -> t.keySet().forEach { emulator.setTarget(it, t.get(it)) } }
        val steps = scenario.getJSONArray("steps")
        for (i in 0 until steps.length()) {
            val step = steps.getJSONObject(i)
            val action = step.getString("action")
            val at = "step $i ($action)"
            val args = resolve(step.optJSONObject("args") ?: JSONObject()) as JSONObject
            recorder.drain()
            val mark = recorder.log.size
            var result: Any = JSONObject.NULL
            var call: String? = null
            if (action.startsWith("emulator.")) {
                result = try { adminAction(action, args) } catch (e: Exception) { throw HarnessError("$at: $e") }
            } else {
                val outcome = try { Result.success(act(action, args)) } catch (e: CallAutomationException) { Result.failure(e) }
                val want = step.opt("expectError")
                if (outcome.isFailure) {
                    val e = outcome.exceptionOrNull() as CallAutomationException
                    if (want == null) throw HarnessError("$at: $e")
                    // Fields are named in the caller's language (tests/scenarios/README.md).
                    if (want is JSONObject && want.has("fieldIn")) {
                        want.put("field", (want.remove("fieldIn") as JSONObject).getString("kotlin"))
                    }
                    val got = errorJson(e)
                    if (!subset(want, got)) throw HarnessError("$at: expected error $want, got $got")
                    continue
                }
                if (want != null) throw HarnessError("$at: expected error $want, got ${outcome.getOrNull()}")
                val (r, c) = outcome.getOrThrow()
                result = r
                call = c
            }
            step.optJSONObject("save")?.let { save ->
                for (variable in save.keySet()) {
                    val field = save.getString(variable)
                    val value = (result as? JSONObject)?.opt(field)
                    if (value == null || value == JSONObject.NULL) throw HarnessError("$at: result has no $field to save: $result")
                    vars[variable] = value
                }
            }
            step.opt("expect")?.let { raw ->
                val expect = resolve(raw)
                if (!subset(expect, result)) throw HarnessError("$at: expected result $expect, got $result")
            }
            var from = mark
            val events = step.optJSONArray("events") ?: JSONArray()
            for (k in 0 until events.length()) {
                val expected = resolve(events.get(k)) as JSONObject
                val type = expected.getString("type")
                val callId: String? = if (expected.has("call")) expected.optString("call", null) else call
                val fields = expected.opt("fields") ?: JSONObject()
                val wantPath = if (expected.optString("at") == "op") "/op" else null
                val index = recorder.waitFor(from) { d ->
                    d.type == type && (type == "IncomingCall" || callId == null || d.callConnectionId == callId) &&
                        (wantPath == null || d.path == wantPath) && subset(fields, d.data)
                } ?: throw HarnessError("$at: no $type matching $fields (call $callId) after the step, in order; seen: " +
                    recorder.log.drop(mark).map { "${it.type}@${it.path} ${it.data}" })
                from = index + 1
            }
        }
    }
}

fun errorJson(e: CallAutomationException): JSONObject = when (e) {
    is CallAutomationException.InvalidArgument -> JSONObject().put("kind", "InvalidArgument").put("field", e.field).put("message", e.errorMessage)
    is CallAutomationException.Auth -> JSONObject().put("kind", "Auth").put("message", e.errorMessage)
    is CallAutomationException.Service -> JSONObject().put("kind", "Service").put("status", e.status.toInt()).put("code", e.code).put("message", e.errorMessage)
    is CallAutomationException.Transport -> JSONObject().put("kind", "Transport").put("message", e.errorMessage)
    is CallAutomationException.Timeout -> JSONObject().put("kind", "Timeout").put("message", e.errorMessage)
    is CallAutomationException.EventParse -> JSONObject().put("kind", "EventParse").put("message", e.errorMessage)
    is CallAutomationException.Cancelled -> JSONObject().put("kind", "Cancelled").put("message", e.errorMessage)
}

class ScenarioTest {
    @TestFactory
    fun sharedScenarios(): List<DynamicTest> {
        val files = scenarioDir.listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }
        check(files.isNotEmpty()) { "no scenario in $scenarioDir" }
        return files.map { file ->
            DynamicTest.dynamicTest(file.nameWithoutExtension) {
                runBlocking { ScenarioRunner(file).use { it.start(); it.run() } }
            }
        }
    }
}
