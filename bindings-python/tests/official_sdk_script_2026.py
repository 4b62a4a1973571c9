"""A script written for azure-communication-callautomation 1.6 at api-version 2026-03-12: move
a caller from an IVR call into an agent's call, then invite a Teams Phone extension user with
Teams Phone call details and stream the agent call's audio. test_dropin.py runs it unchanged on
the official SDK and with only its import line pointed at callsteer, against the emulator."""

import os
import time

from azure.communication.callautomation import (
    CallAutomationClient,
    CommunicationUserIdentifier,
    MediaStreamingOptions,
    MicrosoftTeamsAppIdentifier,
    PhoneNumberIdentifier,
    TeamsExtensionUserIdentifier,
    TeamsPhoneCallDetails,
    TeamsPhoneCallerDetails,
    TeamsPhoneSourceDetails,
)

connection_string = os.environ["ACS_CONNECTION_STRING"]
callback_url = os.environ["CALLBACK_URL"]


def wait_until(check, what):
    deadline = time.monotonic() + 10
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def participant_ids(call):
    return sorted(p.identifier.raw_id for p in call.list_participants())


def connected(call):
    return call.get_call_properties().call_connection_state == "connected"


client = CallAutomationClient.from_connection_string(connection_string)
caller = CommunicationUserIdentifier("8:acs:res_caller")
agent = CommunicationUserIdentifier("8:acs:res_agent")

ivr_props = client.create_call(caller, callback_url, operation_context="ivr")
streaming = MediaStreamingOptions(
    transport_url="wss://media.example/stream",
    transport_type="websocket",
    content_type="audio",
    audio_channel_type="mixed",
    start_media_streaming=True,
)
agent_props = client.create_call(agent, callback_url, media_streaming=streaming)
print("streaming", agent_props.media_streaming_subscription.state)
ivr = client.get_call_connection(ivr_props.call_connection_id)
desk = client.get_call_connection(agent_props.call_connection_id)
wait_until(lambda: connected(ivr) and connected(desk), "both calls connected")

moved = desk.move_participants([caller], ivr_props.call_connection_id, operation_context="to-agent")
print("moved from", moved.from_call == ivr_props.call_connection_id)
wait_until(lambda: participant_ids(desk) == ["8:acs:res_agent", "8:acs:res_caller"], "moved")

extension = TeamsExtensionUserIdentifier(user_id="u", tenant_id="t", resource_id="r")
details = TeamsPhoneCallDetails(
    teams_phone_caller=TeamsPhoneCallerDetails(
        caller=PhoneNumberIdentifier("+16045550100"), name="Ada", phone_number="+16045550100"
    ),
    teams_phone_source=TeamsPhoneSourceDetails(
        source=MicrosoftTeamsAppIdentifier("app-1"), language="en-US", status="active"
    ),
    call_topic="Billing question",
)
# The official SDK 1.6.0 sends teams_phone_call_details only alongside SIP or VoIP headers.
added = desk.add_participant(
    extension, voip_headers={"k": "v"}, teams_phone_call_details=details, operation_context="ext"
)
print("invited", added.participant.identifier.raw_id if added.participant else None)
wait_until(lambda: "8:acs:r_t_u" in participant_ids(desk), "the extension user joined")

desk.hang_up(is_for_everyone=True)
print("DONE")
