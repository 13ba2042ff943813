"""Safe YAML reading with a line number for every key and list item.

Only plain YAML values come out (mappings with text keys, lists, text,
numbers, booleans, null, dates): the loader is a :class:`yaml.SafeLoader`
subclass and any other tag is refused.  Nothing here raises on bad input: the
document's problems come back as :class:`.errors.PolicyError` values, and
hostile documents (too large, too deep, alias bombs) are refused with one
error, quickly.
"""

import re
from dataclasses import dataclass, field

import yaml

from .errors import PolicyError, format_path

MAX_BYTES = 256 * 1024
MAX_DEPTH = 40
MAX_NODES = 20_000

_CORE = "tag:yaml.org,2002:"
MERGE_TAG = _CORE + "merge"
ALLOWED_TAGS = frozenset(_CORE + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp"))


@dataclass
class Source:
    """The document as plain Python data, the line of every key path, and the problems met."""

    data: object = None
    lines: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def line_of(self, path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


class _Refused(Exception):
    def __init__(self, message, mark=None, path=""):
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.path = path


class PolicyYamlLoader(yaml.SafeLoader):
    """A SafeLoader that refuses nesting deeper than :data:`MAX_DEPTH` while composing."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"the document nests deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse_yaml(text) -> Source:
    """Read ``text`` (str or UTF-8 bytes) into a :class:`Source`; never raises."""
    source = Source()
    text = _checked_text(text, source)
    if text is None:
        return source
    loader = None
    try:
        loader = PolicyYamlLoader(text)
        root = loader.get_single_node()
        if root is not None:
            source.lines[()] = root.start_mark.line + 1
            source.data = _Converter(loader, source).value(root, (), 1)
    except _Refused as refused:
        source.errors[:] = [PolicyError(refused.path, refused.mark.line + 1 if refused.mark else None, refused.message)]
        source.data = None
    except yaml.MarkedYAMLError as exc:
        source.errors.append(_syntax_error(exc))
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        source.errors.append(PolicyError("", line, f"YAML syntax error: {_reader_problem(exc)}"))
    except yaml.YAMLError as exc:
        source.errors.append(PolicyError("", None, f"YAML syntax error: {exc}"))
    except RecursionError:
        source.errors[:] = [PolicyError("", None, f"the document nests deeper than {MAX_DEPTH} levels")]
    finally:
        if loader is not None:
            loader.dispose()
    return source


def _checked_text(text, source):
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            source.errors.append(_too_large(len(text)))
            return None
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = text.count(b"\n", 0, exc.start) + 1
            source.errors.append(PolicyError("", line, f"the document is not UTF-8 text (byte {exc.start})"))
            return None
    if not isinstance(text, str):
        source.errors.append(PolicyError("", None, f"expected the document as text, got {type(text).__name__}"))
        return None
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        source.errors.append(_too_large(len(text.encode("utf-8", "surrogatepass"))))
        return None
    return text


def too_large_error(size=None) -> PolicyError:
    """The error for a document over :data:`MAX_BYTES`: ``size`` is its true size (``None``: not known)."""
    limit = f"{MAX_BYTES} bytes ({MAX_BYTES // 1024} KiB)"
    written = f"{size} bytes" if size is not None else f"more than {MAX_BYTES} bytes"
    return PolicyError("", None, f"the document is {written}; the limit is {limit}")


_too_large = too_large_error


def read_policy_file(path):
    """A policy file's text: ``(text, [])``, or ``(None, [problem])`` when it cannot be read, is over
    :data:`MAX_BYTES` (no more than that is read) or is not UTF-8; never raises."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, [PolicyError("", None, f"cannot read the file: {exc.strerror or exc}")]
    if len(data) > MAX_BYTES:
        return None, [PolicyError("", None, f"the file is larger than {MAX_BYTES // 1024} KiB")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [PolicyError("", line, f"the file is not UTF-8 text (byte {exc.start})")]


def _reader_problem(exc):
    if isinstance(exc.character, int):
        return f"unacceptable character #x{exc.character:04x}: {exc.reason}"
    return f"unacceptable byte #x{exc.character[0]:02x}: {exc.reason}"


def _syntax_error(exc):
    mark = exc.problem_mark or exc.context_mark
    problem = ", ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
    if mark is None:
        return PolicyError("", None, f"YAML syntax error: {problem}")
    return PolicyError("", mark.line + 1, f"YAML syntax error: {problem}", mark.column + 1)


_OCTAL = re.compile(r"[-+]?0[0-7_]+\Z")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?\Z")


def _yaml11_surprise(node, value):
    """Why a number YAML 1.1 reads differently from how it is written (octal, base 60), or ``None``.

    PyYAML follows YAML 1.1: ``040`` is octal (32) and ``1:30`` is base 60 (90).
    Nobody writing a policy means either, so such a number is refused, naming what
    it would have been, rather than read silently as another number.
    """
    if node.tag not in (_CORE + "int", _CORE + "float") or not isinstance(value, int | float):
        return None
    written = node.value.strip()
    if node.tag == _CORE + "int" and _OCTAL.match(written):
        return (f"{written!r} is an octal number in YAML 1.1 (it reads as {value}); write it without the leading "
                f"zero ({int(written.replace('_', ''), 10)}), or quote it to mean text")
    if _SEXAGESIMAL.match(written):
        return (f"{written!r} is a base-60 number in YAML 1.1 (it reads as {value}); write the number itself, "
                f"or quote it to mean text")
    return None


def _tag_name(tag):
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


class _Converter:
    """Builds plain data from the composed node graph, counting every node visited.

    Aliases point at the same node object, so counting visits (not distinct
    nodes) bounds what an anchor/alias bomb would expand to.
    """

    def __init__(self, loader, source):
        self.loader = loader
        self.source = source
        self.visits = 0

    def value(self, node, path, depth):
        self._count(node, depth)
        if node.tag not in ALLOWED_TAGS:
            message = f"the tag '{_tag_name(node.tag)}' is not allowed; write plain YAML values"
            raise _Refused(message, node.start_mark, format_path(path))
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, path, depth)
        if isinstance(node, yaml.MappingNode):
            result = {}
            self._fill(node, result, path, depth, merging=False)
            return result
        return self._scalar(node, path)

    def _count(self, node, depth):
        self.visits += 1
        if self.visits > MAX_NODES:
            raise _Refused(f"the document expands to more than {MAX_NODES} values; anchors and aliases "
                           f"may not multiply it", node.start_mark)
        if depth > MAX_DEPTH:
            raise _Refused(f"the document nests deeper than {MAX_DEPTH} levels", node.start_mark)

    def _sequence(self, node, path, depth):
        items = []
        for index, child in enumerate(node.value):
            self.source.lines[(*path, index)] = child.start_mark.line + 1
            items.append(self.value(child, (*path, index), depth + 1))
        return items

    def _scalar(self, node, path):
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, TypeError) as exc:
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self._error(path, node, f"cannot read the value {node.value!r}: {problem}")
            return node.value
        surprise = _yaml11_surprise(node, value)
        if surprise:
            self._error(path, node, surprise)
        return value

    def _fill(self, node, result, path, depth, merging):
        merges = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merges.append(value_node)
                continue
            key = self._key(key_node, path, depth)
            if key is None:
                continue
            if key in result:
                if not merging:
                    first = self.source.lines.get((*path, key))
                    self._error((*path, key), key_node, f"duplicate key; it is already defined at line {first}")
                continue
            self.source.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = self.value(value_node, (*path, key), depth + 1)
        for merge_node in merges:
            for mapping in self._merge_sources(merge_node, path, depth):
                self._fill(mapping, result, path, depth + 1, merging=True)

    def _merge_sources(self, node, path, depth):
        self._count(node, depth)
        if isinstance(node, yaml.MappingNode):
            return [node]
        if isinstance(node, yaml.SequenceNode) and all(isinstance(item, yaml.MappingNode) for item in node.value):
            return node.value
        self._error(path, node, "a merge (<<) takes a mapping or a list of mappings")
        return []

    def _key(self, node, path, depth):
        self._count(node, depth)
        if not isinstance(node, yaml.ScalarNode) or node.tag not in ALLOWED_TAGS:
            self._error(path, node, "expected a plain text key, got a complex key")
            return None
        key = self._scalar(node, path)
        if not isinstance(key, str):
            self._error(path, node, f"expected a text key, got {node.value!r}; quote it")
            return None
        return key

    def _error(self, path, node, message):
        self.source.errors.append(PolicyError(format_path(path), node.start_mark.line + 1, message))
