"""YAML read from users' files, with a bad file reported as one :class:`InputError` line."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import InputError


def parse_yaml(text: str, file: str) -> object:
    """``text`` parsed as YAML; a syntax error names the file and its line and column."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(where, "valid YAML", err.problem or str(err), file) from None
    except yaml.YAMLError as err:
        raise InputError("", "valid YAML", str(err), file) from None


def read_yaml_file(path: str | Path, what: str) -> object:
    """The YAML file at ``path`` (a ``what``: scenario, labs, ...), or an InputError saying why not."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise InputError("", f"an existing {what} file", repr(file), file) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError("", f"a readable UTF-8 {what} file", str(err), file) from None
    return parse_yaml(text, file)
