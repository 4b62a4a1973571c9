// Idiomatic Kotlin use of the binding against a real emulator: the guide's flows through
// `waitForEventProcessor`, error mapping, and coroutine cancellation.
package dev.callsteer

import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.*
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.util.Base64

class CallSteerTest {
    lateinit var emulator: Emulator
    lateinit var client: CallAutomationClient
    lateinit var recorder: Recorder

    @BeforeEach
    fun start() = runBlocking {
        emulator = Emulator()
        client = CallAutomationClient(emulator.connectionString)
        recorder = Recorder.start(client.eventProcessor())
    }

    @AfterEach
    fun stop() {
        emulator.stop()
        recorder.close()
        client.close()
    }

    private suspend fun connectedCall(target: String = "8:acs:res_alice"): CallConnection {
        val created = client.createCall(CallInvite(identifierFromRawId(target)), recorder.callbackUrl)
        assertTrue(created.waitForEventProcessor(10.seconds).succeeded)
        return created.callConnection()
    }

    @Test
    fun `create a call to a number with caller id and await CallConnected`() = runBlocking {
        val invite = CallInvite(phoneNumberIdentifier("+16041234567"), sourceCallerIdNumber = RESOURCE_PHONE_NUMBER)
        val created = client.createCall(invite, recorder.callbackUrl, CreateCallOptions(operationContext = "pstn"))
        val properties = created.callConnectionProperties()
        assertEquals(CallConnectionState.Connecting, properties.callConnectionState)
        val outcome = created.waitForEventProcessor(10_000L)
        assertTrue(outcome.succeeded)
        val event = outcome.event as CallAutomationEvent.CallConnected
        assertEquals(properties.callConnectionId, event.data.callConnectionId)
        assertEquals("pstn", event.data.operationContext)
    }

    @Test
    fun `a declined invitation gives AddParticipantFailed with result information`() = runBlocking {
        emulator.setTarget("8:acs:res_bob", mapOf("behavior" to "decline"))
        val call = connectedCall()
        val added = call.addParticipant(CallInvite(communicationUserIdentifier("8:acs:res_bob")),
            AddParticipantOptions(invitationTimeoutInSeconds = 30u, operationContext = "add-bob"))
        assertNotNull(added.invitationId())
        val outcome = added.waitForEventProcessor(10.seconds)
        assertFalse(outcome.succeeded)
        val failed = outcome.event as CallAutomationEvent.AddParticipantFailed
        assertEquals("8:acs:res_bob", failed.data.participant?.rawId())
        assertEquals(603, failed.data.resultInformation?.code)
        assertTrue(outcome.event.isFailure())
    }

    @Test
    fun `transfer with custom headers`() = runBlocking {
        val call = connectedCall()
        assertEquals(mapOf("X-MS-Custom-header" to "x"), CustomCallingContext().withSipX("header", "x", null).sipHeaders)
        val context = CustomCallingContext().withVoip("customVoipHeader", "v1")
        val transfer = call.transferCallToParticipant(communicationUserIdentifier("8:acs:res_carol"),
            TransferCallToParticipantOptions(operationContext = "move", customCallingContext = context))
        assertEquals("move", transfer.operationContext())
        val outcome = transfer.waitForEventProcessor(10.seconds)
        assertTrue(outcome.succeeded)
        assertEquals("8:acs:res_carol", (outcome.event as CallAutomationEvent.CallTransferAccepted).data.transferTarget?.rawId())
    }

    @Test
    fun `move participants brings the caller into this call`() = runBlocking {
        val ivr = connectedCall("8:acs:res_caller")
        val agent = connectedCall("8:acs:res_agent")
        val moved = agent.moveParticipants(listOf(communicationUserIdentifier("8:acs:res_caller")),
            ivr.callConnectionId(), MoveParticipantsOptions(operationContext = "to-agent"))
        assertEquals(ivr.callConnectionId(), moved.fromCall())
        assertEquals(listOf("8:acs:res_agent"), moved.participants().map { it.identifier.rawId() })
        val outcome = moved.waitForEventProcessor(10.seconds)
        assertTrue(outcome.succeeded)
        val event = outcome.event as CallAutomationEvent.MoveParticipantSucceeded
        assertEquals(ivr.callConnectionId(), event.data.fromCall)
        assertEquals("8:acs:res_caller", event.data.participant?.rawId())
        assertEquals(listOf("8:acs:res_agent", "8:acs:res_caller"), agent.listParticipants().map { it.identifier.rawId() }.sorted())
        val stranger = agent.moveParticipants(listOf(communicationUserIdentifier("8:acs:res_nobody")), ivr.callConnectionId())
        val failed = stranger.waitForEventProcessor(10.seconds)
        assertFalse(failed.succeeded)
        assertTrue(failed.event is CallAutomationEvent.MoveParticipantFailed)
    }

