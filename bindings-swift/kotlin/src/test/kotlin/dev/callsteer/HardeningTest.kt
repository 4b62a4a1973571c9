// Hardening of the binding: callback JWT verification against the emulator's test tokens, the
// access key never showing (toString, errors, the most verbose log), and Rust panics arriving as
// ordinary Kotlin exceptions.
package dev.callsteer

import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import kotlin.time.Duration.Companion.seconds

const val TEST_AUDIENCE = "11111111-2222-3333-4444-555555555555"
const val CALL_CONNECTED_BODY = """[{"id":"evt-1","source":"calling/callConnections/call-1",""" +
    """"type":"Microsoft.Communication.CallConnected","specversion":"1.0","time":"2026-01-01T00:00:00Z",""" +
    """"data":{"callConnectionId":"call-1","serverCallId":"server-1","correlationId":"corr-1","operationContext":"ctx-1"}}]"""

/** base64 of "secret-key-do-not-show". */
const val FOREIGN_KEY = "c2VjcmV0LWtleS1kby1ub3Qtc2hvdw=="

/** Each bad test token and what its refusal must say. */
val BAD_TOKENS = listOf(
    "forgedSignature" to "signature is invalid",
    "expired" to "expired",
    "wrongAudience" to "audience",
    "wrongIssuer" to "issuer",
    "algNone" to "not RS256",
    "hs256PublicKey" to "not RS256",
    "unknownKid" to "kid",
)

fun shown(value: Any?): String = buildString {
    append(value.toString())
    if (value is Throwable) {
        append('\n').append(value.message).append('\n').append(value.stackTraceToString())
    }
}

fun assertHidden(text: String, vararg keys: String) {
    for (key in keys) {
        assertFalse(text.contains(key.trimEnd('=')), "the key shows in: ${text.take(400)}")
    }
}

class HardeningTest {
    lateinit var emulator: Emulator
    lateinit var issuer: String
    lateinit var jwksUrl: String
    lateinit var tokens: JSONObject
    private val http = HttpClient.newHttpClient()

    @BeforeEach
    fun start() {
        emulator = Emulator()
    }

    @AfterEach
    fun stop() {
        emulator.stop()
    }

    private val accessKey: String
        get() = emulator.connectionString.split(";").first { it.startsWith("accesskey=") }.removePrefix("accesskey=")

    private fun loadTokens() {
        val answer = emulator.admin("POST", "/emulator/test-tokens", mapOf("audience" to TEST_AUDIENCE)) as JSONObject
        assertEquals(TEST_AUDIENCE, answer.getString("audience"))
        issuer = answer.getString("issuer")
        jwksUrl = answer.getString("jwksUrl")
        tokens = answer.getJSONObject("tokens")
    }

    private fun verifier() = CallbackVerifier(TEST_AUDIENCE, issuer = issuer, jwksUrl = jwksUrl)

