"""Shareable links: a setting as a query string and back, and the query of
the page a Voila kernel serves.

``?preset=forum&U_0=0.3&seed=2&tab=synapse``: ``preset`` picks the starting
parameters, any parameter field overrides it, ``seed`` and ``tab`` are
optional.  Every value is validated like any other input.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qs, urlencode

from .. import params as params_mod
from .. import presets
from ..params import Params
from .controls import error_text, icon

#: Longest query string accepted (characters).
MAX_QUERY_LENGTH = 4096
#: The dashboard's tabs, in order, as a link names them.
TABS = ("network", "synapse", "neuron", "sweep")


def parse_query(query: str | None) -> tuple[str, Params, int | None, str | None]:
    """(preset name, params, seed, tab) from a query string; ``ValueError`` names the bad key.

    ``preset`` picks the starting parameters, any parameter field overrides it,
    ``seed`` and ``tab`` (network, synapse, neuron) are optional.
    """
    if not query:
        return "default", presets.DEFAULT, None, None
    if len(query) > MAX_QUERY_LENGTH:
        raise ValueError(f"the link's query is {len(query)} characters; the limit is {MAX_QUERY_LENGTH}")
    pairs = parse_qs(query.lstrip("?"), keep_blank_values=True, strict_parsing=False)
    values = {key: items[-1] for key, items in pairs.items()}
    preset = values.pop("preset", "default")
    params = presets.get(preset)
    seed = None
    if "seed" in values:
        seed = params_mod.parse_seed(values.pop("seed"))
    tab = values.pop("tab", None)
    if tab is not None and tab not in TABS:
        raise ValueError(f"tab={tab!r} is invalid; allowed: {', '.join(TABS)}")
    changes = {}
    for key, text in values.items():
        params_mod.field_info(key)  # unknown keys are errors
        changes[key] = params_mod.coerce(key, text)
    return preset, Params.from_dict(changes, params), seed, tab


def link_query(params: Params, seed: int, preset: str, tab: str | None = None) -> str:
    """The shortest query string that reproduces ``params`` from ``preset``."""
    base = presets.get(preset)
    changed = {f.name: getattr(params, f.name) for f in params_mod.fields()
               if getattr(params, f.name) != getattr(base, f.name)}
    query = {"preset": preset, **{k: str(v).lower() if isinstance(v, bool) else v for k, v in changed.items()}}
    if seed:
        query["seed"] = seed
    if tab and tab != "network":
        query["tab"] = tab
    return "?" + urlencode(query)



def page_query() -> str | None:
    """The query string of the page showing this notebook in Voila (else None).

    With preheated kernels this waits until a visitor's request arrives.
    """
    import os

    if os.environ.get("VOILA_PREHEAT") == "True":
        _wait_for_visitor()
    return os.environ.get("QUERY_STRING") or None


def _wait_for_visitor() -> None:
    """What ``voila.utils.wait_for_request`` does (Voila 0.5), without
    importing ``voila.utils``: that module pulls jupyter_server and
    jupyterlab_server into the kernel, 45 MB of every student's kernel.

    A preheated kernel asks Voila's ``voila/query/<kernel id>`` websocket for
    the visitor's request; the answer is a JSON object of environment
    variables (QUERY_STRING among them).
    """
    import asyncio
    import json
    import os
    import threading

    import websockets

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    url = (f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
           f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID')}")
    answer = []

    async def receive():
        async with websockets.connect(url, open_timeout=5) as socket:
            answer.append(await socket.recv())

    def run():  # in a thread: the kernel's own event loop is running
        try:
            asyncio.new_event_loop().run_until_complete(receive())
        except (OSError, TimeoutError, websockets.WebSocketException):
            pass  # no visitor's request: the page starts from its defaults

    thread = threading.Thread(target=run, name="stpexplorer-visitor")
    thread.start()
    thread.join()
    if answer:
        for key, value in json.loads(answer[0]).items():
            os.environ[key] = value


#: The page's own address with the setting's query: the link is made in the
#: browser, so it names the host the students see.  Without clipboard access
#: (plain http on a class network) the link is offered for copying by hand.
COPY_LINK_JS = ("const url = new window.URL(this.dataset.query, window.location.href).href; "
                "const done = () => { this.textContent = '✓ copied'; }; "
                "(navigator.clipboard ? navigator.clipboard.writeText(url) : Promise.reject())"
                ".then(done, () => window.prompt('Copy this link:', url));")


def link_html(params: Params, seed: int, preset: str, error: str = "") -> str:
    """The "link to this setting" line: a link, a copy button and the query as
    text, after ``error`` (why a visitor's link was ignored) if any."""
    query = html.escape(link_query(params, seed, preset))
    note = f'<span class="stpx-link-error">{error_text(f"link ignored: {error}")}</span><br>' if error else ""
    return note + (
        f'<a class="stpx-link" href="{query}" target="_blank">{icon("link")}link to this setting</a> '
        f'<button class="stpx-copy-link" type="button" data-query="{query}" '
        f'onclick="{COPY_LINK_JS}">{icon("clipboard")}copy link</button> '
        f'<code class="stpx-link-query">{query}</code>')
