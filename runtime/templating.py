"""Sandboxed Jinja2 templates and expressions, compiled once per bot and rendered many times.

One `Templates` per bot holds the sandboxed environment. It turns source text from dialog files
into `Text` (a template rendered to a string), `Expr` (an expression without braces, evaluated to
a Python value) and `JsonTemplate` (a YAML structure whose strings are templates). Rendering never
touches the environment again, and a string without Jinja markup never reaches Jinja at all.

Anything undefined is an error (`runtime.errors.TemplateError` naming dialog, node and name), as
is anything the sandbox refuses; every other failure while rendering is translated the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any, Protocol, cast

from jinja2 import (
    Environment,
    StrictUndefined,
    Template,
    TemplateRuntimeError,
    TemplateSyntaxError,
    UndefinedError,
    meta,
    nodes,
)
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import TemplateExpression
from jinja2.exceptions import SecurityError
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from runtime.errors import TemplateError
from runtime.plugins import template_filters

__all__ = ["Expr", "JsonTemplate", "TemplateSyntaxError", "Templates", "Text"]

Reference = tuple[str | int, ...]

_MARKUP = ("{{", "{%", "{#")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _Missing(UndefinedError):
    """An undefined value was used; keeps the undefined object so the message can name a path."""

    def __init__(self, undefined: StrictUndefined, message: str) -> None:
        super().__init__(message)
        self.undefined = undefined


class _Undefined(StrictUndefined):
    """StrictUndefined whose error remembers where the lookup failed."""

    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = missing,
        name: str | None = None,
        exc: type[TemplateRuntimeError] = UndefinedError,
    ) -> None:
        # Jinja raises `self._undefined_exception(message)`; the sandbox passes SecurityError,
        # which must stay as it is.
        if exc is UndefinedError:
            exc = cast(type[TemplateRuntimeError], partial(_Missing, self))
        super().__init__(hint, obj, name, exc)


def _finalize(value: Any) -> Any:
    return "" if value is None else value


class _NoFoldingCodeGenerator(CodeGenerator):
    """Jinja's code generator without computing anything while compiling.

    Jinja folds what looks constant when it compiles: `{{ 'a' * 10**10 }}` or
    `{{ 'a' | center(10**9) }}` would be computed then, outside any sandbox check, hanging
    `parley validate` or the start of the bot. Here every expression is left to run time,
    where the sandbox applies; only plain text between tags stays a compiled constant.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.optimizer = None  # the optimizer is what folds constants

    def _output_child_to_const(self, node: nodes.Expr, frame: Frame, finalize: Any) -> str:
        if not isinstance(node, nodes.TemplateData):
            raise nodes.Impossible()
        return super()._output_child_to_const(node, frame, finalize)

    def visit_EvalContextModifier(self, node: nodes.EvalContextModifier, frame: Frame) -> None:
        # `{% autoescape EXPR %}`: Jinja computes EXPR when it can; here, at run time only.
        for keyword in node.options:
            self.writeline(f"context.eval_ctx.{keyword.key} = ")
            self.visit(keyword.value, frame)
        frame.eval_ctx.volatile = True


class _TrackingCodeGenerator(meta.TrackingCodeGenerator, _NoFoldingCodeGenerator):
    """`jinja2.meta`'s name tracking, without computing anything either."""


def _undeclared(tree: nodes.Template, env: Environment) -> set[str]:
    """`jinja2.meta.find_undeclared_variables`, with the code generator above."""
    codegen = _TrackingCodeGenerator(env)
    codegen.visit(tree)
    return codegen.undeclared_identifiers


@contextmanager
def _compiling() -> Iterator[None]:
    """Whatever else stops a source from compiling, raised as a TemplateSyntaxError too: a
    source nested too deeply for Jinja's parser or for Python, a number too long to read."""
    try:
        yield
    except TemplateSyntaxError:
        raise
    except (RecursionError, SyntaxError, MemoryError):
        raise TemplateSyntaxError("it is nested too deeply", 1) from None
    except (ValueError, OverflowError) as exc:
        reason = "a number in it is too long" if "digits" in str(exc) else str(exc)
        raise TemplateSyntaxError(reason, 1) from None


def _strip_trailing_newline(source: str) -> str:
    """What Jinja does to a source with keep_trailing_newline=False, for the constant path."""
    lines = _LINE_BREAK.split(source)
    if lines[-1] == "":
        del lines[-1]
    return "\n".join(lines)


