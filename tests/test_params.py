import dataclasses
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stpexplorer import Params, presets
from stpexplorer import params as P
from strategies import in_range


@pytest.mark.parametrize("field, value, reason", [
    ("U_0", 1.5, "out of range"),
    ("U_0", 0.0, "out of range"),
    ("U_0", math.nan, "not finite"),
    ("Omega_f", math.inf, "not finite"),
    ("Omega_d", -1.0, "out of range"),
    ("w_e", "0.1", "not a number"),
    ("w_i", True, "not a number"),
    ("N_e", 0, "out of range"),
    ("N_i", 2.5, "not an integer"),
    ("stp", 1, "not a boolean"),
    ("synapse_model", "hh", "not an allowed choice"),
    ("dt", 5.0, "out of range"),
    ("U_0", 10**400, "out of range"),  # beyond any float: no OverflowError
    ("N_e", -10**400, "out of range"),
    ("U_0", [[[[[[[[[[[[0.5]]]]]]]]]]]], "not a number"),
    ("U_0", "x" * 100_000, "not a number"),
])
def test_invalid_field_names_field_value_and_range(field, value, reason):
    with pytest.raises(ValueError) as info:
        dataclasses.replace(Params(), **{field: value})
    message = str(info.value)
    assert message.startswith(f"{field}=")
    assert reason in message
    assert "allowed" in message


@pytest.mark.parametrize("value", [0.0, -0.0, -1.0, 0.005])
def test_capacitance_scale_zero_or_negative_is_refused_naming_c_m(value):
    """C_m divides the synaptic current (I_syn/C_m): zero, negative and values
    below the documented 0.01 pF are refused, by the constructor and from JSON
    (the command line's --set is in test_cli)."""
    with pytest.raises(ValueError, match=r"^C_m=.* is invalid \(out of range\); allowed: \[0.01, 1000\] pF"):
        Params(C_m=value)
    with pytest.raises(ValueError, match=r"^C_m=.*out of range"):
        Params.from_json(json.dumps({"C_m": value}))
    assert Params(C_m=0.01).C_m == 0.01


def test_replace_validates_top_level_stp_and_weight_fields():
    p = dataclasses.replace(Params(), U_0=0.3, w_e=0.2, Omega_f=5.0, Omega_d=1.0, w_i=0.5)
    assert (p.U_0, p.w_e, p.Omega_f, p.Omega_d, p.w_i) == (0.3, 0.2, 5.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="w_e=-0.1"):
        dataclasses.replace(p, w_e=-0.1)


def test_params_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Params().U_0 = 0.2


@pytest.mark.parametrize("changes, field", [
    ({"rec_neuron": 1000}, "rec_neuron"),
    ({"N_e": 10, "N_i": 5, "rec_pre": 20}, "rec_pre"),
    ({"rec_post": 1000}, "rec_post"),
    ({"dt": 0.5, "tau_e": 0.6}, "dt"),
    ({"dt": 0.2, "tau_i": 0.3, "synapse_model": "conductance"}, "dt"),
])
def test_inconsistent_combinations_are_rejected(changes, field):
    with pytest.raises(ValueError, match=f"^{field}="):
        Params(**changes)


def test_integer_fields_accept_integral_floats_and_store_ints():
    p = Params(N_e=40.0, N_i=10)
    assert p.N_e == 40 and type(p.N_e) is int


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_json_round_trip_is_lossless_for_presets(name):
    p = presets.PRESETS[name]
    again = Params.from_json(p.to_json())
    assert again == p
    assert json.loads(again.to_json()) == json.loads(p.to_json())


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_json_round_trip_is_lossless_for_random_valid_params(data):
    f = data.draw(st.sampled_from([f for f in P.fields() if not f.name.startswith("rec_")]))
    value = data.draw(in_range(f, max_int=50))
    values = {"N_e": 60, "N_i": 20, f.name: value}
    defaults = Params()
    dt, tau_e, tau_i = (values.get(name, getattr(defaults, name)) for name in ("dt", "tau_e", "tau_i"))
    if min(tau_e, tau_i) < 2 * dt:  # the one documented rule across fields: dt <= min(tau)/2
        with pytest.raises(ValueError, match="^dt="):
            Params(**values)
        return
    p = Params(**values)  # any other in-range value is accepted
    assert Params.from_json(p.to_json()) == p


def test_numpy_scalars_are_accepted_as_plain_values():
    import numpy as np

    p = Params(N_e=np.int64(40), N_i=np.int32(10), U_0=np.float32(0.25), stp=np.bool_(False))
    assert (type(p.N_e), type(p.U_0), type(p.stp)) == (int, float, bool)
    assert Params.from_json(p.to_json()) == p
    with pytest.raises(ValueError, match="^U_0="):
        Params(U_0=np.array([0.3]))


