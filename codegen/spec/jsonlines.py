"""Fast loading of JSON documents with the line of every node.

PyYAML's composer is pure Python and takes tens of seconds on a 10 MB JSON spec; the C JSON parser
takes a fraction of a second. Lines come from one regex pass over the text, which also finds
duplicate keys (json.loads keeps the last one silently).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import cache
from json.encoder import encode_basestring
from typing import Any

from ..diagnostics import Diagnostic, SpecError

_INDENT = re.compile(r"[ \t]*")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')


class _Frame:
    __slots__ = ("pointer", "is_object", "index", "key", "keys")

    def __init__(self, pointer: str, is_object: bool) -> None:
        self.pointer = pointer
        self.is_object = is_object
        self.index = 0
        self.key: str | None = None  # object: the key whose value comes next
        self.keys: set[str] = set()


def json_lines(text: str, file: str, data: Any = None, duplicates: list[Diagnostic] | None = None) -> dict[str, int]:
    """JSON pointer -> 1-based line of every key and array item; each key given twice in an object
    is added to `duplicates` as a warning.

    With the parsed `data` of a document laid out one node a line, the lines come from the data,
    checked against the text (`_laid_out_lines`, a few times faster than the token pass); finding
    duplicates takes the token pass."""
    if data is not None and duplicates is None:
        found = _laid_out_lines(text, data)
        if found is not None:
            return found
    lines: dict[str, int] = {"": 1}
    stack: list[_Frame] = []
    expecting_key = False
    line, counted = 1, 0  # line number at offset `counted`, advanced incrementally (C-speed count)

    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"' and not (expecting_key or (stack and not stack[-1].is_object)):
            continue  # a string value inside an object: nothing to record
        pos = match.start()
        line += text.count("\n", counted, pos)
        counted = pos
        if first == "{" or first == "[":
            pointer = _value_pointer(stack, lines, line)
            stack.append(_Frame(pointer, first == "{"))
            expecting_key = first == "{"
        elif first == "}" or first == "]":
            if stack:
                stack.pop()
            expecting_key = False
        elif first == ",":
            if stack:
                top = stack[-1]
                if top.is_object:
                    expecting_key = True
                else:
                    top.index += 1
        elif first == ":":
            expecting_key = False
        elif expecting_key and stack:  # an object key
            top = stack[-1]
            key = json.loads(token) if "\\" in token else token[1:-1]
            top.key = key
            pointer = top.pointer + "/" + _escape(key)
            if key in top.keys and duplicates is not None:
                message = f"duplicate key {key!r}; the last value is used"
                duplicates.append(Diagnostic(file, line, pointer, message, "warning"))
            top.keys.add(key)
            lines.setdefault(pointer, line)
        elif stack:  # a string item of an array
            _value_pointer(stack, lines, line)
    return lines


class _OtherLayout(Exception):
    pass


def _laid_out_lines(text: str, data: Any) -> dict[str, int] | None:
    """Lines of a document written as JSON.stringify(doc, null, n) and json.dumps(doc, indent=n)
    write it (each key and item on a line of its own, indented n a level): computed from the data
    and checked against the text line by line, so None for any other layout."""
    if not (isinstance(data, dict | list) and data and text[:2] in ("{\n", "[\n")):
        return None
    indent = _INDENT.match(text, 2).group()  # type: ignore[union-attr]
    if not indent:
        return None
    lines: dict[str, int] = {"": 1}
    at = [0, 1]  # offset where the current line starts, its number

    def next_line(prefix: str) -> None:
        end = text.find("\n", at[0])
        if end < 0 or not text.startswith(prefix, end + 1):
            raise _OtherLayout
        at[0], at[1] = end + 1, at[1] + 1

    def walk(node: dict[str, Any] | list[Any], pointer: str, depth: int) -> None:
        pad = indent * (depth + 1)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(key, str):
                next_line(pad + encode_basestring(key) + ":")
                child = pointer + "/" + _escape(key)
            else:
                next_line(pad)
                if text[at[0] + len(pad)] in " \t\n":
                    raise _OtherLayout
                child = f"{pointer}/{key}"
            lines.setdefault(child, at[1])
            if isinstance(value, dict | list) and value:
                walk(value, child, depth + 1)
        next_line(indent * depth + ("}" if isinstance(node, dict) else "]"))

    try:
        walk(data, "", 0)
    except (_OtherLayout, RecursionError, IndexError):
        return None
    return lines if not text[at[0] + 1 :].strip() else None


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1") if ("~" in key or "/" in key) else key


def _value_pointer(stack: list[_Frame], lines: dict[str, int], line: int) -> str:
    """Pointer of the value starting here; array items get their line recorded (keys already are)."""
    if not stack:
        return ""
    top = stack[-1]
    if top.is_object:
        return top.pointer + "/" + _escape(top.key or "")
    pointer = top.pointer + "/" + str(top.index)
    lines.setdefault(pointer, line)
    return pointer


def load_json(
    text: str,
    file: str,
    duplicates: list[Diagnostic] | None = None,
    refs: set[str] | None = None,
    noted: list[dict[str, Any]] | None = None,
) -> Any:
    """The data of a JSON document (the last value of a key given twice); SpecError for invalid
    JSON. Each duplicate key goes into `duplicates` as a warning with its line and pointer, every
    "$ref" string of an object into `refs`, and every object holding one of NOTED_KEYS into
    `noted` (data in examples too: the parser cannot tell).

    Lines are not computed here: `json_lines` runs only when a diagnostic needs one.
    """
    seen = _Seen(refs, noted)
    try:
        data = json.loads(text, object_pairs_hook=seen.hook)
    except json.JSONDecodeError as exc:
        raise SpecError([Diagnostic(file, exc.lineno, "", f"not valid JSON: {exc.msg} (column {exc.colno})")]) from None
    except RecursionError:
        raise SpecError([Diagnostic(file, None, "", "not valid JSON: nested too deeply")]) from None
    if seen.found and duplicates is not None:
        json_lines(text, file, duplicates=duplicates)  # finds each duplicate's line and pointer
    return data


class _Seen:
    """What the parser meets on the way, object by object: keys given twice, "$ref" strings (a
    walk of a large document for them costs more than the parse)."""

    def __init__(self, refs: set[str] | None, noted: list[dict[str, Any]] | None) -> None:
        self.found = False
        self.refs = refs
        self.noted = noted

    def hook(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            self.found = True
        if self.refs is not None:
            ref = result.get("$ref")
            if ref.__class__ is str:
                self.refs.add(ref)
        if self.noted is not None and not NOTED_KEYS.isdisjoint(result):
            self.noted.append(result)
        return result


# Keys a later stage looks for in every node of the document (prepare/loose.py: schema constructs
# without a precise type). The parser notes the objects holding one, so that a document whose
# noted objects have no such construct is not walked for them (a tenth of a second on GitHub's).
NOTED_KEYS = frozenset(
    {
        "enum",
        "not",
        "if",
        "prefixItems",
        "patternProperties",
        "$dynamicRef",
        "dependentSchemas",
        "unevaluatedProperties",
    }
)


class OtherLayout(Exception):
    """The text is not laid out one node a line where a pointer leads: the caller computes every line."""


@cache
def _line_at_indent(pad: str) -> re.Pattern[str]:
    """A line indented exactly `pad` (a newline and the indentation): inside an object whose own
    line has that indentation, only its closing line is."""
    return re.compile(re.escape(pad) + r"[^ \t]")


@dataclass
class _KeysRead:
    """How far an object's keys have been found in the text."""

    found: dict[str, tuple[int, int]]  # key -> (where its line begins, how far its value is from there)
    at: int  # where the search for the next key goes on