class _DataFirstEnvironment(ImmutableSandboxedEnvironment):
    """`a.b` on a mapping reads the key `b` before any method of that name.

    Dialog data is JSON: a response body with a field `items` or a node called `update` must
    not resolve to `dict.items` or `dict.update`.
    """

    code_generator_class = _NoFoldingCodeGenerator

    def getattr(self, obj: Any, attribute: str) -> Any:
        # `type(...) is dict` first: dialog data is plain dicts, and an ABC check costs more.
        if (type(obj) is dict or isinstance(obj, Mapping)) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


class Templates:
    """The sandboxed Jinja environment of one bot (autoescape off: we render text, not HTML)."""

    def __init__(self, filters: Mapping[str, Callable[..., Any]] | None = None) -> None:
        # Immutable: a template can read conversation state but never change it (that is `set`).
        self.env = _DataFirstEnvironment(
            undefined=_Undefined,
            autoescape=False,
            finalize=_finalize,
            keep_trailing_newline=False,
            auto_reload=False,
        )
        # Every installed integration's filters, for every bot: an installed template (or a
        # dialog written after one) uses them whether or not this bot turned it on.
        self.env.filters.update(template_filters())
        self.env.filters.update(filters or {})
        self._templates: dict[str, Template] = {}
        self._expressions: dict[str, TemplateExpression] = {}

    # -- compiling ------------------------------------------------------------------------------

    def text(self, source: str, *, dialog: str, node: str) -> Text:
        """A text template; raises `jinja2.TemplateSyntaxError` when it does not compile."""
        if not any(mark in source for mark in _MARKUP):
            constant = _strip_trailing_newline(source)
            return Text(source, dialog, node, env=self.env, constant=constant)
        template = self._templates.get(source)
        if template is None:
            with _compiling():
                template = self._templates[source] = self.env.from_string(source)
        return Text(source, dialog, node, env=self.env, template=template)

    def expr(self, source: str, *, dialog: str, node: str) -> Expr:
        """An expression without braces; raises `jinja2.TemplateSyntaxError` when it does not
        compile."""
        compiled = self._expressions.get(source)
        if compiled is None:
            with _compiling():
                compiled = self.env.compile_expression(source, undefined_to_none=False)
            self._expressions[source] = compiled
        return Expr(source, dialog, node, env=self.env, compiled=compiled)

    def json(self, value: Any, *, dialog: str, node: str) -> JsonTemplate:
        """Any YAML structure whose strings are templates; a string that is exactly one
        ``{{ expression }}`` keeps the expression's own type."""
        return JsonTemplate(self._json_part(value, dialog, node), dialog, node)

    def _json_part(self, value: Any, dialog: str, node: str) -> _Part:
        if isinstance(value, Mapping):
            return _Object(tuple((k, self._json_part(v, dialog, node)) for k, v in value.items()))
        if isinstance(value, list | tuple):
            return _Array(tuple(self._json_part(v, dialog, node) for v in value))
        if isinstance(value, str):
            inner = self.single_expression(value)
            if inner is not None:
                return _ExprLeaf(self.expr(inner, dialog=dialog, node=node))
            text = self.text(value, dialog=dialog, node=node)
            return _Literal(text.render({})) if text.is_constant else _TextLeaf(text)
        return _Literal(value)

    def single_expression(self, source: str) -> str | None:
        """The inner expression when `source` is exactly one ``{{ expression }}`` (whitespace
        around allowed), else None."""
        if "{{" not in source:
            return None
        tokens = [t for t in self.env.lex(source.strip()) if t[1] != "whitespace"]
        kinds = [kind for _, kind, _ in tokens]
        if (
            len(tokens) < 3
            or kinds[0] != "variable_begin"
            or kinds[-1] != "variable_end"
            or kinds.count("variable_begin") != 1
            or any(k in kinds for k in ("data", "block_begin", "comment_begin", "raw_begin"))
        ):
            return None
        inner = source.strip()
        return inner[len(tokens[0][2]) : len(inner) - len(tokens[-1][2])]

    # -- reading sources --------------------------------------------------------------------------

    def parse(self, source: str, *, expression: bool) -> nodes.Template:
        """The Jinja syntax tree of a template or an expression; raises TemplateSyntaxError."""
        return _parse(self.env, source, expression=expression)

    def names(self, source: str, *, expression: bool) -> set[str]:
        """Top-level names the source reads from its context (Jinja's own globals left out)."""
        with _compiling():
            found = _undeclared(self.parse(source, expression=expression), self.env)
        return found - set(self.env.globals)

    def references(self, source: str, *, expression: bool) -> set[Reference]:
        """Every lookup chain rooted at a context name, as far as it is constant:
        ``nodes.create.response.body[0].message`` gives
        ``("nodes", "create", "response", "body", 0, "message")``. Chains that are a prefix of
        another one are left out."""
        with _compiling():
            tree = self.parse(source, expression=expression)
            roots = _undeclared(tree, self.env) - set(self.env.globals)
            return _references(tree, roots)