def test_hostile_json_is_a_value_error():
    with pytest.raises(ValueError, match="nested too deeply"):
        Params.from_json("[" * 30_000 + "]" * 30_000)  # within the 64 kB limit
    with pytest.raises(ValueError, match="^U_0=.*out of range"):
        Params.from_json('{"U_0": 1' + "0" * 400 + "}")


def test_unknown_key_and_bad_json_are_value_errors():
    with pytest.raises(ValueError, match="unknown parameter"):
        Params.from_dict({"U0": 0.5})
    with pytest.raises(ValueError, match="not valid JSON"):
        Params.from_json("{not json")
    with pytest.raises(ValueError, match="JSON object"):
        Params.from_json("[1, 2]")


def test_coerce_parses_command_line_strings():
    assert P.coerce("U_0", "0.25") == 0.25
    assert P.coerce("N_e", "40") == 40
    assert P.coerce("stp", "off") is False
    with pytest.raises(ValueError, match="N_e='4.5'"):
        P.coerce("N_e", "4.5")
    with pytest.raises(ValueError, match="not a number"):
        P.coerce("w_e", "heavy")


def test_every_field_has_unit_range_symbol_doc_and_appears_in_the_table():
    table = P.markdown_table()
    for f in P.fields():
        m = f.metadata
        assert m["doc"] and m["symbol"] and m["group"], f.name
        assert f"`{f.name}`" in table
        if f.type in ("float", "int"):
            assert m["lo"] <= getattr(Params(), f.name) <= m["hi"]


def test_structure_key_separates_compiled_from_run_time_fields():
    base = Params()
    assert base.structure_key() == base.replace(U_0=0.2, w_e=0.3, a_e=0.03).structure_key()
    assert base.structure_key() != base.replace(N_e=100).structure_key()


def test_messages_name_the_field_for_huge_infinite_and_non_utf8_json():
    with pytest.raises(ValueError, match=r"^U_0=<integer of 5000 digits> is invalid \(out of range\)"):
        Params.from_json('{"U_0": ' + "9" * 5000 + "}")
    with pytest.raises(ValueError, match=r"^N_e=-<integer of 4500 digits> is invalid \(out of range\)"):
        Params.from_json('{"N_e": -' + "1" * 4500 + "}")
    with pytest.raises(ValueError, match=r"^U_0=<integer of 10001 digits> is invalid"):
        Params(U_0=10**10000)
    with pytest.raises(ValueError, match=r"^N_e=inf is invalid \(not finite\)"):
        Params.from_json('{"N_e": 1e400}')
    with pytest.raises(ValueError, match=r"^N_i=-inf is invalid \(not finite\)"):
        Params(N_i=-math.inf)
    with pytest.raises(ValueError, match=r"not UTF-8 text \(byte 0xe9 at position 9\)"):
        Params.from_json('{"E_e": "\xe9"}'.encode("latin-1"))


def test_json_is_limited_to_64_kB_everywhere():
    assert P.MAX_JSON_BYTES == 64 * 1024
    assert Params.from_json('{"U_0": 0.2}'.ljust(P.MAX_JSON_BYTES)).U_0 == 0.2
    for text in ('{"U_0": 0.2}'.ljust(P.MAX_JSON_BYTES + 1), b" " * 5_000_000):
        with pytest.raises(ValueError, match="limit is 65536 bytes"):
            Params.from_json(text)


@pytest.mark.parametrize("text", ["²", "¹²", "٣", "-1", "1.0", "1e3", " ", "", "1_0", "4294967296"])
def test_seed_text_must_be_ascii_digits_in_range(text):
    with pytest.raises(ValueError, match=r"^seed=.* is invalid; allowed: an integer in \[0, 4294967296\)"):
        P.parse_seed(text)


def test_seed_text_parses_plain_numbers():
    assert P.parse_seed("0") == 0 and P.parse_seed(" 42 ") == 42
    assert P.parse_seed("2147483647", limit=2**31) == 2**31 - 1
    with pytest.raises(ValueError, match=r"allowed: an integer in \[0, 2147483648\)"):
        P.parse_seed("2147483648", limit=2**31)


def test_recording_indices_reach_the_last_neuron_of_the_largest_network():
    """The largest network has N_e's and N_i's upper bounds of neurons, indexed
    from 0: its last neuron can be recorded, an index past it cannot."""
    n = P.field_info("N_e").metadata["hi"] + P.field_info("N_i").metadata["hi"]
    largest = Params(N_e=P.field_info("N_e").metadata["hi"], N_i=P.field_info("N_i").metadata["hi"])
    for name in ("rec_neuron", "rec_pre", "rec_post"):
        assert P.field_info(name).metadata["hi"] == n - 1
        assert getattr(largest.replace(**{name: n - 1}), name) == n - 1
        with pytest.raises(ValueError, match=name):
            largest.replace(**{name: n})
