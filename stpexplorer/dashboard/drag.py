"""Live dragging: while a slider's handle is dragged, the tab redraws for the
value under the handle; on release the slider's own value change draws the
exact final value.

The sliders act on release (``continuous_update=False``): with continuous
updates, the page's slider would send back a value snapped to its step
whenever the kernel sets one between steps (a fitted or loaded value).  So the
dragged values travel another way: a script on the page listens to the
slider's own ``slide`` events between its ``start`` and ``end`` (a held
handle; never a value the kernel set, a tap or an arrow key, which arrive as
the slider's value) and writes ``{"key", "value", "n", "page"}`` as JSON into the tab's
hidden ``stpx-drag-sink`` text field, at most one message per
:data:`DRAG_PERIOD_MS`; the widget library sends a field's next value only
after the kernel handled the previous one, so a busy kernel gets the latest
value, never a queue.  When the handle is let go the script sends
``{"key", "end": true, "n"}``.

Every value from the page is checked here: an unknown key, a value that is
not a finite number or a message that is not JSON is ignored, and a value
beyond the slider's range is clamped to it.
"""

from __future__ import annotations

import html
import json
import math
from typing import Callable

import ipywidgets as W

#: Shortest time (ms) between two messages the page sends while a handle moves.
DRAG_PERIOD_MS = 40
#: Longest message (characters) taken from the page.
MAX_MESSAGE_CHARS = 200

#: Installed once per page: on the first press on a live slider (DOM class
#: ``stpx-live``, ``stpx-live-<key>``) it listens to that slider's ``slide``
#: and ``end`` events and writes them into the ``stpx-drag-sink`` field of the
#: slider's ``stpx-drag-scope``.  It runs from an image that fails to load:
#: HTML widgets do not run ``<script>``.
DRAG_JS = """
if (window.__stpxDrag) return;
window.__stpxDrag = true;
const page = Math.random().toString(36).slice(2);  // two pages on one kernel never send equal strings
let count = 0;
const keyOf = (el) => {
  for (const c of el.classList) if (c.startsWith('stpx-live-')) return c.slice('stpx-live-'.length);
  return null;
};
const hook = (target) => {
  const slider = target.closest('.stpx-live');
  const scope = target.closest('.stpx-drag-scope');
  const key = slider && keyOf(slider);
  const api = target.noUiSlider;
  if (!key || !scope || !api) return;
  target.__stpxDragApi = api;  // a slider rebuilt by the widget gets a new one: hooked again
  let last = 0, timer = null, pending = null, dragging = false;
  const send = (message) => {
    const field = scope.querySelector('.stpx-drag-sink input');
    if (!field) return;
    count += 1;
    field.value = JSON.stringify(Object.assign({key: key, n: count, page: page}, message));
    field.dispatchEvent(new Event('change', {bubbles: true}));
    last = performance.now();
  };
  const flush = () => {
    timer = null;
    if (pending !== null && dragging) send({value: pending});
    pending = null;
  };
  const cancel = () => { clearTimeout(timer); timer = null; pending = null; };
  // only a held handle: a tap or an arrow key gives its value by the slider's own change
  api.on('start.stpx', () => { dragging = true; });
  api.on('slide.stpx', (values, handle) => {
    if (!dragging) return;
    pending = Number(values[handle]);
    if (timer !== null) return;
    const wait = PERIOD - (performance.now() - last);
    if (wait <= 0) flush(); else timer = setTimeout(flush, wait);
  });
  api.on('change.stpx', cancel);
  api.on('end.stpx', () => {
    cancel();
    if (dragging) send({end: true});
    dragging = false;
  });
};
const onPress = (event) => {
  const target = event.target && event.target.closest && event.target.closest('.stpx-live .noUi-target');
  if (target && target.noUiSlider && target.__stpxDragApi !== target.noUiSlider) hook(target);
};
for (const type of ['pointerdown', 'mousedown', 'touchstart']) {
  document.addEventListener(type, onPress, true);
}
"""
DRAG_HTML = ('<img src="data:," alt="" style="display:none" onerror="{}">'.format(html.escape(
    "(function () {" + DRAG_JS.replace("PERIOD", str(DRAG_PERIOD_MS)) + "}).call(this)")))

SliderWidget = W.FloatSlider | W.IntSlider


class DragRelay:
    """The hidden part of a tab that turns the page's drag messages into calls.

    ``sliders`` maps a key to a slider; each gets the DOM classes
    ``stpx-live`` and ``stpx-live-<key>``.  ``on_drag({key: value})`` is
    called for each value under a dragged handle; ``on_end(key)`` when the
    handle is let go, if a dragged value was drawn after the last call of
    :meth:`settled` (a slider dragged back to where it started sends no value
    change, so the tab draws its controls' values again).  Put :attr:`widget`
    in the tab and give the tab's outer box the DOM class ``stpx-drag-scope``
    (:meth:`scope`).
    """

    def __init__(self, sliders: dict[str, SliderWidget], on_drag: Callable[[dict], None],
                 on_end: Callable[[str], None]):
        self.sliders = sliders
        self._on_drag = on_drag
        self._on_end = on_end
        #: a dragged value was drawn since the controls' own values were
        self.dragged = False
        for key, slider in sliders.items():
            slider.add_class("stpx-live")
            slider.add_class(f"stpx-live-{key}")
        self.sink = W.Text(value="")
        self.sink.add_class("stpx-drag-sink")
        self.sink.observe(lambda change: self.receive(change["new"]), names="value")
        self.widget = W.Box([self.sink, W.HTML(DRAG_HTML)], layout=W.Layout(display="none"))

    @staticmethod
    def scope(box: W.Widget) -> W.Widget:
        """Mark ``box`` as the part of the page whose sliders this relay serves."""
        box.add_class("stpx-drag-scope")
        return box

    def settled(self) -> None:
        """The tab drew its controls' own values (no dragged value is on show)."""
        self.dragged = False

    def receive(self, text: str) -> None:
        """Handle one message from the page (ignored unless well formed)."""
        message = parse_message(text)
        if message is None or message["key"] not in self.sliders:
            return
        key = message["key"]
        if message.get("end"):
            if self.dragged:
                self._on_end(key)
            return
        value = clamp_to(self.sliders[key], message.get("value"))
        if value is None:
            return
        self.dragged = True
        self._on_drag({key: value})


def parse_message(text: str) -> dict | None:
    """A drag message as a dict with a string ``key``, or None."""
    if not isinstance(text, str) or not text or len(text) > MAX_MESSAGE_CHARS:
        return None
    try:
        message = json.loads(text)
    except ValueError:
        return None
    if not isinstance(message, dict) or not isinstance(message.get("key"), str):
        return None
    return message


def clamp_to(slider: SliderWidget, value) -> float | int | None:
    """``value`` inside the slider's range (an int for an integer slider), or
    None unless it is a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    value = min(max(float(value), slider.min), slider.max)
    return int(round(value)) if isinstance(slider, W.IntSlider) else value