def _parse(env: ImmutableSandboxedEnvironment, source: str, *, expression: bool) -> nodes.Template:
    if not expression:
        return env.parse(source)
    parser = Parser(env, source, state="variable")
    body = parser.parse_expression()
    if not parser.stream.eos:
        raise TemplateSyntaxError("chunk after expression", parser.stream.current.lineno)
    tree = nodes.Template([nodes.Output([body])], lineno=1)
    tree.set_environment(env)
    return tree


def _references(tree: nodes.Node, roots: set[str]) -> set[Reference]:
    chains: set[Reference] = set()
    for found in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        chain = _chain(found)
        if chain and chain[0] in roots:
            chains.add(chain)
    return {c for c in chains if not any(len(o) > len(c) and o[: len(c)] == c for o in chains)}


def _chain(node: nodes.Node) -> Reference | None:
    if isinstance(node, nodes.Name):
        return (node.name,) if node.ctx == "load" else None
    if isinstance(node, nodes.Getattr):
        head = _chain(node.node)
        return (*head, node.attr) if head else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        key = node.arg.value
        head = _chain(node.node)
        return (*head, key) if head and isinstance(key, str | int) else None
    return None


# -- compiled objects ---------------------------------------------------------------------------


class Text:
    """A compiled text template; `render` returns a string (``None`` renders as nothing)."""

    __slots__ = ("_constant", "_env", "_globals", "_template", "dialog", "node", "source")

    def __init__(
        self,
        source: str,
        dialog: str,
        node: str,
        *,
        env: ImmutableSandboxedEnvironment,
        template: Template | None = None,
        constant: str = "",
    ) -> None:
        self.source, self.dialog, self.node = source, dialog, node
        self._env = env
        self._template = template
        self._constant = constant
        # Jinja's own globals (range, dict, ...) flattened once: `Template.render` merges them
        # from a ChainMap on every call, which is most of a small template's cost.
        self._globals = dict(template.globals) if template is not None else {}

    @property
    def is_constant(self) -> bool:
        """True when the source has no Jinja markup: rendering returns it as it is."""
        return self._template is None

    def render(self, ctx: Mapping[str, Any]) -> str:
        template = self._template
        if template is None:
            return self._constant
        env = self._env
        try:
            # What `Template.render` does, without its per-call ChainMap merge.
            context = env.context_class(
                env, {**self._globals, **ctx}, template.name, template.blocks, self._globals
            )
            return env.concat(template.root_render_func(context))
        except Exception as exc:
            raise _translate(exc, self._env, self, ctx, expression=False) from exc

    def __repr__(self) -> str:
        return f"Text({self.source!r})"


class Expr:
    """A compiled expression; `evaluate` returns its Python value."""

    __slots__ = ("_compiled", "_env", "dialog", "node", "source")

    def __init__(
        self,
        source: str,
        dialog: str,
        node: str,
        *,
        env: ImmutableSandboxedEnvironment,
        compiled: TemplateExpression,
    ) -> None:
        self.source, self.dialog, self.node = source, dialog, node
        self._env = env
        self._compiled = compiled

    def evaluate(self, ctx: Mapping[str, Any]) -> Any:
        try:
            return _defined(self._compiled(ctx))
        except Exception as exc:
            raise _translate(exc, self._env, self, ctx, expression=True) from exc

    def __repr__(self) -> str:
        return f"Expr({self.source!r})"


def _defined(value: Any) -> Any:
    """The value itself, unless it is (or holds) something undefined."""
    if isinstance(value, StrictUndefined):
        value._fail_with_undefined_error()
    if isinstance(value, list | tuple):
        for item in value:
            _defined(item)
    elif isinstance(value, dict):
        for item in value.values():
            _defined(item)
    return value


class _Part(Protocol):
    def render(self, ctx: Mapping[str, Any], drop_nulls: bool) -> Any: ...


class _Literal:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def render(self, ctx: Mapping[str, Any], drop_nulls: bool) -> Any:
        return self.value