class LaidOutLines:
    """The line of one pointer in a document laid out one node a line (as `_laid_out_lines`
    expects), found by searching the text for its keys level by level instead of laying out the
    whole document: a run with a few warnings on a 13 MB spec needs a few dozen lines, not a map
    of a million. Each answer is checked: the text where it points must parse to the value at the
    pointer, else OtherLayout."""

    def __init__(self, text: str, data: Any) -> None:
        indent = _INDENT.match(text, 2).group() if text[:2] in ("{\n", "[\n") else ""  # type: ignore[union-attr]
        if not indent or not isinstance(data, dict | list):
            raise OtherLayout
        self._text, self._data, self._indent = text, data, indent
        self._decoder = json.JSONDecoder()
        self._known: list[tuple[int, int]] = [(0, 1)]  # (offset, line there), sorted by offset
        self._objects: dict[int, _KeysRead] = {}  # by where the object's line begins

    def line(self, pointer: str) -> int:
        """The line of the node at pointer, or of the nearest node above it that exists."""
        text, indent = self._text, self._indent
        node, line_start, value_start, depth = self._data, 0, 0, 0
        for raw in pointer.split("/")[1:] if pointer else ():
            token = raw.replace("~1", "/").replace("~0", "~")
            pad = "\n" + indent * (depth + 1)
            if isinstance(node, dict) and token in node:
                found, width = self._key(line_start, pad, token)
                child = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                found, width = self._item(node, int(token), pad, line_start), len(pad)
                child = node[int(token)]
            else:
                break
            if found < 0:
                raise OtherLayout
            node, line_start, value_start, depth = child, found + 1, found + width, depth + 1
        if not depth:
            return 1
        try:
            value = self._decoder.raw_decode(text, _INDENT.match(text, value_start).end())[0]  # type: ignore[union-attr]
        except json.JSONDecodeError:
            raise OtherLayout from None
        if value != node:
            raise OtherLayout
        return self._line_at(line_start)

    def _key(self, start: int, pad: str, token: str) -> tuple[int, int]:
        """(Where its line begins, how far its value is from there) of key `token`, which the
        data has, of the object whose line begins at `start`: its entries are the lines indented
        one level more than it that begin with a quote; deeper lines have more indentation. The
        text is read only as far as the key (the object may be most of the document), and on
        from there for a later one. Keys validation dropped from the data are passed over."""
        read = self._objects.get(start)
        if read is None:
            read = self._objects[start] = _KeysRead({}, start)
        text, needle = self._text, pad + '"'
        outside = _line_at_indent(pad[: -len(self._indent)])  # the object's closing line, or further
        while token not in read.found:
            found = text.find(needle, read.at)
            if found < 0 or outside.search(text, read.at, found):
                raise OtherLayout
            key, after = self._decoder.raw_decode(text, found + len(pad))
            colon = text.find(":", after, after + 4)
            if colon < 0:
                raise OtherLayout
            read.found.setdefault(key, (found, colon + 1 - found))  # a key given twice: its first line
            read.at = colon
        return read.found[token]

    def _item(self, items: list[Any], index: int, pad: str, start: int) -> int:
        """Where the line of item `index` of an array begins (its newline): each item before it
        takes one line, or runs to the line closing it at its own indentation."""
        text = self._text
        at = text.find("\n", start)
        for item in items[:index]:
            if isinstance(item, dict | list) and item:
                at = text.find(pad + ("}" if isinstance(item, dict) else "]"), at + 1)
                if at < 0:
                    return -1
            at = text.find("\n", at + 1)
            if at < 0:
                return -1
        return at if text.startswith(pad, at) and text[at + len(pad) : at + len(pad) + 1] not in (" ", "\t", "") else -1

    def _line_at(self, offset: int) -> int:
        """1-based line of an offset, counted on from the nearest offset counted before."""
        index = bisect.bisect_right(self._known, (offset, 1 << 62)) - 1
        base, line = self._known[index]
        line += self._text.count("\n", base, offset)
        self._known.insert(index + 1, (offset, line))
        return line