    private fun post(url: String, authorization: String?): Int {
        val builder = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(CALL_CONNECTED_BODY))
        if (authorization != null) builder.header("Authorization", authorization)
        return http.send(builder.build(), HttpResponse.BodyHandlers.discarding()).statusCode()
    }

    // ---- callback verification

    @Test
    fun `the verifier keeps its options, with the service's defaults`() {
        loadTokens()
        verifier().use { v -> assertEquals(listOf(TEST_AUDIENCE, issuer, jwksUrl), listOf(v.audience(), v.issuer(), v.jwksUrl())) }
        CallbackVerifier(TEST_AUDIENCE).use { plain ->
            assertEquals("https://acscallautomation.communication.azure.com", plain.issuer())
            assertEquals(plain.issuer() + "/calling/keys", plain.jwksUrl())
        }
        CallbackVerifier(TEST_AUDIENCE, issuer = "https://x.test").use { assertEquals("https://x.test/calling/keys", it.jwksUrl()) }
        val empty = assertThrows<CallAutomationException.InvalidArgument> { CallbackVerifier("") }
        assertEquals("audience", empty.field)
    }

    @Test
    fun `the valid token is accepted and the body parsed into typed events`() = runBlocking {
        loadTokens()
        val events = verifier().use { it.verifyAndParse("Bearer " + tokens.getString("valid"), CALL_CONNECTED_BODY) }
        assertEquals(1, events.size)
        val event = events[0] as CallAutomationEvent.CallConnected
        assertEquals("call-1", event.data.callConnectionId)
        assertEquals("ctx-1", event.data.operationContext)
    }

    @Test
    fun `every bad token is refused saying why`() {
        loadTokens()
        verifier().use { v ->
            for ((name, why) in BAD_TOKENS) {
                val token = tokens.getString(name)
                val e = assertThrows<CallAutomationException.Auth>(name) {
                    runBlocking { v.verifyAndParse("Bearer $token", CALL_CONNECTED_BODY) }
                }
                assertTrue(e.errorMessage.contains(why), "$name: ${e.errorMessage}")
                assertFalse(shown(e).contains(token))
            }
        }
    }

    @Test
    fun `a missing or malformed Authorization header is refused`() {
        loadTokens()
        verifier().use { v ->
            for ((header, why) in listOf(null to "missing Authorization header", "" to "not a Bearer token",
                "Basic dXNlcjpwdw==" to "not a Bearer token", "Bearer not-a-jwt" to "not a JWS")) {
                val e = assertThrows<CallAutomationException.Auth> { runBlocking { v.verifyAndParse(header, CALL_CONNECTED_BODY) } }
                assertTrue(e.errorMessage.contains(why), e.errorMessage)
            }
            assertThrows<CallAutomationException.EventParse> {
                runBlocking { v.verifyAndParse("Bearer " + tokens.getString("valid"), "{not json") }
            }
        }
    }

    @Test
    fun `a listener with a verifier refuses bad tokens`() = runBlocking {
        loadTokens()
        EventProcessor().use { processor ->
            val listener = startCallbackListener(processor, 0u, verifier = verifier())
            val url = listener.url("/events")
            assertEquals(401, post(url, null))
            for ((name, _) in BAD_TOKENS) assertEquals(401, post(url, "Bearer " + tokens.getString(name)), name)
            assertEquals(200, post(url, "Bearer " + tokens.getString("valid")))
            assertEquals("call-1", processor.waitForEvent(EventFilter(eventType = "CallConnected"), 5.seconds).callConnectionId())
            listener.shutdown()
            listener.close()
        }
    }

    // ---- secrets

    @Test
    fun `toString of clients, connections, results and records never shows the key`() = runBlocking {
        val key = accessKey
        val client = CallAutomationClient(emulator.connectionString)
        val keyed = CallAutomationClient(emulator.baseUrl + "/", key)
        val created = client.createCall(CallInvite(communicationUserIdentifier("8:acs:res_alice")), "https://app.example/events")
        val connection = created.callConnection()
        for (value in listOf(client, keyed, created, connection, created.callConnectionProperties(),
            connection.getCallProperties(), client.eventProcessor())) {
            assertHidden(shown(value), key)
        }
        client.close()
        keyed.close()
    }

    @Test
    fun `errors about a bad connection string redact the key`() {
        for (bad in listOf("endpoint=not a url;accesskey=$FOREIGN_KEY", "accesskey=$FOREIGN_KEY",
            "endpoint=http://127.0.0.1:9/;accesskey=$FOREIGN_KEY!!", "endpoint=http://127.0.0.1:9/;$FOREIGN_KEY",
            "garbage;$FOREIGN_KEY")) {
            val e = assertThrows<CallAutomationException> { CallAutomationClient(bad) }
            assertHidden(shown(e), FOREIGN_KEY)
        }
    }

    @Test
    fun `service and transport errors never show the key`() {
        val invite = CallInvite(communicationUserIdentifier("8:acs:res_alice"))
        val wrong = CallAutomationClient(emulator.baseUrl + "/", FOREIGN_KEY)
        val refused = assertThrows<CallAutomationException.Service> {
            runBlocking { wrong.createCall(invite, "https://app.example/events") }
        }
        assertEquals(401, refused.status.toInt())
        assertHidden(shown(refused), FOREIGN_KEY)
        val unreachable = CallAutomationClient("http://127.0.0.1:9/", FOREIGN_KEY)
        val transport = assertThrows<CallAutomationException.Transport> {
            runBlocking { unreachable.createCall(invite, "https://app.example/events") }
        }
        assertHidden(shown(transport), FOREIGN_KEY)
    }

    /** scripts/test-kotlin.sh runs the suite with CALLSTEER_LOG=trace and CALLSTEER_LOG_FILE set. */
    @Test
    fun `the most verbose log never shows the key`() = runBlocking {
        val path = System.getenv("CALLSTEER_LOG_FILE")
        assumeTrue(!path.isNullOrEmpty() && System.getenv("CALLSTEER_LOG") == "trace",
            "run through scripts/test-kotlin.sh (CALLSTEER_LOG=trace, CALLSTEER_LOG_FILE)")
        val invite = CallInvite(communicationUserIdentifier("8:acs:res_alice"))
        val client = CallAutomationClient(emulator.connectionString)
        val created = client.createCall(invite, "https://app.example/events")
        created.callConnection().listParticipants()
        created.callConnection().hangUp(true)
        runCatching { CallAutomationClient(emulator.baseUrl + "/", FOREIGN_KEY).createCall(invite, "https://app.example/events") }
        runCatching { CallAutomationClient("endpoint=nope;accesskey=$FOREIGN_KEY") }
        val log = File(path!!).readText()
        assertTrue(log.contains("callsteer::http"), "the log has no request line")
        assertTrue(log.contains("status=401"), "the log has no refused request")
        assertHidden(log, accessKey, FOREIGN_KEY)
    }

    // ---- panics

    @Test
    fun `a panic in a sync call is an ordinary exception`() {
        val e = assertThrows<InternalException> { debugPanicForTest() }
        assertTrue(e.message!!.contains("panic requested"), e.message)
    }

    @Test
    fun `a panic in a runtime task is an ordinary exception`() {
        repeat(2) {
            val e = assertThrows<InternalException> { runBlocking { debugPanicInTaskForTest() } }
            assertTrue(e.message!!.contains("panic requested"), e.message)
        }
        assertEquals("CallConnected", parseEvents(CALL_CONNECTED_BODY).first().eventType())
    }
}
