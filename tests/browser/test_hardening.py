"""What a visitor of the Voila dashboard must not get: code execution in the
kernel, the notebook's source, Python tracebacks.

The server is the production command line (``--strip_sources=True``,
``--show_tracebacks=False``, preheated kernels); Voila additionally lets only
widget (comm) and kernel-info messages through the kernel websocket.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

websocket = pytest.importorskip("websocket")  # the websocket-client package
from jupyter_server.services.kernels.connection.base import (  # noqa: E402
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)

pytestmark = pytest.mark.browser

TIMING_PREFIX = "hardening."
TIME_PANELS = ("raster", "conductances", "resources")
V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
#: How long to listen for an answer to a refused request.
LISTEN_S = 3.0
#: What Voila shows instead of a traceback when a notebook cell fails.
VOILA_CELL_ERROR = "There was an error when executing cell"


def _message(msg_type: str, content: dict) -> dict:
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "visitor",
                       "session": uuid.uuid4().hex, "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content}


def _execute_request(code: str) -> dict:
    return _message("execute_request", {"code": code, "silent": False, "store_history": False,
                                        "user_expressions": {}, "allow_stdin": False,
                                        "stop_on_error": True})


def _encode(msg: dict, channel: str, protocol: str | None):
    if protocol == V1_PROTOCOL:
        parts = [json.dumps(msg[key]).encode() for key in ("header", "parent_header", "metadata", "content")]
        return serialize_msg_to_ws_v1(parts, channel)
    return json.dumps({**msg, "channel": channel, "buffers": []})


def _decode(frame, protocol: str | None) -> dict:
    if isinstance(frame, bytes):
        channel, parts = deserialize_msg_from_ws_v1(frame)
        header, parent = json.loads(parts[0]), json.loads(parts[1])
        content = json.loads(parts[3]) if len(parts) > 3 else {}
    else:
        data = json.loads(frame)
        channel, header, parent, content = (data.get("channel"), data["header"],
                                            data.get("parent_header") or {}, data.get("content"))
    return {"channel": channel, "msg_type": header.get("msg_type"),
            "parent": (parent or {}).get("msg_id"), "content": content}


def _talk_to_kernel(ws_url: str, protocol: str | None, requests: list[tuple[str, dict]],
                    listen_s: float = LISTEN_S) -> list[dict]:
    """Open the kernel websocket as a page would, send ``requests`` as
    (channel, message) and collect every message that arrives within ``listen_s``."""
    kwargs = {"subprotocols": [protocol]} if protocol else {}
    ws = websocket.create_connection(ws_url, timeout=1, **kwargs)
    received = []
    try:
        if protocol:
            assert ws.getsubprotocol() == protocol, ws.getsubprotocol()
        for channel, msg in requests:
            frame = _encode(msg, channel, protocol)
            if isinstance(frame, bytes):
                ws.send_binary(frame)
            else:
                ws.send(frame)
        deadline = time.monotonic() + listen_s
        while time.monotonic() < deadline:
            try:
                frame = ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            received.append(_decode(frame, protocol))
    finally:
        ws.close()
    return received


@pytest.mark.parametrize("protocol", [None, V1_PROTOCOL], ids=["json-protocol", "v1-protocol"])
def test_kernel_websocket_refuses_execute_requests(dash, voila_server, tmp_path, protocol, record_property):
    kernel_id = dash.kernel_id()
    assert re.fullmatch(r"[0-9a-f-]{36}", kernel_id), kernel_id
    marker = tmp_path / "pwned"
    code = f"open({str(marker)!r}, 'w').write('executed')"
    attacks = [("shell", _execute_request(code)), ("control", _execute_request(code))]
    probe = _message("kernel_info_request", {})
    ws_url = (f"ws://127.0.0.1:{voila_server['port']}/api/kernels/{kernel_id}/channels"
              f"?session_id={uuid.uuid4()}")
    start = time.perf_counter()
    received = _talk_to_kernel(ws_url, protocol, [*attacks, ("shell", probe)])
    attack_ids = {msg["header"]["msg_id"] for _, msg in attacks}
    answers = [m for m in received if m["parent"] in attack_ids]
    print(f"[browser] kernel websocket ({protocol or 'json'}): {len(received)} messages in "
          f"{time.perf_counter() - start:.1f} s, {len(answers)} about the execute requests")
    # the socket itself works: the allowed request is answered
    replies = [m for m in received if m["parent"] == probe["header"]["msg_id"]
               and m["msg_type"] == "kernel_info_reply"]
    assert replies and replies[0]["content"]["status"] == "ok", received
    # ... the execute requests are not: no reply, no busy/idle, no output, no effect
    assert answers == [], f"the kernel answered an execute request from a client: {answers}"
    assert not any(m["msg_type"] in ("execute_reply", "execute_input", "execute_result", "stream", "error")
                   for m in received), received
    assert not marker.exists(), "code sent over the kernel websocket was executed"
    log = Path(voila_server["log"]).read_text()
    assert 'Received message of type "execute_request", which is not allowed. Ignoring.' in log
    record_property("ws_messages_received", len(received))
    # the page's own kernel connection is unharmed: a slider change still runs
    dash.settle()
    run = dash.run_number()
    before = dash.panels()
    value = "0.35" if dash.readout("U_0") != "0.350" else "0.4"
    start = dash.set_readout("U_0", value)
    dash.wait_redraw(run, before, TIME_PANELS, start, "U_0 after the websocket attempt")
    dash.settle()
    assert dash.run_number() == run + 1 and dash.error() == ""


def _page_text_problems(dash) -> list[str]:
    """Tracebacks, Voila's cell-error notice or kernel stderr shown anywhere on the page."""
    problems = []
    body = dash.page.locator("body").inner_text()
    for needle in ("Traceback", VOILA_CELL_ERROR, 'File "'):
        if needle in body:
            line = next(line for line in body.splitlines() if needle in line)
            problems.append(f"page text contains {needle!r}: {line[:200]!r}")
    for mime in ("application/vnd.jupyter.stderr", "application/vnd.jupyter.error"):
        count = dash.page.locator(f'[data-mime-type="{mime}"]').count()
        if count:
            problems.append(f"{count} output(s) of type {mime}")
    return problems


