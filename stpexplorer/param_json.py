"""Reading parameter JSON safely: a size limit, UTF-8, integers of any
length, no key given twice, and only regular files (nothing that can make a
read hang).  :meth:`stpexplorer.params.Params.from_json` and ``from_file`` build
on it."""

from __future__ import annotations

import decimal
import json
import os
import stat
from typing import Any

from .param_fields import short_repr

#: Largest parameter JSON accepted anywhere (dashboard upload, ``--params`` file, API).
MAX_JSON_BYTES = 64 * 1024


def refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; a key given twice is an error (JSON's usual
    "the last one wins" would silently drop a value)."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"the key {short_repr(key)} is given twice ({short_repr(data[key])} and "
                             f"{short_repr(value)}); keep one")
        data[key] = value
    return data


_FILE_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
               (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
        raise ValueError(f"this is {kind}; give a regular JSON file")


def read_regular_file(path: str | os.PathLike, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of the regular file ``path`` (one more, so an
    oversized file is seen as such).  Refuses other kinds of files: checked
    before opening and again on the opened file, which is opened without
    blocking (a FIFO put in its place meanwhile cannot make the open wait)."""
    check_regular(os.stat(path).st_mode)
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        check_regular(info.st_mode)
        if info.st_size > limit:
            raise ValueError(f"the file is {info.st_size} bytes; the limit is {limit} bytes ({limit // 1024} kB)")
        return handle.read(limit + 1)  # the file may grow meanwhile: from_json checks the size


def parse_json_int(text: str) -> int:
    """JSON integers of any length (Python's ``int(str)`` stops at 4300 digits):
    the field's range check then names the field instead of a parser error."""
    if len(text.lstrip("-")) <= 4000:
        return int(text)
    return int(decimal.Decimal(text))


def load_json(text: str | bytes) -> Any:
    """The value of parameter JSON ``text`` (at most :data:`MAX_JSON_BYTES`,
    UTF-8); a ``ValueError`` that says what is wrong otherwise."""
    size = len(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    if size > MAX_JSON_BYTES:
        raise ValueError(f"parameters are {size} bytes of JSON; the limit is "
                         f"{MAX_JSON_BYTES} bytes ({MAX_JSON_BYTES // 1024} kB)")
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"parameters are not UTF-8 text (byte 0x{text[exc.start]:02x} "
                             f"at position {exc.start})") from None
    try:
        data = json.loads(text, parse_int=parse_json_int, object_pairs_hook=refuse_duplicate_keys)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"parameters are not valid JSON: {exc}") from None
    except RecursionError:
        raise ValueError("parameters are not valid JSON: nested too deeply") from None
    return data
