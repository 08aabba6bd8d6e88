"""Recorded trains for the fit: the CSV reader and the one validator of trains.

Every way in — :func:`load_csv` (files and uploads), :func:`check_trains`
(trains given to :func:`~stpexplorer.fit.fit_stp`) and the dashboard's upload
(:func:`check_size`) — applies the rules and limits defined here once
(:func:`train_problems`); only where a problem is named differs: a file's
line and column, or the train and spike number.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, NamedTuple

import numpy as np

#: Largest accepted CSV file (bytes).
MAX_BYTES = 1_000_000
#: The limit as people read it.
MAX_SIZE_TEXT = f"{MAX_BYTES / 1e6:g} MB"
#: Most spikes accepted in one fit (the recursion runs spike by spike).
MAX_SPIKES = 2000
#: Fewest spikes in one train, and fewest measured responses in one fit (4 parameters).
MIN_SPIKES_PER_TRAIN = 2
MIN_RESPONSES = 6

COLUMNS = ("spike_time_ms", "amplitude", "train")


class Train(NamedTuple):
    """One protocol: spike times (ms, increasing) and response amplitudes (NaN: missed)."""

    spike_times_ms: np.ndarray
    amplitudes: np.ndarray
    name: str = ""
    first_line: int = 0  # line of its first row in the CSV file (0: not from a file)


class FitDataError(ValueError):
    """A bad data file: the message names the line and the column."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None):
        super().__init__(message)
        self.line, self.column = line, column


# ----------------------------------------------------------------------
# the rules
@dataclass(frozen=True)
class TrainProblem:
    """One rule that trains break.

    ``message`` is worded for a place that names the train (``train 2: spike
    5: …``), ``in_train`` for one that does not (a file's line).  ``train``
    and ``spike`` are indices (None: the whole train, or all trains; for all
    trains ``spike`` counts every spike in order); ``after`` is the earlier
    spike compared with; ``whole_train`` marks a problem of all of the train's
    amplitudes.
    """

    message: str
    in_train: str
    train: int | None = None
    spike: int | None = None
    column: str = "spike_time_ms"
    after: int | None = None
    whole_train: bool = False


def train_problems(names, times, amps) -> Iterator[TrainProblem]:
    """Every rule the trains (names, spike times in ms, amplitudes with NaN
    for a missed response) break: train by train, then the totals."""
    for i, (name, t, a) in enumerate(zip(names, times, amps)):
        yield from _problems_of_train(i, repr(name) if name else "(unnamed)", t, a)
    total = sum(len(t) for t in times)
    if total > MAX_SPIKES:
        text = f"too many spikes ({total}); at most {MAX_SPIKES}"
        yield TrainProblem(text, text, spike=MAX_SPIKES)  # named at the first spike over the limit
    responses = sum(int(np.isfinite(a).sum()) for a in amps)
    if responses < MIN_RESPONSES:
        count, needs = f"{responses} measured amplitudes", f"the fit of 4 values needs at least {MIN_RESPONSES}"
        yield TrainProblem(f"too few responses ({count}); {needs}", f"too few responses: {count}; {needs}",
                           column="amplitude")


def _problems_of_train(i: int, shown: str, t: np.ndarray, a: np.ndarray) -> Iterator[TrainProblem]:
    needs = f"a train needs at least {MIN_SPIKES_PER_TRAIN}"
    if len(t) < MIN_SPIKES_PER_TRAIN:
        yield TrainProblem(f"too few spikes ({len(t)}); {needs}",
                           f"too few spikes in train {shown}: {len(t)}; {needs}", i)
    for k in np.flatnonzero(~np.isfinite(t)):
        yield TrainProblem("spike time is not finite", "spike time is not finite", i, k)
    for k in np.flatnonzero(np.diff(t) <= 0) + 1:
        gap = f"{t[k]:g} ms after {t[k - 1]:g} ms"
        yield TrainProblem(f"spike times not increasing ({gap})",
                      f"spike times not increasing within train {shown}: {gap}", i, k, after=k - 1)
    for k in np.flatnonzero(np.isinf(a)):
        yield TrainProblem("amplitude is not finite", "amplitude is not finite", i, k, "amplitude")
    for k in np.flatnonzero(a < 0):
        text = f"negative amplitude {a[k]:g}; give response sizes ≥ 0 (inhibitory responses as positive sizes)"
        yield TrainProblem(text, text, i, k, "amplitude")
    measured = a[np.isfinite(a)]
    if len(measured) == 0:
        yield TrainProblem("no measured amplitude (all missing)", f"train {shown} has no measured amplitude",
                      i, column="amplitude", whole_train=True)
    elif not np.any(measured > 0):
        yield TrainProblem("all amplitudes are zero", f"all amplitudes of train {shown} are zero",
                      i, column="amplitude", whole_train=True)


