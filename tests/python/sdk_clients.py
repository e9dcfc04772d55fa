"""The official Python MCP SDK (clients written by others) against the real server binary.

Proves that both of the SDK's clients work end to end: the classic ``ClientSession``
(``initialize`` handshake, 2025-11-25: the server sends sampling requests) and the high-level
``Client`` (negotiates 2026-07-28 by default: the server answers ``input_required`` and the SDK
fulfils the sampling and retries). Run by ``cargo xtask test`` with LLMGEN_SERVER_BIN set.
"""

import asyncio
import json
import os
import sys
import tempfile
import traceback
import warnings

import mcp_types as types
from mcp.client.client import Client
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

BIN = os.environ["LLMGEN_SERVER_BIN"]
ASKED: list = []


async def sampler(context, params):
    """A client-side 'model': records what it was asked and answers with canned text."""
    ASKED.append(params)
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text="Python says hi"),
        model="py-model",
        stop_reason="endTurn",
    )


def server(data_dir: str) -> StdioServerParameters:
    # No D-Bus session: the server must never reach a developer's real keychain (a stored key would
    # turn the "client without sampling" test into a paid provider call).
    env = {"LLMGEN_LOG": "warn", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/llmgen-test-bus"}
    return StdioServerParameters(command=BIN, args=["--data-dir", data_dir], env=env)


def text_of(result) -> str:
    return result.content[0].text if result.content else ""


def status_of(read_result) -> dict:
    return json.loads(read_result.contents[0].text)


async def classic_session_on_2025_11_25():
    ASKED.clear()
    with tempfile.TemporaryDirectory() as data:
        async with stdio_client(server(data)) as (read, write):
            async with ClientSession(read, write, sampling_callback=sampler) as session:
                init = await session.initialize()
                assert init.server_info.name == "mcp-llm-generator", init
                tools = await session.list_tools()
                assert len(tools.tools) == 13, [t.name for t in tools.tools]
                result = await session.call_tool(
                    "llm-generate",
                    {"messages": [{"role": "user", "content": "hello"}], "temperature": 0, "maxTokens": 20},
                )
                assert not result.is_error, text_of(result)
                assert text_of(result) == "Python says hi", text_of(result)
                assert ASKED and ASKED[0].temperature == 0 and ASKED[0].max_tokens == 20, ASKED
                status = status_of(await session.read_resource("llmgen://status"))
                assert status["protocolVersion"] == "2025-11-25", status
                prompt = await session.get_prompt("explain-topic", {"topic": "tides"})
                assert "tides" in prompt.messages[0].content.text


async def high_level_client_on_2026_07_28():
    ASKED.clear()
    with tempfile.TemporaryDirectory() as data:
        async with Client(server(data), sampling_callback=sampler) as client:
            status = status_of(await client.read_resource("llmgen://status"))
            assert status["protocolVersion"] == "2026-07-28", status
            result = await client.call_tool("llm-generate", {"messages": [{"role": "user", "content": "hello"}]})
            assert not result.is_error, text_of(result)
            assert text_of(result) == "Python says hi"
            created = await client.call_tool("context-manage", {"action": "create", "name": "py"})
            context_id = created.structured_content["id"]
            for message in ("one", "two"):
                reply = await client.call_tool("context-chat", {"contextId": context_id, "message": message})
                assert not reply.is_error, text_of(reply)
            history = await client.call_tool("conversation-manage", {"action": "list", "contextId": context_id})
            assert history.structured_content["total"] == 4, history.structured_content
            last = ASKED[-1]
            assert [m.content.text for m in last.messages] == ["one", "Python says hi", "two"], last.messages


async def client_without_sampling_gets_a_clear_error():
    with tempfile.TemporaryDirectory() as data:
        async with Client(server(data)) as client:
            result = await client.call_tool("llm-generate", {"messages": [{"role": "user", "content": "hi"}]})
            assert result.is_error, text_of(result)
            assert "sampling" in text_of(result) and "provider" in text_of(result), text_of(result)


FEED = "llmgen://memory/feed"


async def memory_changes_reach_other_processes_on_both_eras():
    """Three server processes on one data folder, as three AI apps run them: a note stored through
    one reaches a 2025-11-25 subscriber (resources/subscribe) and a 2026-07-28 listener
    (subscriptions/listen) of the others, as bob's feed; alice's private note never reaches bob."""
    with tempfile.TemporaryDirectory() as data:
        bob_feed = f"{FEED}?asPersona=bob"
        heard = asyncio.Event()

        async def on_message(message):
            if isinstance(message, types.ResourceUpdatedNotification) and message.params.uri == bob_feed:
                heard.set()

        async with Client(server(data)) as writer:
            for name in ("alice", "bob"):
                made = await writer.call_tool(
                    "persona-manage",
                    {"action": "create", "name": name, "description": name, "systemPrompt": "You help."},
                )
                assert not made.is_error, text_of(made)
            async with stdio_client(server(data)) as (read, write):
                async with ClientSession(read, write, message_handler=on_message) as session:
                    await session.initialize()
                    with warnings.catch_warnings():
                        # Deprecated for 2026-07-28 sessions, and still how 2025-11-25 clients subscribe.
                        warnings.simplefilter("ignore")
                        await session.subscribe_resource(bob_feed)
                    async with Client(server(data)) as reader:
                        async with reader.listen(resource_subscriptions=[bob_feed]) as stream:
                            secret = await writer.call_tool(
                                "memory-store",
                                {"action": "create", "title": "Alice only", "content": "launch moved",
                                 "permission": "private", "asPersona": "alice"},
                            )
                            assert not secret.is_error, text_of(secret)
                            shared = await writer.call_tool(
                                "memory-store",
                                {"action": "create", "title": "出張", "content": "来週は東京で会議", "asPersona": "alice"},
                            )
                            shared_id = shared.structured_content["id"]
                            event = await asyncio.wait_for(stream.__anext__(), 15)
                            assert event.uri == bob_feed, event
                            await asyncio.wait_for(heard.wait(), 15)
                            page = json.loads((await session.read_resource(f"{bob_feed}&since=0")).contents[0].text)
                            assert [c["memoryId"] for c in page["changes"]] == [shared_id], page
                            found = await reader.call_tool(
                                "memory-search", {"query": "東京", "asPersona": "bob"}
                            )
                            hits = [hit["id"] for hit in found.structured_content["results"]]
                            assert hits == [shared_id], found.structured_content


async def a_delegation_runs_as_the_chosen_persona_on_both_eras():
    """task-delegate by expertise through each SDK client: the chosen persona's inherited rule is in
    the sampled system prompt, and the 2026-07-28 retry completes the one record its first call
    started (task-manage lists one delegation per call)."""
    ASKED.clear()
    with tempfile.TemporaryDirectory() as data:
        team = [
            {"name": "lead", "role": "lead", "restrictions": ["Cite your sources."]},
            {"name": "dba", "parent": "lead", "role": "specialist", "expertise": ["sql"]},
        ]

        async def delegate_and_check(call_tool, expected_total):
            result = await call_tool("task-delegate", {"task": "Index the orders table.", "expertise": ["sql"]})
            assert not result.is_error, text_of(result)
            record = result.structured_content
            assert (record["to"], record["status"], record["route"]) == ("dba", "done", "sampling"), record
            assert record["result"] == "Python says hi", record
            assert "Cite your sources." in ASKED[-1].system_prompt, ASKED[-1].system_prompt
            listed = await call_tool("task-manage", {"action": "list"})
            assert listed.structured_content["total"] == expected_total, listed.structured_content

        async with stdio_client(server(data)) as (read, write):
            async with ClientSession(read, write, sampling_callback=sampler) as session:
                await session.initialize()
                for persona in team:
                    made = await session.call_tool(
                        "persona-manage", {"action": "create", "systemPrompt": "You help.", **persona}
                    )
                    assert not made.is_error, text_of(made)
                await delegate_and_check(session.call_tool, 1)
        async with Client(server(data), sampling_callback=sampler) as client:
            await delegate_and_check(client.call_tool, 2)


async def main() -> int:
    tests = [
        classic_session_on_2025_11_25,
        high_level_client_on_2026_07_28,
        client_without_sampling_gets_a_clear_error,
        memory_changes_reach_other_processes_on_both_eras,
        a_delegation_runs_as_the_chosen_persona_on_both_eras,
    ]
    passed = failed = 0
    for test in tests:
        try:
            await asyncio.wait_for(test(), timeout=60)
            passed += 1
            print(f"python-sdk: {test.__name__} ... ok", flush=True)
        except Exception:  # report every failure, then the summary
            failed += 1
            print(f"python-sdk: {test.__name__} ... FAILED", flush=True)
            traceback.print_exc()
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
