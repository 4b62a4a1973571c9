"""Teams at api-version 2026-03-12: Teams Phone extension users, Teams Phone call details on add
and transfer (sync and aio, ours and the official SDK's detail objects), the details and
onBehalfOfCallee of an IncomingCall, and the sip / q850 details of a result."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import callsteer
import callsteer.aio
import pytest
from conftest import App

official = pytest.importorskip("azure.communication.callautomation")
# The official package parses raw ids in its shared models (not re-exported at the top).
official_models = pytest.importorskip("azure.communication.callautomation._shared.models")

RAW_IDS = [
    "8:acs:r_t_u",
    "8:dod-acs:r_t_u",
    "8:gcch-acs:r_t_u",
    "8:acs:resource_user",
    "8:acs:a_b_c_d",
    "8:spool:r_t_u",
    "8:orgid:u1",
    "28:orgid:app-1",
    "4:+16045550100",
]


@pytest.mark.parametrize("raw_id", RAW_IDS)
def test_raw_ids_parse_as_the_official_sdk_parses_them(raw_id: str) -> None:
    ours = callsteer.identifier_from_raw_id(raw_id)
    theirs = official_models.identifier_from_raw_id(raw_id)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.kind == theirs.kind
    assert ours.raw_id == theirs.raw_id
    assert ours == theirs
    mine = dict(ours.properties)
    theirs_props = dict(theirs.properties)
    if "cloud" in theirs_props:
        mine_cloud, their_cloud = mine.pop("cloud"), theirs_props.pop("cloud")
        assert str(getattr(mine_cloud, "value", mine_cloud)).upper() == str(
            getattr(their_cloud, "value", their_cloud)
        )
    if type(theirs).__name__ == "PhoneNumberIdentifier":
        # The official SDK adds its own bookkeeping keys for phone numbers.
        theirs_props = {"value": theirs_props["value"]}
    assert mine == theirs_props


def test_extension_user_identifier_builds_its_raw_id_per_cloud() -> None:
    user = callsteer.TeamsExtensionUserIdentifier(
        user_id="u", tenant_id="t", resource_id="r", cloud="gcch"
    )
    assert user.raw_id == "8:gcch-acs:r_t_u"
    assert user.kind == callsteer.CommunicationIdentifierKind.TEAMS_EXTENSION_USER
    assert user == official.TeamsExtensionUserIdentifier(
        user_id="u",
        tenant_id="t",
        resource_id="r",
        cloud=official.CommunicationCloudEnvironment.GCCH,
    )
    with pytest.raises(TypeError):
        callsteer.TeamsExtensionUserIdentifier("u", "t", "r")  # type: ignore[misc]


def connected(app: App) -> callsteer.CallConnectionClient:
    created = app.client.create_call(
        callsteer.CommunicationUserIdentifier("8:acs:r_ivr"), app.callback_uri
    )
    assert created.wait_for_event_processor(timeout=10).succeeded
    return app.client.get_call_connection(created.call_connection_id)


def test_an_extension_user_joins_and_comes_back_typed(app: App) -> None:
    conn = connected(app)
    user = callsteer.TeamsExtensionUserIdentifier(user_id="u", tenant_id="t", resource_id="r")
    added = conn.add_participant(user, operation_context="ext")
    outcome = added.wait_for_event_processor(timeout=10)
    assert outcome.succeeded
    assert isinstance(outcome.event.participant, callsteer.TeamsExtensionUserIdentifier)
    assert outcome.event.participant == user
    assert outcome.event.participant.properties["tenant_id"] == "t"
    assert user in [p.identifier for p in conn.list_participants()]


def details(sdk: Any) -> Any:
    """The same Teams Phone call details built from `sdk` (callsteer or the official package)."""
    return sdk.TeamsPhoneCallDetails(
        teams_phone_caller=sdk.TeamsPhoneCallerDetails(
            caller=sdk.PhoneNumberIdentifier("+16045550100"),
            name="Ada",
            phone_number="+16045550100",
            is_authenticated=True,
            additional_caller_information={"tier": "gold"},
        ),
        teams_phone_source=sdk.TeamsPhoneSourceDetails(
            source=sdk.MicrosoftTeamsAppIdentifier("app-1"),
            language="en-US",
            status="active",
            intended_targets={"agent": sdk.MicrosoftTeamsUserIdentifier("u2")},
        ),
        call_topic="Billing question",
    )


@pytest.mark.parametrize("sdk", [callsteer, official], ids=["ours", "official-objects"])
def test_teams_phone_call_details_go_with_add_and_transfer(app: App, sdk: Any) -> None:
    agent = callsteer.MicrosoftTeamsUserIdentifier("u1")
    added = connected(app).add_participant(agent, teams_phone_call_details=details(sdk))
    assert added.wait_for_event_processor(timeout=10).succeeded
    # A 1:1 call (the caller alone with us) transfers without a transferee.
    transferred = connected(app).transfer_call_to_participant(
        callsteer.MicrosoftTeamsUserIdentifier("u3"),
        teams_phone_call_details=details(sdk),
        operation_context="tr-teams",
    )
    assert transferred.wait_for_event_processor(timeout=10).succeeded


def test_teams_phone_call_details_limits_name_the_python_field(app: App) -> None:
    conn = app.client.get_call_connection("any")
    agent = callsteer.MicrosoftTeamsUserIdentifier("u1")
    long_topic = details(callsteer)
    long_topic.call_topic = "x" * 49
    with pytest.raises(callsteer.InvalidArgumentError) as err:
        conn.add_participant(agent, teams_phone_call_details=long_topic)
    assert err.value.field == "teams_phone_call_details.call_topic"
    crowded = details(callsteer)
    crowded.teams_phone_caller.additional_caller_information = {f"k{i}": "v" for i in range(11)}
    with pytest.raises(callsteer.InvalidArgumentError) as err:
        conn.transfer_call_to_participant(agent, teams_phone_call_details=crowded)
    assert err.value.field == (
        "teams_phone_call_details.teams_phone_caller.additional_caller_information"
    )
    nameless = details(callsteer)
    nameless.teams_phone_caller.name = ""
    with pytest.raises(callsteer.InvalidArgumentError) as err:
        conn.add_participant(agent, teams_phone_call_details=nameless)
    assert err.value.field == "teams_phone_call_details.teams_phone_caller.name"
    old = callsteer.CallAutomationClient.from_connection_string(
        app.emulator.connection_string, api_version="2025-05-15"
    )
    with pytest.raises(callsteer.InvalidArgumentError, match="2026-03-12") as err:
        old.get_call_connection("any").add_participant(
            agent, teams_phone_call_details=details(callsteer)
        )
    assert err.value.field == "teams_phone_call_details"
    requests = app.emulator.admin("GET", "/emulator/requests")["value"]
    assert not any(r["operation"].startswith("AddParticipant") for r in requests), requests


def test_aio_sends_teams_phone_call_details(app: App) -> None:
    conn_sync = connected(app)

    async def run() -> Any:
        async with callsteer.aio.CallAutomationClient.from_connection_string(
            app.emulator.connection_string
        ) as client:
            app.receiver.processor = client.event_processor
            conn = client.get_call_connection(conn_sync.call_connection_id)
            added = await conn.add_participant(
                callsteer.MicrosoftTeamsUserIdentifier("u1"),
                teams_phone_call_details=details(callsteer),
            )
            return await added.wait_for_event_processor(timeout=10)

    assert asyncio.run(run()).succeeded


def test_an_incoming_call_carries_its_teams_phone_call_details(app: App) -> None:
    custom = {
        "voipHeaders": {"k": "v"},
        "teamsPhoneCallDetails": {
            "teamsPhoneCallerDetails": {
                "caller": {"rawId": "4:+16045550100", "phoneNumber": {"value": "+16045550100"}},
                "name": "Ada",
                "phoneNumber": "+16045550100",
                "additionalCallerInformation": {"tier": "gold"},
            },
            "teamsPhoneSourceDetails": {
                "source": {"rawId": "28:orgid:app-1"},
                "language": "en-US",
                "status": "active",
            },
            "callTopic": "Billing question",
        },
    }
    app.emulator.admin("POST", "/emulator/phone-numbers", {"phoneNumber": "+16044561234"})
    app.emulator.admin(
        "POST",
        "/emulator/incoming-calls",
        {"from": "4:+16045550100", "to": "4:+16044561234", "customContext": custom},
    )
    event = app.client.event_processor.wait_for_event("IncomingCall", timeout=10)
    assert isinstance(event, callsteer.IncomingCall)
    context = event.custom_context
    assert context is not None
    assert context["voip_headers"] == {"k": "v"}
    got = context["teams_phone_call_details"]
    assert isinstance(got, callsteer.TeamsPhoneCallDetails)
    assert got.call_topic == "Billing question"
    assert got.teams_phone_caller.caller == callsteer.PhoneNumberIdentifier("+16045550100")
    assert got.teams_phone_caller.additional_caller_information == {"tier": "gold"}
    assert got.teams_phone_source.source == callsteer.MicrosoftTeamsAppIdentifier("app-1")
    # The details can be passed on as they came.
    conn = connected(app)
    added = conn.add_participant(
        callsteer.MicrosoftTeamsUserIdentifier("u1"), teams_phone_call_details=got
    )
    assert added.wait_for_event_processor(timeout=10).succeeded


def test_sip_and_q850_details_of_a_result() -> None:
    body = json.dumps(
        [
            {
                "id": "e1",
                "source": "calling/callConnections/c1",
                "type": "Microsoft.Communication.AddParticipantFailed",
                "specversion": "1.0",
                "data": {
                    "callConnectionId": "c1",
                    "resultInformation": {
                        "code": 486,
                        "subCode": 0,
                        "message": "busy",
                        "sipDetails": {"code": 486, "message": "Busy Here"},
                        "q850Details": {"code": 17, "message": "User busy"},
                    },
                },
            }
        ]
    )
    (event,) = callsteer.parse_events(body)
    info = event.result_information
    assert isinstance(info.sip_details, callsteer.SipDiagnosticInfo)
    assert (info.sip_details.code, info.sip_details.message) == (486, "Busy Here")
    assert (info.q850_details.code, info.q850_details.message) == (17, "User busy")
    assert "Busy Here" in repr(info)