def test_errors_show_messages_not_tracebacks(dash):
    dash.choose_preset("default")
    assert _page_text_problems(dash) == []
    run = dash.run_number()
    dash.open_advanced("Synapses")
    dash.set_number("C_m", "0.01")
    dash.poll(lambda: "diverged" in dash.error(), 30, "the divergence message")
    dash.poll(lambda: not dash.busy(), 30, "the busy indicator to clear")
    assert dash.run_number() == run
    message = dash.error()
    print(f"[browser] error shown for C_m=0.01: {message[:160]!r}")
    assert dash.page.locator(".stpx-error").is_visible()
    assert _page_text_problems(dash) == []
    # every element, including hidden ones (other tabs, closed accordions)
    hidden = dash.page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => (e.textContent || '')"
        ".includes('Traceback')).length")
    assert hidden == 0, "some element holds a traceback"
    # a valid value clears the message again
    start = dash.set_number("C_m", "1")
    before = dash.panels()
    dash.wait_redraw(run, before, TIME_PANELS, start, "C_m back to 1", must_change=False)
    dash.settle()
    assert dash.error() == "" and _page_text_problems(dash) == []


def test_page_html_has_no_notebook_source(voila_server, record_property):
    """A plain GET of the page (this takes a kernel, like any visitor)."""
    start = time.perf_counter()
    with urllib.request.urlopen(voila_server["url"], timeout=120) as response:
        status = response.status
        html = response.read().decode("utf-8", "replace")
    elapsed = time.perf_counter() - start
    record_property("page_get_s", round(elapsed, 3))
    print(f"[browser] GET of the page: HTTP {status}, {len(html)} characters in {elapsed:.2f} s")
    assert status == 200
    assert "Four tabs on short-term plasticity" in html, "not the rendered explorer notebook"
    assert re.search(r'"kernelId":\s*"[0-9a-f-]{36}"', html), "no kernel in the page configuration"
    assert "application/vnd.jupyter.widget-view+json" in html, "the dashboard's widget output is missing"
    for source in ("from stpexplorer.dashboard import", "Dashboard()", "apply_query(page_query())",
                   "page_query"):
        assert source not in html, f"the page carries the notebook's code: {source!r}"
    assert "Traceback" not in html and VOILA_CELL_ERROR not in html
