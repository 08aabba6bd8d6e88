"""Hypothesis strategies generated from the parameter definition."""

from hypothesis import strategies as st


def in_range(field, max_int: int | None = None):
    """Values inside a field's allowed range (ints capped at ``max_int`` to keep networks small)."""
    m = field.metadata
    if field.type == "bool":
        return st.booleans()
    if field.type == "str":
        return st.sampled_from(m["choices"])
    if field.type == "int":
        hi = int(m["hi"]) if max_int is None else min(int(m["hi"]), max_int)
        return st.integers(int(m["lo"]), hi)
    return st.floats(m["lo"], m["hi"], allow_nan=False)