class _TextLeaf:
    __slots__ = ("text",)

    def __init__(self, text: Text) -> None:
        self.text = text

    def render(self, ctx: Mapping[str, Any], drop_nulls: bool) -> str:
        return self.text.render(ctx)


class _ExprLeaf:
    __slots__ = ("expr",)

    def __init__(self, expr: Expr) -> None:
        self.expr = expr

    def render(self, ctx: Mapping[str, Any], drop_nulls: bool) -> Any:
        return self.expr.evaluate(ctx)


class _Object:
    __slots__ = ("items",)

    def __init__(self, items: tuple[tuple[Any, _Part], ...]) -> None:
        self.items = items

    def render(self, ctx: Mapping[str, Any], drop_nulls: bool) -> dict[Any, Any]:
        out = {}
        for key, part in self.items:
            value = part.render(ctx, drop_nulls)
            if value is not None or not drop_nulls:
                out[key] = value
        return out


class _Array:
    __slots__ = ("items",)

    def __init__(self, items: tuple[_Part, ...]) -> None:
        self.items = items

    def render(self, ctx: Mapping[str, Any], drop_nulls: bool) -> list[Any]:
        return [part.render(ctx, drop_nulls) for part in self.items]


class JsonTemplate:
    """A compiled YAML structure: dict keys stay as written, strings are templates, a string
    that is exactly one ``{{ expression }}`` keeps the expression's type."""

    __slots__ = ("_root", "dialog", "node")

    def __init__(self, root: _Part, dialog: str, node: str) -> None:
        self._root, self.dialog, self.node = root, dialog, node

    def render(self, ctx: Mapping[str, Any], *, drop_nulls: bool = False) -> Any:
        """The structure with every template rendered, built afresh on each call;
        `drop_nulls` leaves out the entries of the template's mappings whose value is None."""
        return self._root.render(ctx, drop_nulls)


# -- errors -------------------------------------------------------------------------------------


def _translate(
    exc: Exception,
    env: ImmutableSandboxedEnvironment,
    compiled: Text | Expr,
    ctx: Mapping[str, Any],
    *,
    expression: bool,
) -> TemplateError:
    where = {"dialog": compiled.dialog, "node": compiled.node}
    if isinstance(exc, _Missing):
        undefined = exc.undefined
        message = _missing_message(undefined, env, compiled.source, ctx, expression)
        return TemplateError(message, name=str(undefined._undefined_name), **where)
    if isinstance(exc, SecurityError):
        return TemplateError(f"refused by the template sandbox: {exc}", **where)
    if isinstance(exc, UndefinedError):
        return TemplateError(str(exc), **where)
    return TemplateError(f"could not render {compiled.source!r}: {exc}", **where)


def _missing_message(
    undefined: StrictUndefined,
    env: ImmutableSandboxedEnvironment,
    source: str,
    ctx: Mapping[str, Any],
    expression: bool,
) -> str:
    obj, name = undefined._undefined_obj, undefined._undefined_name
    if undefined._undefined_hint or obj is missing:
        return undefined._undefined_message
    path = _path_to(obj, name, env, source, ctx, expression)
    if path is None:
        return undefined._undefined_message
    if isinstance(name, str):
        return f"{path!r} has no attribute {name!r}"
    return f"{path!r} has no element {name!r}"


def _path_to(
    obj: Any,
    name: Any,
    env: ImmutableSandboxedEnvironment,
    source: str,
    ctx: Mapping[str, Any],
    expression: bool,
) -> str | None:
    """Which chain of the source led to `obj`, whose `name` was missing. Worked out from the
    syntax tree only once rendering has failed, so rendering itself pays nothing for it."""
    chains = _references(_parse(env, source, expression=expression), set(ctx))
    prefixes = {chain[:i] for chain in chains for i in range(1, len(chain)) if chain[i] == name}
    if len(prefixes) > 1:
        prefixes = {p for p in prefixes if _resolve(ctx, p) is obj}
    if len(prefixes) != 1:
        return None
    return _dotted(prefixes.pop())


def _resolve(ctx: Mapping[str, Any], chain: Reference) -> Any:
    value: Any = ctx
    for key in chain:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return missing
    return value


def _dotted(chain: Reference) -> str:
    parts: list[str] = []
    for key in chain:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif key.isidentifier():
            parts.append(f".{key}" if parts else key)
        else:
            parts.append(f"[{key!r}]")
    return "".join(parts)
