"""A script written for azure-communication-callautomation: create a call, add and remove a
participant, hang up. test_dropin.py runs it unchanged, once as is and once with only its
import line pointed at callsteer."""

import os
import time

from azure.communication.callautomation import CallAutomationClient, CommunicationUserIdentifier

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


client = CallAutomationClient.from_connection_string(connection_string)
alice = CommunicationUserIdentifier("8:acs:res_alice")
bob = CommunicationUserIdentifier("8:acs:res_bob")

properties = client.create_call(alice, callback_url, operation_context="dropin")
call = client.get_call_connection(properties.call_connection_id)
wait_until(lambda: call.get_call_properties().call_connection_state == "connected", "connected")

added = call.add_participant(bob, operation_context="add-bob")
print("invitation", added.invitation_id)
wait_until(lambda: participant_ids(call) == ["8:acs:res_alice", "8:acs:res_bob"], "bob joined")

removed = call.remove_participant(bob, operation_context="remove-bob")
print("removed", removed.operation_context)
wait_until(lambda: participant_ids(call) == ["8:acs:res_alice"], "bob left")

call.hang_up(is_for_everyone=True)
print("DONE", properties.call_connection_id)
