"""Reading scenario files: safely, with bounded work, and with errors that name the file.

Scenario files come from people, editors and other machines: a file may be UTF-16, a
folder, a pipe, a device, a 50 MB paste, nested 5,000 levels deep, or `extends` a file
anywhere on the machine. This module reads only regular files of bounded size as UTF-8
TOML (data only: nothing is evaluated), bounds the nesting and the `extends` chain,
keeps `extends` inside the scenario's own folder or the shipped scenarios (unless the
caller allows more), and remembers which file set each key, so an error in a parent file
names that parent. Validation itself is the schema's (sim/scenario.py), in strict mode.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from sim.scenario import Scenario

MAX_FILE_BYTES = 1_000_000  # the largest shipped scenario is ~2 KB
MAX_DEPTH = 8  # tables/arrays inside each other; the schema needs 5
MAX_EXTENDS = 16  # files in one `extends` chain
ADD_KEY = "add_interventions"  # appends to the inherited interventions list


class ScenarioError(ValueError):
    """A scenario file could not be used; the message names the file and the keys."""


def _shipped_dir() -> Path:
    from sim.scenario import SCENARIO_DIR

    return SCENARIO_DIR


def shipped_names() -> list[str]:
    return sorted(p.stem for p in _shipped_dir().glob("*.toml"))


# --------------------------------------------------------------------------------------
# one file
# --------------------------------------------------------------------------------------
def read_text_file(path: Path, what: str = "scenario file", max_bytes: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of a regular file of at most `max_bytes`; ScenarioError otherwise.

    Pipes, devices, sockets and folders are refused before they are opened (a FIFO would
    block forever, /dev/zero never ends); the file is opened without blocking and checked
    again, so it cannot be swapped for one in between."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except PermissionError:
        raise ScenarioError(f"{path}: permission denied (the {what} cannot be read)") from None
    except (OSError, ValueError) as exc:  # name too long, symlink loop, NUL byte ...
        raise ScenarioError(f"{_short(str(path))}: cannot be read ({_why(exc)})") from None
    _check_regular(path, st, what, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be opened ({_why(exc)})") from None
    try:
        _check_regular(path, os.fstat(fd), what, max_bytes)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({_why(exc)})") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise ScenarioError(
            f"{path}: grew past {max_bytes:,} bytes while being read; "
            f"{what}s are at most {max_bytes:,} bytes"
        )
    return decode_text(path, data, what)


def _check_regular(path: Path, st: os.stat_result, what: str, max_bytes: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise ScenarioError(f"{path}: is a folder, not a {what} (a .toml file)")
    if not stat.S_ISREG(st.st_mode):
        raise ScenarioError(
            f"{path}: is not a regular file (a device, pipe or socket); "
            f"{what}s must be ordinary .toml files"
        )
    if st.st_size > max_bytes:
        raise ScenarioError(
            f"{path}: is {st.st_size:,} bytes; {what}s are at most "
            f"{max_bytes:,} bytes (the shipped ones about 2,000)"
        )


def decode_text(path: Path, data: bytes, what: str = "scenario file") -> str:
    """UTF-8 (a byte-order mark is dropped); other encodings and binary data are errors that
    say how to fix them."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(
            f"{path}: is encoded as UTF-16; {what}s must be UTF-8 "
            "(in your editor: save with encoding UTF-8)"
        )
    if b"\x00" in data:
        raise ScenarioError(f"{path}: holds binary data (NUL bytes); {what}s are UTF-8 TOML text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            f"{path}: is not UTF-8 (byte 0x{data[exc.start]:02x} on line {line}; perhaps "
            f"latin-1 or Windows-1252); {what}s must be UTF-8 (in your editor: save with "
            "encoding UTF-8)"
        ) from None
    return text.removeprefix("\ufeff")


def parse_toml(path: Path, text: str) -> dict[str, Any]:
    """TOML as plain data (never evaluated), nested at most MAX_DEPTH levels."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(
            f"{path}: tables or arrays are nested too deeply (allowed: at most {MAX_DEPTH} levels)"
        ) from None
    where = _too_deep(data, MAX_DEPTH)
    if where is not None:
        raise ScenarioError(
            f"{path}: {where or 'the file'}: tables or arrays are nested more "
            f"than {MAX_DEPTH} levels deep (a scenario needs at most 5)"
        )
    return data


def _too_deep(value: Any, left: int, loc: str = "") -> str | None:
    """The key path at which `value` nests more than `left` levels, else None (iterative:
    a hostile file must not exhaust the stack here either)."""
    stack = [(value, left, loc)]
    while stack:
        v, k, here = stack.pop()
        if isinstance(v, dict):
            items = [(f"{here}.{key}" if here else str(key), x) for key, x in v.items()]
        elif isinstance(v, list):
            items = [(f"{here}[{i}]", x) for i, x in enumerate(v)]
        else:
            continue
        if k <= 0:
            return here
        stack.extend((x, k - 1, w) for w, x in items)
    return None


# --------------------------------------------------------------------------------------
# extends chains
# --------------------------------------------------------------------------------------
@dataclass
class Loaded:
    """A merged scenario: its data, the file that set each key path, and notes for the user."""

    path: Path
    data: dict[str, Any]
    origin: dict[tuple, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def file_of(self, loc: tuple) -> Path:
        """The file that set the value at `loc` (the longest key path it set)."""
        for k in range(len(loc), 0, -1):
            if loc[:k] in self.origin:
                return self.origin[loc[:k]]
        return self.path


def resolve_path(name_or_path: str | Path) -> Path:
    """Accept a path, or the bare name of a shipped scenario (`baseline`)."""
    text = str(name_or_path)
    if not text or "\x00" in text or len(text) > 4096:
        raise ScenarioError(f"{_short(text)!r}: not a usable scenario name or path")
    p = Path(name_or_path)
    try:
        if p.exists() or p.is_symlink():
            return p
    except OSError as exc:
        raise ScenarioError(
            f"{_short(text)}: cannot be read as a scenario file ({_why(exc)})"
        ) from None
    shipped = _shipped_dir()
    if "/" not in text and "\\" not in text:
        for candidate in (shipped / text, shipped / f"{text}.toml"):
            if candidate.is_file():
                return candidate
    raise ScenarioError(
        f"{_short(text)}: no such scenario file (shipped scenarios: {', '.join(shipped_names())})"
    )


def _parent_path(child: Path, parent: Any, roots: tuple[Path, ...], allow_outside: bool) -> Path:
    """The file `extends = parent` in `child` names: a .toml file in the folder of the
    scenario the user named (or below it), or a shipped scenario by name."""
    shipped = _shipped_dir()
    if not isinstance(parent, str):
        raise ScenarioError(
            f"{child}: extends: must be a file name (a string), got {type(parent).__name__}"
        )
    if not parent.strip() or "\x00" in parent or len(parent) > 255:
        raise ScenarioError(
            f"{child}: extends: must name a .toml file next to it or a shipped "
            f"scenario ({', '.join(shipped_names())}), got {_short(parent)!r}"
        )
    local = child.parent / parent
    if not local.suffix and not local.exists():
        local = local.with_suffix(".toml")
    candidates = [local]
    if "/" not in parent and "\\" not in parent:
        candidates += [shipped / parent, shipped / f"{parent}.toml"]
    for cand in candidates:
        try:
            if not cand.exists():
                continue
            real = cand.resolve()
        except (OSError, ValueError):
            continue
        inside = any(real.is_relative_to(r) for r in roots)
        if not inside and not allow_outside:
            raise ScenarioError(
                f"{child}: extends: {_short(parent)!r} is outside the scenario's folder "
                f"({roots[0]}) and not a shipped scenario; extends may name a .toml file in "
                f"that folder or below, or a shipped scenario ({', '.join(shipped_names())}). "
                "To read it anyway pass --allow-outside-extends "
                "(load_scenario(..., allow_outside=True))"
            )
        if real.suffix != ".toml" and not allow_outside:
            raise ScenarioError(f"{child}: extends: {_short(parent)!r} is not a .toml file")
        return cand
    raise ScenarioError(
        f"{child}: extends: {_short(parent)!r} not found (looked for "
        f"{local}; shipped scenarios: {', '.join(shipped_names())})"
    )


def load_layers(path: Path, allow_outside: bool = False) -> Loaded:
    """Read `path` and every file it extends; merge them (tables key by key, values and
    lists replace; `[[add_interventions]]` appends to the inherited interventions)."""
    roots = (path.resolve().parent, _shipped_dir().resolve())
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: list[Path] = []
    current = path
    while True:
        real = current.resolve()
        if real in seen:
            cycle = " -> ".join(p.name for p in (*seen, real))
            raise ScenarioError(f"{current}: 'extends' forms a cycle ({cycle})")
        if len(seen) >= MAX_EXTENDS:
            raise ScenarioError(
                f"{path}: the 'extends' chain is longer than {MAX_EXTENDS} "
                f"files (stopped at {current})"
            )
        seen.append(real)
        try:
            data = parse_toml(current, read_text_file(current))
        except ScenarioError as exc:
            if not chain:
                raise
            raise ScenarioError(f"{exc} (extended by {chain[-1][0]})") from None
        chain.append((current, data))
        if data.get("extends") is None:
            break
        current = _parent_path(current, data["extends"], roots, allow_outside)

    out = Loaded(path=path, data={})
    for depth, (src, data) in enumerate(reversed(chain)):
        data = dict(data)
        is_root = depth == len(chain) - 1
        if not is_root:  # a parent's name and description are its own
            data.pop("name", None)
            data.pop("description", None)
        added = data.pop(ADD_KEY, None)
        inherited = out.data.get("interventions") or []
        if "interventions" in data and inherited and depth > 0:
            kinds = ", ".join(
                str(iv.get("type")) if isinstance(iv, dict) else "?" for iv in inherited
            )
            out.notes.append(
                f"{src}: its interventions replace the {len(inherited)} inherited from the "
                f"file it extends ({kinds}); to keep them and add more, use "
                f"[[{ADD_KEY}]] instead of [[interventions]]"
            )
        _merge(out.data, data, out.origin, src, ())
        if added is not None:
            if not isinstance(added, list):
                raise ScenarioError(
                    f"{src}: {ADD_KEY}: must be a list of intervention tables "
                    f"([[{ADD_KEY}]]), got {type(added).__name__}"
                )
            base = out.data.get("interventions")
            base = list(base) if isinstance(base, list) else []
            for item in added:
                out.origin[("interventions", len(base))] = src
                base.append(item)
            out.data["interventions"] = base
    out.data["extends"] = chain[0][1].get("extends")
    return out


def _merge(base: dict, over: dict, origin: dict[tuple, Path], src: Path, prefix: tuple) -> None:
    for key, value in over.items():
        loc = (*prefix, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, origin, src, loc)
            continue
        for k in [k for k in origin if k[: len(loc)] == loc]:
            del origin[k]
        base[key] = value
        origin[loc] = src


def load_raw(path: Path, allow_outside: bool = False) -> dict[str, Any]:
    """A file merged over the files it extends, as plain data (not validated)."""
    return load_layers(Path(path), allow_outside).data


# --------------------------------------------------------------------------------------
# validation and its messages
# --------------------------------------------------------------------------------------
def load_scenario(
    name_or_path: str | Path, *, allow_outside: bool = False, **overrides: Any
) -> Scenario:
    """Load, merge and validate a scenario (strictly: a string is not a number, `true` is
    not 1); errors are ScenarioError naming the file and the key. `overrides` are section
    tables merged over the file, e.g. `run={"years": 2}`."""
    from sim.scenario import Scenario, _deep_merge

    path = resolve_path(name_or_path)
    loaded = load_layers(path, allow_outside)
    data = loaded.data
    if "name" not in data:
        data["name"] = safe_name(path.stem)
    if overrides:
        _deep_merge(data, overrides)
    try:
        sc = Scenario.model_validate(data, strict=True, context={"strict": True})
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(str(path), exc, loaded)) from None
    except RecursionError:
        raise ScenarioError(f"{path}: nested too deeply to validate") from None
    sc._load_notes = list(loaded.notes)
    return sc


def format_validation_error(source: str, exc: ValidationError, loaded: Loaded | None = None) -> str:
    """One block per file: the file that holds each bad value (a parent file is named as
    such), the key path, what is wrong and what is allowed."""
    by_file: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = tuple(err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key" + _allowed_hint(loc)
        elif err["type"] == "missing":
            msg = "missing: this key is required" + _required_hint(loc)
        elif (
            err["type"] != "missing"
            and "input" in err
            and not isinstance(err["input"], (dict, list))
        ):
            msg = f"{msg} (got {_short(repr(err['input']))})"
            if err["type"] in _TYPE_HINTS and isinstance(err["input"], str):
                msg += f": {_TYPE_HINTS[err['type']]}"
        where = source
        if loaded is not None:
            # checks across sections raise at the top level and start with their key path
            f = loaded.file_of(loc or _loc_of(msg))
            if f != loaded.path:
                where = f"{f} (extended by {source})"
        key = _loc_text(loc)
        by_file.setdefault(where, []).append(f"  - {key}: {msg}" if key else f"  - {msg}")
    blocks = []
    for where, lines in by_file.items():
        blocks.append(f"{where}: {len(lines)} problem(s) in the scenario\n" + "\n".join(lines))
    return "\n".join(blocks)


_TYPE_HINTS = {
    "float_type": "numbers are written without quotes (years = 2)",
    "int_type": "whole numbers are written without quotes (floors = 10)",
    "bool_type": "write true or false, without quotes",
}
_LOC = re.compile(r"([A-Za-z_]\w*(?:\[\d+\])?(?:\.[A-Za-z_]\w*(?:\[\d+\])?)*)[ :=]")


def _loc_of(msg: str) -> tuple:
    """The key path a cross-section message starts with, as a loc tuple."""
    m = _LOC.match(msg)
    if not m:
        return ()
    out: list = []
    for part in m.group(1).split("."):
        name, _, rest = part.partition("[")
        out.append(name)
        if rest:
            out.append(int(rest.rstrip("]")))
    return tuple(out)


def _required_hint(loc: tuple) -> str:
    if len(loc) == 3 and loc[0] == "interventions" and loc[2] == "type":
        from sim.interventions import REGISTRY

        return f" (one of: {', '.join(sorted(REGISTRY))})"
    return ""


def _loc_text(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _allowed_hint(loc: tuple) -> str:
    """List the keys that are allowed where an unknown key was found."""
    from sim.scenario import Scenario

    model: Any = Scenario
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        f = getattr(model, "model_fields", {}).get(part)
        if f is None:
            return ""
        ann = f.annotation
        args = [
            a
            for x in (ann, *getattr(ann, "__args__", ()))
            for a in (x, *getattr(x, "__args__", ()))
        ]
        model = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if model is None:
            return ""
    keys = list(model.model_fields)
    if model.__name__ == "Scenario":
        keys.append(ADD_KEY)
    return f" (allowed: {', '.join(keys)})"


def _short(text: str, limit: int = 80) -> str:
    """User text cut to `limit` characters for a message (a 50 MB value stays out of it)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


_NAME = re.compile(r"\w[\w.+-]{0,99}")
NAME_RULE = (
    "1-100 letters, digits, '_', '-', '.' or '+', starting with a letter, digit or "
    "'_' (it becomes a folder name: no '/', '\\', spaces or control characters)"
)


def check_name(name: str) -> str:
    """A scenario name is a safe folder name: results/<name>/ stays inside results/."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"{_short(name)!r} is not a usable scenario name: use {NAME_RULE}")
    return name


def safe_name(stem: str) -> str:
    """A usable name made from a file name (when the file gives none)."""
    name = re.sub(r"[^\w.+-]", "_", stem)[:100]
    return name if _NAME.fullmatch(name) else ("_" + name)[:100]
