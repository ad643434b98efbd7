"""Declarative configuration: YAML validated by a pydantic model, errors that point at the spot.

Every YAML file journeyhub reads (source mappings, journey models) goes through
:func:`load_yaml_model`, so a mistake reads the same everywhere::

    journeys/retail.yaml: touchpoints.3.phase (line 41): 'purchase' is not a phase of this
    journey (expected one of: awareness, consideration, conversion, retention, advocacy)
"""

from __future__ import annotations

from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ConfigError(ValueError):
    """A configuration file is not usable; the message names the file, key path and line."""


def _line_of(root: yaml.Node | None, path: tuple[Any, ...]) -> int | None:
    """1-based line of the node at ``path`` (keys and list indexes), or of its nearest parent."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for step in path:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if getattr(k, "value", None) == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            found = node.value[step] if 0 <= step < len(node.value) else None
        else:
            found = None
        if found is None:
            break
        node, line = found, found.start_mark.line + 1
    return line


def describe(origin: str, root: yaml.Node | None, loc: tuple[Any, ...], message: str) -> str:
    """``origin: a.b.2.c (line N): message`` for one problem at key path ``loc``."""
    where = ".".join(str(p) for p in loc) or "(top)"
    line = _line_of(root, loc)
    return f"{origin}: {where}{f' (line {line})' if line else ''}: {message}"


def parse_yaml(text: str, origin: str) -> tuple[Any, yaml.Node | None]:
    """The YAML document as Python values, plus its node tree (for line numbers); parsed once."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), root
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from exc
    finally:
        loader.dispose()


def load_yaml_model(text: str, origin: str, model: type[M]) -> tuple[M, yaml.Node | None]:
    """Validate YAML ``text`` against ``model``; errors name ``origin``, key path and line.

    Returns the model and the node tree, so the caller can report its own cross-field checks
    with :func:`describe` at the right line.
    """
    raw, root = parse_yaml(text, origin)
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin}: expected a mapping at the top, got {type(raw).__name__}")
    try:
        return model.model_validate(raw), root
    except ValidationError as exc:
        problems = [describe(origin, root, tuple(err["loc"]), err["msg"]) for err in exc.errors()]
        raise ConfigError("\n".join(problems)) from exc
