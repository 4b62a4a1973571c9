// Test support: the emulator process, its admin API, the callback listeners and a recorder of
// delivered events — the same harness as the Rust (tests/src) and Swift ones.
package dev.callsteer

import org.json.JSONArray
import org.json.JSONObject
import java.io.File
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.delay

val repoRoot: File = File(System.getProperty("callsteer.repo") ?: "../..").canonicalFile
const val RESOURCE_PHONE_NUMBER = "+16044561234"

class HarnessError(message: String) : Exception(message)

/** A running `callsteer-emulator --port 0`; killed by [stop]. */
class Emulator(manualClock: Boolean = false) {
    private val process: Process
    val connectionString: String
    val baseUrl: String
    private val http = HttpClient.newHttpClient()

    init {
        val binary = System.getProperty("callsteer.emulator.bin")
            ?: File(repoRoot, "target/debug/callsteer-emulator").path
        if (!File(binary).exists()) throw HarnessError("$binary is missing: run `cargo build -p callsteer-emulator` first")
        val args = mutableListOf(binary, "--port", "0", "--answer-delay-ms", "5", "--resource-phone-number", RESOURCE_PHONE_NUMBER)
        if (manualClock) args += listOf("--clock", "manual")
        process = ProcessBuilder(args).redirectError(ProcessBuilder.Redirect.DISCARD).start()
        val reader = process.inputStream.bufferedReader()
        val first = reader.readLine() ?: ""
        if (!first.startsWith("CONNECTION_STRING=")) {
            process.destroyForcibly()
            throw HarnessError("unexpected first line from the emulator: $first")
        }
        connectionString = first.removePrefix("CONNECTION_STRING=")
        baseUrl = connectionString.split(";").first { it.startsWith("endpoint=") }.removePrefix("endpoint=").trimEnd('/')
        // Keep draining stdout so the emulator never blocks on a full pipe.
        Thread { runCatching { while (reader.readLine() != null) Unit } }.apply { isDaemon = true }.start()
    }

    fun stop() {
        process.destroyForcibly()
        process.waitFor(5, TimeUnit.SECONDS)
    }

    /** Calls the admin API; returns its JSON answer (JSONObject.NULL for an empty body). */
    fun admin(method: String, path: String, body: Any? = null): Any {
        val publisher = if (body == null) HttpRequest.BodyPublishers.noBody()
            else HttpRequest.BodyPublishers.ofString(JSONObject.wrap(body).toString())
        val request = HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Content-Type", "application/json").method(method, publisher).build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        if (response.statusCode() !in 200..299) throw HarnessError("$method $path answered ${response.statusCode()}: ${response.body()}")
        val text = response.body().trim()
        return if (text.isEmpty()) JSONObject.NULL else parseJson(text)
    }

    fun setTarget(rawId: String, body: Any) {
        val encoded = URLEncoder.encode(rawId, Charsets.UTF_8).replace("+", "%20").replace("*", "%2A")
        admin("PUT", "/emulator/targets/$encoded", body)
    }
}

fun parseJson(text: String): Any = when (text.trimStart().firstOrNull()) {
    '{' -> JSONObject(text)
    '[' -> JSONArray(text)
    else -> JSONObject("{\"v\":$text}").get("v")
}

/** One event as it arrived: the listener it came to and its wire `data`. */
data class Delivered(val path: String, val event: CallAutomationEvent, val type: String, val callConnectionId: String?, val data: Any)

/**
 * Two core callback listeners — `/events` feeding the client's processor, `/op` feeding a second
 * one — and the log of everything they received, in arrival order per listener.
 */
class Recorder private constructor(val processor: EventProcessor, val opProcessor: EventProcessor,
                                   val events: CallbackListener, val op: CallbackListener) : AutoCloseable {
    val log = mutableListOf<Delivered>()
    val callbackUrl get() = events.url("/events")
    val operationCallbackUrl get() = op.url("/op")
    val eventGridUrl get() = events.url("/eventgrid")

    companion object {
        suspend fun start(processor: EventProcessor): Recorder {
            val opProcessor = EventProcessor()
            return Recorder(processor, opProcessor, startCallbackListener(processor, 0u), startCallbackListener(opProcessor, 0u))
        }
    }

    /** Moves every event the processors hold into the log. */
    suspend fun drain() {
        for ((path, proc) in listOf("/events" to processor, "/op" to opProcessor)) {
            while (true) {
                val event = try { proc.waitForEvent(EventFilter(), 0L) } catch (e: CallAutomationException.Timeout) { break }
                log += Delivered(path, event, event.eventType(), event.callConnectionId(), parseJson(event.dataJson()))
            }
        }
    }

    /** The index of the first logged event at or after [from] that passes [matches]. */
    suspend fun waitFor(from: Int, timeoutMs: Long = 10_000, matches: (Delivered) -> Boolean): Int? {
        val deadline = System.currentTimeMillis() + timeoutMs
        while (true) {
            drain()
            for (i in from until log.size) if (matches(log[i])) return i
            if (System.currentTimeMillis() >= deadline) return null
            delay(20)
        }
    }

    /** Frees the listeners (they stop in the background). */
    override fun close() {
        events.close()
        op.close()
    }
}

/** [fields] ⊆ [actual]: every key given is present with an equal value, recursively. */
fun subset(fields: Any?, actual: Any?): Boolean = when {
    fields is JSONObject && actual is JSONObject -> fields.keySet().all { actual.has(it) && subset(fields.get(it), actual.get(it)) }
    fields is JSONArray && actual is JSONArray -> fields.length() == actual.length() && (0 until fields.length()).all { subset(fields.get(it), actual.get(it)) }
    fields is Number && actual is Number -> fields.toDouble() == actual.toDouble()
    else -> fields == actual
}