def check_trains(trains) -> tuple[list[str], list[np.ndarray], list[np.ndarray]]:
    """Names, spike times and amplitudes of trains given to the fit
    (``(spike_times_ms, amplitudes)`` pairs or :class:`Train`); a
    ``ValueError`` names the train and the spike of the first problem."""
    if isinstance(trains, (str, bytes, Path)) or not hasattr(trains, "__len__") or len(trains) == 0:
        raise ValueError("trains must be a non-empty list of (spike_times_ms, amplitudes) pairs")
    names = [getattr(train, "name", "") or f"train {i + 1}" for i, train in enumerate(trains)]
    times, amps = zip(*(_arrays(label, train) for label, train in zip(names, trains)))
    for problem in train_problems(names, times, amps):
        where = [] if problem.train is None else [names[problem.train]]
        if problem.train is not None and problem.spike is not None:
            where.append(f"spike {problem.spike + 1}")
        raise ValueError(": ".join([*where, problem.message]))
    return names, list(times), list(amps)


def _arrays(label: str, train) -> tuple[np.ndarray, np.ndarray]:
    try:
        t = np.asarray(train[0], dtype=float)
        a = np.asarray(train[1], dtype=float)
    except (TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"{label}: expected (spike_times_ms, amplitudes) as numbers ({exc})") from None
    if t.ndim != 1 or a.shape != t.shape:
        raise ValueError(f"{label}: spike times and amplitudes must be 1-D and of equal length "
                         f"(got shapes {t.shape} and {a.shape})")
    return t, a


def check_size(size: int, label: str) -> None:
    """:class:`FitDataError` if a file of ``size`` bytes is over :data:`MAX_BYTES`."""
    if size > MAX_BYTES:
        raise FitDataError(f"{label}: file is larger than {MAX_SIZE_TEXT} ({size} bytes); "
                           f"at most {MAX_BYTES} bytes")


