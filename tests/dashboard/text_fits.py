"""Text of a figure inside it and clear of other text: what every panel must satisfy."""




def _text_boxes(fig):
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    for ax in fig.axes:
        ticks = [label.get_window_extent(renderer)
                 for axis in (ax.xaxis, ax.yaxis)
                 for tick, label in zip(axis.get_ticklocs(), axis.get_ticklabels())
                 if label.get_visible() and label.get_text()
                 and min(axis.get_view_interval()) <= tick <= max(axis.get_view_interval())]
        labels = [(label.get_text(), label.get_window_extent(renderer))
                  for label in (ax.xaxis.label, ax.yaxis.label) if label.get_visible() and label.get_text()]
        yield ax, ticks, labels


def assert_text_fits(fig, name, margin_in=0.15):
    """Axis labels at least ``margin_in`` inside the figure and clear of the
    tick labels; tick labels inside the figure (nothing cut at the edges)."""
    edge = margin_in * fig.dpi
    box = fig.bbox
    for _ax, ticks, labels in _text_boxes(fig):
        for tick in ticks:
            assert box.x0 <= tick.x0 and tick.x1 <= box.x1 and box.y0 <= tick.y0, (name, tick)
        for text, bb in labels:
            assert (bb.x0 - box.x0 >= edge and box.x1 - bb.x1 >= edge and bb.y0 - box.y0 >= 0.5 * edge), \
                f"{name}: label {text!r} is within {margin_in} in of the figure's edge: {bb} in {box}"
            assert not any(bb.overlaps(t) for t in ticks), f"{name}: label {text!r} overlaps tick labels"