    @Test
    fun `streaming options are reported as subscriptions`() = runBlocking {
        val media = MediaStreamingOptions("websocket", "mixed", transportUrl = "wss://media.example/stream", startMediaStreaming = true)
        val created = client.createCall(CallInvite(communicationUserIdentifier("8:acs:res_alice")), recorder.callbackUrl,
            CreateCallOptions(mediaStreaming = media))
        assertEquals("active", created.callConnectionProperties().mediaStreamingSubscription?.state)
        assertNull(created.callConnectionProperties().transcriptionSubscription)
        val refused = assertThrows<CallAutomationException.InvalidArgument> {
            runBlocking {
                client.createCall(CallInvite(communicationUserIdentifier("8:acs:res_alice")), recorder.callbackUrl,
                    CreateCallOptions(mediaStreaming = MediaStreamingOptions("websocket", "stereo")))
            }
        }
        assertEquals("mediaStreaming.audioChannelType", refused.field)
    }

    @Test
    fun `a Teams extension user joins with Teams Phone call details`() = runBlocking {
        val user = identifierFromRawId("8:acs:r_t_u")
        val extension = user as CommunicationIdentifier.TeamsExtensionUser
        assertEquals(listOf("u", "t", "r"), listOf(extension.userId, extension.tenantId, extension.resourceId))
        assertEquals("teamsExtensionUser", user.kind())
        val details = TeamsPhoneCallDetails(
            teamsPhoneCaller = TeamsPhoneCallerDetails(phoneNumberIdentifier("+16045550100"), "Ada", "+16045550100"),
            teamsPhoneSource = TeamsPhoneSourceDetails(identifierFromRawId("28:orgid:app-1"), "en-US", "active"),
            callTopic = "Billing question")
        val call = connectedCall()
        val added = call.addParticipant(CallInvite(user, customCallingContext = CustomCallingContext(teamsPhoneCallDetails = details)))
        val outcome = added.waitForEventProcessor(10.seconds)
        assertTrue(outcome.succeeded)
        assertEquals(user, (outcome.event as CallAutomationEvent.AddParticipantSucceeded).data.participant)
        val tooLong = details.copy(callTopic = "x".repeat(49))
        val refused = assertThrows<CallAutomationException.InvalidArgument> {
            runBlocking { call.addParticipant(CallInvite(user, customCallingContext = CustomCallingContext(teamsPhoneCallDetails = tooLong))) }
        }
        assertEquals("customCallingContext.teamsPhoneCallDetails.callTopic", refused.field)
        val body = """[{"id":"f1","source":"calling/callConnections/c1","type":"Microsoft.Communication.AddParticipantFailed","specversion":"1.0","data":{"callConnectionId":"c1","resultInformation":{"code":486,"subCode":0,"message":"busy","sipDetails":{"code":486,"message":"Busy Here"},"q850Details":{"code":17,"message":"User busy"}}}}]"""
        val failed = parseEvents(body)[0] as CallAutomationEvent.AddParticipantFailed
        assertEquals(SipDiagnosticInfo(486, "Busy Here"), failed.data.resultInformation?.sipDetails)
        assertEquals(17, failed.data.resultInformation?.q850Details?.code)
    }

    @Test
    fun `hang up for everyone ends the call`() = runBlocking {
        val call = connectedCall()
        call.hangUp(true)
        val event = client.eventProcessor().waitForEvent(EventFilter(call.callConnectionId(), "CallDisconnected"), 10.seconds)
        assertEquals(call.callConnectionId(), event.callConnectionId())
        val gone = assertThrows<CallAutomationException.Service> { runBlocking { call.getCallProperties() } }
        assertEquals(404, gone.status.toInt())
    }