# ----------------------------------------------------------------------
# the file
def load_csv(source, *, name: str | None = None) -> list[Train]:
    """Read response amplitudes from CSV: a path, or the file's bytes (an upload).

    Format: a header line with the columns ``spike_time_ms`` and
    ``amplitude`` and optionally ``train`` (the protocol's name; rows of one
    train in time order, every train starting from rest); lines starting
    with ``#`` are comments; other columns are ignored.  An empty amplitude
    or ``nan`` marks a missed response.  UTF-8, at most :data:`MAX_SIZE_TEXT`.

    Any problem raises :class:`FitDataError` (a ``ValueError``) with one line
    naming the line and the column.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = name or "data"
    else:
        path = Path(source)
        label = name or str(path)
        if path.is_file():
            check_size(path.stat().st_size, label)  # before reading it
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FitDataError(f"{label}: cannot read the file ({exc.strerror or exc})") from None
    check_size(len(data), label)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FitDataError(f"{label}: line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                           f"save the file as UTF-8 CSV", line=line) from None
    return _CsvReader(label).read(text)


class _CsvReader:
    """Rows of a CSV text by train, then :func:`train_problems`; errors name the line and column."""

    def __init__(self, label: str):
        self.label = label
        self.header: list[str] = []
        self.header_line = 0
        self.rows: dict[str, list[tuple[float, float, int]]] = {}  # train → (time, amplitude, line)
        self.data_lines: list[int] = []  # line of every data row, in file order

    def fail(self, message: str, line: int | None = None, column: str | None = None):
        where = ", ".join(part for part in (f"line {line}" if line else "", f"column {column}" if column else "")
                          if part)
        raise FitDataError(f"{self.label}: {where + ': ' if where else ''}{message}", line=line, column=column)

    def read(self, text: str) -> list[Train]:
        reader = csv.reader(io.StringIO(text, newline=""))
        columns = None
        try:
            for record in reader:
                if not record or all(not cell.strip() for cell in record) or record[0].lstrip().startswith("#"):
                    continue
                if columns is None:
                    columns = self._header(record, reader.line_num)
                else:
                    self._row(record, columns, reader.line_num)
        except csv.Error as exc:
            self._trains(rows_only=True)  # a problem of a row read before comes first
            self.fail(f"not readable as CSV ({exc})", reader.line_num)
        except FitDataError:
            self._trains(rows_only=True)
            raise
        if columns is None:
            self.fail("no header line; expected columns spike_time_ms, amplitude (and optionally train)", 1)
        if not self.rows:
            self.fail("no data rows after the header", self.header_line)
        return self._trains()

    def _header(self, record: list[str], line: int) -> dict[str, int]:
        header = [cell.strip().lower() for cell in record]
        for col in COLUMNS[:2]:
            if col not in header:
                self.fail(f"missing column '{col}' (the header has: {', '.join(header) or 'nothing'}); "
                          f"needed: spike_time_ms, amplitude and optionally train", line, col)
        self.header_line, self.header = line, header
        return {col: header.index(col) for col in COLUMNS if col in header}

    def _row(self, record: list[str], columns: dict[str, int], line: int) -> None:
        if len(record) < len(self.header):
            self.fail(f"missing value ({len(record)} of {len(self.header)} columns)", line, self.header[len(record)])
        t = self._number(record[columns["spike_time_ms"]], line, "spike_time_ms", allow_missing=False)
        a = self._number(record[columns["amplitude"]], line, "amplitude", allow_missing=True)
        train = record[columns["train"]].strip() if "train" in columns else ""
        self.rows.setdefault(train, []).append((t, a, line))
        self.data_lines.append(line)

    def _number(self, cell: str, line: int, column: str, *, allow_missing: bool) -> float:
        text = cell.strip()
        if text == "" or text.lower() == "nan":
            if allow_missing:
                return math.nan
            self.fail("missing value" if text == "" else "nan is not a spike time", line, column)
        try:
            value = float(text)
        except ValueError:
            self.fail(f"{text[:40]!r} is not a number", line, column)
        if not math.isfinite(value):
            self.fail(f"{text[:40]!r} is not a finite number", line, column)
        return value

    def _trains(self, rows_only: bool = False) -> list[Train]:
        """The trains read; the first problem of :func:`train_problems`
        (of a row: the first in the file; then of a train; then of the totals).
        ``rows_only``: only a problem of a row (the file is not read to its end)."""
        names = list(self.rows)
        times = [np.array([row[0] for row in rows]) for rows in self.rows.values()]
        amps = [np.array([row[1] for row in rows]) for rows in self.rows.values()]
        lines = [[row[2] for row in rows] for rows in self.rows.values()]
        problems = list(train_problems(names, times, amps))
        of_rows = [p for p in problems if p.train is not None and p.spike is not None]
        if of_rows:
            self._fail_at(min(of_rows, key=lambda p: lines[p.train][p.spike]), lines)
        if problems and not rows_only:
            self._fail_at(problems[0], lines)
        return [Train(t, a, name or "train", rows[0]) for name, t, a, rows in zip(names, times, amps, lines)]

    def _fail_at(self, problem: TrainProblem, lines: list[list[int]]):
        if problem.train is None:
            line = self.data_lines[problem.spike] if problem.spike is not None else self.header_line + 1
            self.fail(problem.in_train, line, problem.column)
        rows = lines[problem.train]
        text = problem.in_train
        if problem.after is not None:
            text += f" (line {rows[problem.after]})"
        if problem.whole_train:
            text += f" (lines {rows[0]}–{rows[-1]})"
        self.fail(text, rows[problem.spike or 0], problem.column)
