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
                assert len(tools.tools) == 9, [t.name for t in tools.tools]
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


async def main() -> int:
    tests = [classic_session_on_2025_11_25, high_level_client_on_2026_07_28, client_without_sampling_gets_a_clear_error]
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