    @Test
    fun `bad input throws the error naming the field`() = runBlocking {
        val e = assertThrows<CallAutomationException.InvalidArgument> {
            runBlocking { client.createCall(CallInvite(phoneNumberIdentifier("+16041234567")), recorder.callbackUrl) }
        }
        assertEquals("sourceCallerIdNumber", e.field)
        assertTrue(e.errorMessage.isNotEmpty())
        val timeout = assertThrows<CallAutomationException.InvalidArgument> {
            runBlocking {
                client.getCallConnection("any").addParticipant(CallInvite(communicationUserIdentifier("8:acs:x")),
                    AddParticipantOptions(invitationTimeoutInSeconds = 500u))
            }
        }
        assertEquals("invitationTimeoutInSeconds", timeout.field)
        assertThrows<CallAutomationException> { CallAutomationClient("not a connection string") }
        Unit
    }

    @Test
    fun `a wrong key throws the service's authentication error`() = runBlocking {
        val wrong = CallAutomationClient(emulator.baseUrl + "/", Base64.getEncoder().encodeToString("wrong-key".toByteArray()))
        val e = assertThrows<CallAutomationException.Service> {
            runBlocking { wrong.createCall(CallInvite(communicationUserIdentifier("8:acs:res_alice")), recorder.callbackUrl) }
        }
        assertEquals(401, e.status.toInt())
        assertTrue(e.code.isNotEmpty())
    }

    @Test
    fun `cancelling the coroutine returns promptly and leaks no waiter`() = runBlocking {
        val created = client.createCall(CallInvite(communicationUserIdentifier("8:acs:res_alice")), "http://127.0.0.1:9/nobody-listens")
        val processor = client.eventProcessor()
        val waiting = async { created.waitForEventProcessor(60.seconds) }
        delay(200)
        assertEquals(1uL, processor.stats().waiters)
        val started = System.nanoTime()
        waiting.cancel()
        assertThrows<CancellationException> { runBlocking { waiting.await() } }
        assertTrue(System.nanoTime() - started < 2_000_000_000L, "cancellation took too long")
        // The Rust future was dropped and its task aborted: the waiter is gone.
        withTimeout(2_000) { while (processor.stats().waiters != 0uL) delay(10) }
        assertEquals(0uL, processor.stats().waiters)
    }

    @Test
    fun `identifiers, events and parsing`() {
        val phone = identifierFromRawId("4:+16041234567")
        assertEquals("+16041234567", (phone as CommunicationIdentifier.PhoneNumber).phoneNumber)
        assertEquals("phoneNumber", phone.kind())
        val body = """[{"id":"e1","type":"Microsoft.Communication.CallConnected","data":{"callConnectionId":"c1"},"specversion":"1.0"},""" +
            """{"id":"e2","type":"Microsoft.Communication.PlayCompleted","data":{"callConnectionId":"c1"},"specversion":"1.0"}]"""
        val events = parseEvents(body)
        assertEquals(listOf("CallConnected", "PlayCompleted"), events.map { it.eventType() })
        assertEquals("PlayCompleted", (events[1] as CallAutomationEvent.Unknown).eventType)
        assertThrows<CallAutomationException.EventParse> { parseEvents("{not json") }
        // One malformed event does not lose its batch-mates; it arrives as Unknown with parseError.
        val mixed = """[{"id":"m1","type":"Microsoft.Communication.CallConnected","data":{"callConnectionId":"c1"}},""" +
            """{"id":"m2","type":"Microsoft.Communication.CallConnected","data":{"callConnectionId":"c1","resultInformation":{"code":"x"}}}]"""
        EventProcessor().use { p ->
            val delivered = p.processEvents(mixed)
            assertEquals(listOf("CallConnected", "CallConnected"), delivered.map { it.eventType() })
            assertEquals("[1].data.resultInformation.code", delivered[1].parseError()?.path)
        }
        // Data that is not JSON keeps its text (it used to become null).
        val raw = CallAutomationEvent.Unknown(EventMeta("u1", null, null, null), "PlayCompleted", "Microsoft.Communication.PlayCompleted", "{not json", null)
        assertEquals("{not json", raw.dataJson())
        EventProcessor().use { p ->
            assertEquals(2, p.processEvents(body).size)
            assertEquals(0, p.processEvents(body).size)
        }
    }
}
