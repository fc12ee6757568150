"""`--points` records a run of rows at a time, written by polars as `records` writes them.

Polars spells a double as Python's `repr` does, but for those below 1e-4
(`0.00001` for `1e-05`, `1.5e-7` for `1.5e-07`) and the non-finite ones
(JSON spells them "Infinity"). Such cells are rare: polars writes them as
null, a marker byte, and Python's spelling (`records`') takes its place. In
text, a whole number's `.0` goes, as everywhere in text. JSON needs literal
text between the numbers: its lines are written as columns, literal columns
among them, joined by another byte that is then removed.
"""

from __future__ import annotations

import json

from autodiff_cli.frames import np, pl
from autodiff_cli.numbers import json_number, plain
from autodiff_cli.threads import Behind

_JOIN = "\x00"  # between JSON's columns; no number or literal holds it
_NULL = "\x01"  # where Python spells the number; nor this
_NULL_BYTE = _NULL.encode()


class ColumnsWriter:
    """`writer` (a `records.PointsWriter`), and `run()` for a `chunked.Run` of rows."""

    def __init__(self, writer, behind: bool = True) -> None:
        self.header = writer.header
        self._row, self.stream, self.fmt = writer, writer.stream, writer.fmt
        # Formatting and writing overlap the next chunk's work, or are done at once.
        self._later = Behind() if behind else None
        self._behind = False  # whether the writing thread may still be writing
        keys = [json.dumps(name, ensure_ascii=False) for name in writer.names]
        # The text before each number (the row's, the value, each gradient), and after them.
        self._between = ['{"row": ', ', "value": ']
        opening = ', "gradients": {'
        self._between += [f"{', ' if k else opening}{key}: " for k, key in enumerate(keys)]
        self._end = "}}" if keys else ', "gradients": {}}'
        self._spell = {"text": plain, "json": _json_text, "jsonl": _json_text}.get(self.fmt, repr)

    def _do(self, call, *args) -> None:
        if self._later is None:
            call(*args)
        else:
            self._later(call, *args)
            self._behind = True

    def _one(self, call, args) -> None:
        """A record or error, written here once the writing thread is done: a call of
        that thread each would cost more than the record (they share the interpreter)."""
        if self._behind:
            self._later.wait()
            self._behind = False
        call(*args)

    def record(self, *args) -> None:
        self._one(self._row.record, args)

    def error(self, *args) -> None:
        self._one(self._row.error, args)

    def flush(self) -> None:
        self._do(self._row.flush)

    def run(self, run) -> None:
        self._do(self._run, run)

    def close(self, whole: bool = True) -> None:
        """Wait until everything is written; or, not `whole`, until the write under way is."""
        if self._later is not None:
            self._later.close() if whole else self._later.abandon()

    def _run(self, run) -> None:
        json_lines = self._spell is _json_text
        odd = [_odd(column, json_lines) for column in run.columns]
        columns = [_nulled(column, where) for column, where in zip(run.columns, odd)]
        cells = sorted((i, k) for k, where in enumerate(odd) for i in where.tolist())
        spelled = [self._spell(float(run.columns[k][i])).encode("utf-8") for i, k in cells]
        buffer = getattr(self.stream, "buffer", None)
        # Polars writes UTF-8: anything else is the text stream's to encode (JSON's keys).
        utf8 = getattr(self.stream, "encoding", "").lower().replace("-", "") == "utf8"
        whole = self._later is None or buffer is None or not utf8
        if whole:  # one write of the text, which a signal does not cut (`cli.output`)
            buffer = _Collected()
        else:  # the writing thread: a signal is the main thread's, which waits for it
            self.stream.flush()  # what the row writer wrote first goes first
        out = _Respelling(buffer, spelled, self.fmt)
        try:
            if self.fmt in ("csv", "tsv"):  # the empty error cell ends each line
                separator = "\t" if self.fmt == "tsv" else ","
                _write(pl.DataFrame(columns), out, separator, end=separator + "\n")
            elif self.fmt == "text":
                _write(pl.DataFrame(columns), out, "\t")
            else:
                literals = [pl.lit(text) for text in [*self._between, self._end]]
                rows = pl.Series(np.arange(run.first, run.first + len(run)))
                parts = [x for pair in zip(literals, [rows, *columns]) for x in pair]
                parts.append(literals[-1])
                frame = pl.select([part.alias(f"c{k}") for k, part in enumerate(parts)])
                _write(frame, out, _JOIN, quote_style="never")
            out.close()
        except Exception:
            if out.error is not None:  # the output's own error (a closed pipe), not polars'
                raise out.error from None
            raise
        if whole:
            self.stream.write(buffer.text())


class _Respelling:
    """Where polars writes: whole lines go on to `buffer`, each null marker replaced
    by the next of `spelled`, JSON's joins dropped and, in text, a whole number's `.0`."""

    def __init__(self, buffer, spelled: list, fmt: str) -> None:
        self._buffer, self._spelled, self._fmt = buffer, iter(spelled), fmt
        self._pending = b""  # a line polars has not finished
        self.error: BaseException | None = None  # polars reports it as its own: kept here

    def write(self, data: bytes) -> int:
        try:
            cut = data.rfind(b"\n") + 1
            if self._pending and cut:  # the line polars had begun, now whole
                first = data.find(b"\n") + 1
                self._lines(self._pending + data[:first])
                self._pending, start = b"", first
            else:
                start = 0
            if cut:
                self._lines(data, start, cut)
            self._pending += data[cut:]
        except BaseException as error:
            self.error = error
            raise
        return len(data)

    def close(self) -> None:
        self._lines(self._pending)

    def _lines(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        """Whole lines, `data[start:end]`, written on without a copy in CSV and TSV."""
        end = len(data) if end is None else end
        if self._fmt == "text":
            data = data[start:end].replace(b".0\t", b"\t").replace(b".0\n", b"\n")  # 2.0 is 2
            start, end = 0, len(data)
        elif self._fmt not in ("csv", "tsv"):
            data = data[start:end].replace(_JOIN.encode(), b"")
            start, end = 0, len(data)
        view, write = memoryview(data), self._buffer.write
        at = data.find(_NULL_BYTE, start, end)
        while at >= 0:
            write(view[start:at])
            write(next(self._spelled))
            start = at + 1
            at = data.find(_NULL_BYTE, start, end)
        write(view[start:end])

    def flush(self) -> None:
        pass


class _Collected(list):
    """Bytes written, kept to be written as one text."""

    def write(self, data) -> None:
        self.append(data)

    def text(self) -> str:
        return b"".join(self).decode("utf-8")


def _odd(column, json_lines: bool):
    """Where polars spells a number otherwise than Python: below 1e-4, and JSON's non-finite."""
    odd = (np.abs(column) < 1e-4) & (column != 0.0)
    if json_lines:
        odd |= ~np.isfinite(column)
    return np.flatnonzero(odd)


def _nulled(column, where):
    series = pl.Series(column)
    return series.scatter(where, None) if where.size else series


def _json_text(x: float) -> str:
    return json.dumps(json_number(x))


def _write(frame, out, separator: str, quote_style: str = "necessary", end: str = "\n") -> None:
    frame.write_csv(out, include_header=False, separator=separator, quote_style=quote_style,
                    null_value=_NULL, line_terminator=end)  # fmt: skip
