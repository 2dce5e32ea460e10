"""The sandboxed template layer: text, expressions and JSON structures, compiled once."""

from __future__ import annotations

import pytest

from runtime.errors import TemplateError
from runtime.templating import Templates, TemplateSyntaxError

WHERE = {"dialog": "create_lead", "node": "created"}


@pytest.fixture
def templates() -> Templates:
    return Templates()


@pytest.fixture
def ctx() -> dict:
    return {
        "entities": {"company": "Acme", "email": None, "amount": 1200, "vip": True},
        "nodes": {"create": {"response": {"status": 400, "body": [{"message": "bad Email"}]}}},
        "vars": {"tags": ["a", "b"]},
        "user": {"id": "u-1", "channel": "web"},
    }


def render(templates: Templates, source: str, ctx: dict) -> str:
    return templates.text(source, **WHERE).render(ctx)


def error_of(templates: Templates, source: str, ctx: dict) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        render(templates, source, ctx)
    return info.value


# -- text ---------------------------------------------------------------------------------------


def test_text_renders_values_filters_and_blocks(templates, ctx):
    source = "{{ entities.company | upper }}{% if entities.vip %} (VIP){% endif %}"
    assert render(templates, source, ctx) == "ACME (VIP)"


def test_none_renders_as_nothing_in_text(templates, ctx):
    assert render(templates, "<{{ entities.email }}>", ctx) == "<>"


def test_text_is_not_html_escaped(templates):
    assert render(templates, "{{ x }}", {"x": "Tom & <Jerry>"}) == "Tom & <Jerry>"


def test_a_string_without_markup_is_a_constant_that_never_reaches_jinja(templates):
    text = templates.text("50% off {not jinja} }}", **WHERE)
    assert text.is_constant
    assert text.render({}) == "50% off {not jinja} }}"
    assert not templates.text("Hi {{ user.id }}", **WHERE).is_constant
    assert not templates.text("Hi {# a comment #}", **WHERE).is_constant


def test_one_trailing_newline_is_dropped_on_both_paths(templates):
    # YAML block scalars end with a newline; Jinja drops one (keep_trailing_newline=False).
    assert templates.text("Hello\n", **WHERE).render({}) == "Hello"
    assert templates.text("{{ 'Hello' }}\n", **WHERE).render({}) == "Hello"
    assert templates.text("Two lines\nhere\n\n", **WHERE).render({}) == "Two lines\nhere\n"
    assert templates.text("{{ 'Two lines' }}\nhere\n\n", **WHERE).render({}) == (
        "Two lines\nhere\n"
    )
    assert templates.text("  spaced  ", **WHERE).render({}) == "  spaced  "


def test_jinja_globals_and_context_names_both_resolve(templates, ctx):
    # Rendering merges Jinja's own globals (flattened once) with the turn's context.
    source = "{% for i in range(2) %}{{ i }}{% endfor %} {{ dict(a=1).a }} {{ user.id }}"
    assert render(templates, source, ctx) == "01 1 u-1"
    assert render(templates, "{{ range }}", {"range": "shadowed"}) == "shadowed"


def test_same_source_is_compiled_once_and_rendered_many_times(templates, ctx):
    first = templates.text("Hi {{ entities.company }}", dialog="a", node="x")
    again = templates.text("Hi {{ entities.company }}", dialog="b", node="y")
    assert first._template is again._template
    assert [first.render(ctx) for _ in range(3)] == ["Hi Acme"] * 3
    assert again.dialog == "b" and again.node == "y"


def test_extra_filters_are_available(ctx):
    templates = Templates(filters={"soql": lambda v: str(v).replace("'", "\\'")})
    assert render(templates, "Name = '{{ x | soql }}'", {"x": "O'Brien"}) == "Name = 'O\\'Brien'"


def test_syntax_errors_raise_at_compile_time(templates):
    with pytest.raises(TemplateSyntaxError):
        templates.text("{{ entities.company ", **WHERE)
    with pytest.raises(TemplateSyntaxError):
        templates.text("{{ x | no_such_filter }}", **WHERE)
    with pytest.raises(TemplateSyntaxError):
        templates.expr("response.status ==", **WHERE)
    with pytest.raises(TemplateSyntaxError):
        templates.json({"a": ["{% if %}"]}, **WHERE)


# -- undefined names ----------------------------------------------------------------------------


def test_an_undefined_attribute_names_dialog_node_and_path(templates, ctx):
    exc = error_of(templates, "Lead for {{ entities.compnay }}.", ctx)
    assert str(exc) == "dialog 'create_lead', node 'created': 'entities' has no attribute 'compnay'"
    assert (exc.dialog, exc.node, exc.name) == ("create_lead", "created", "compnay")


def test_an_undefined_top_level_name(templates, ctx):
    exc = error_of(templates, "{{ entites.company }}", ctx)
    assert str(exc) == "dialog 'create_lead', node 'created': 'entites' is undefined"


def test_undefined_deep_in_a_response(templates, ctx):
    exc = error_of(templates, "Lead {{ nodes.create.response.body.id }}", ctx)
    assert "'nodes.create.response.body' has no attribute 'id'" in str(exc)
    exc = error_of(templates, "{{ nodes.create.response.body[3].message }}", ctx)
    assert "'nodes.create.response.body' has no element 3" in str(exc)


def test_undefined_is_never_a_silent_empty_string(templates, ctx):
    for source in (
        "{{ entities.nope }}",
        "{{ entities.nope | upper }}",
        "{{ entities.nope ~ 'x' }}",
    ):
        with pytest.raises(TemplateError):
            render(templates, source, ctx)
    with pytest.raises(TemplateError):
        render(templates, "{% if entities.nope %}x{% endif %}", ctx)
    with pytest.raises(TemplateError):
        render(templates, "{% for t in entities.nope %}{{ t }}{% endfor %}", ctx)


def test_defined_checks_and_default_still_work(templates, ctx):
    source = "{% if entities.nope is defined %}yes{% else %}no{% endif %}"
    assert render(templates, source, ctx) == "no"
    assert render(templates, "{{ entities.nope | default('n/a') }}", ctx) == "n/a"


def test_other_render_failures_become_template_errors(templates, ctx):
    exc = error_of(templates, "{{ entities.amount + entities.company }}", ctx)
    assert "could not render" in str(exc)
    assert "unsupported operand" in str(exc)
    assert "node 'created'" in str(exc)


# -- the sandbox --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ joiner.__init__ }}",
        "{{ entities.company.__len__() }}",
        "{{ self._TemplateReference__context }}",
        "{{ self.__init__ }}",
        "{{ '{0.__class__}'.format(entities) }}",
        "{{ namespace.__init__.__globals__ }}",
    ],
)
def test_sandbox_refuses_python_internals(templates, ctx, source):
    exc = error_of(templates, source, ctx)
    assert str(exc).startswith(
        "dialog 'create_lead', node 'created': refused by the template sandbox"
    )
    assert "is unsafe" in str(exc)


def test_templates_cannot_change_conversation_state(templates, ctx):
    for source in ("{{ entities.update({'company': 'Evil'}) }}", "{{ vars.tags.append('x') }}"):
        exc = error_of(templates, source, ctx)
        assert "refused by the template sandbox" in str(exc)
    assert ctx["entities"]["company"] == "Acme"
    assert ctx["vars"]["tags"] == ["a", "b"]


def test_huge_ranges_are_refused(templates):
    with pytest.raises(TemplateError, match="Range too big"):
        render(templates, "{{ range(10 ** 9) | list | length }}", {})


# -- expressions --------------------------------------------------------------------------------


def test_expressions_keep_python_types(templates, ctx):
    def evaluate(source: str):
        return templates.expr(source, **WHERE).evaluate(ctx)

    assert evaluate("nodes.create.response.status == 400") is True
    assert evaluate("entities.amount * 2") == 2400
    assert evaluate("entities.email") is None
    assert evaluate("vars.tags + ['c']") == ["a", "b", "c"]
    assert evaluate("entities.email is none and entities.vip") is True


def test_expression_of_something_undefined_is_an_error(templates, ctx):
    with pytest.raises(TemplateError, match="'entities' has no attribute 'amout'"):
        templates.expr("entities.amout", **WHERE).evaluate(ctx)
    with pytest.raises(TemplateError, match="has no attribute 'nope'"):
        templates.expr("[1, entities.nope]", **WHERE).evaluate(ctx)
    with pytest.raises(TemplateError, match="'value' is undefined"):
        templates.expr("value > 1", **WHERE).evaluate(ctx)


def test_expression_sandbox(templates, ctx):
    with pytest.raises(TemplateError, match="refused by the template sandbox"):
        templates.expr("''.__class__", **WHERE).evaluate(ctx)


# -- JSON structures ----------------------------------------------------------------------------


def test_json_single_expression_keeps_native_types(templates, ctx):
    body = templates.json(
        {
            "Amount": "{{ entities.amount }}",
            "Vip": "{{ entities.vip }}",
            "Email": "{{ entities.email }}",
            "Tags": "  {{ vars.tags }}  ",
            "Trimmed": "{{- entities.amount -}}",
            "Company": "Lead at {{ entities.company }}",
            "Two": "{{ entities.amount }}{{ entities.amount }}",
            "Literal": "as is",
            "Number": 7,
            "Flag": False,
            "Null": None,
            "Nested": {"List": ["{{ entities.company }}", 1, {"Deep": "{{ entities.amount }}"}]},
        },
        **WHERE,
    )
    assert body.render(ctx) == {
        "Amount": 1200,
        "Vip": True,
        "Email": None,
        "Tags": ["a", "b"],
        "Trimmed": 1200,
        "Company": "Lead at Acme",
        "Two": "12001200",
        "Literal": "as is",
        "Number": 7,
        "Flag": False,
        "Null": None,
        "Nested": {"List": ["Acme", 1, {"Deep": 1200}]},
    }


def test_json_keys_stay_as_written(templates, ctx):
    body = templates.json({"{{ entities.company }}": "{{ entities.company }}"}, **WHERE)
    assert body.render(ctx) == {"{{ entities.company }}": "Acme"}


def test_json_drop_nulls_drops_mapping_entries_at_every_level(templates, ctx):
    body = templates.json(
        {
            "Email": "{{ entities.email }}",
            "Company": "{{ entities.company }}",
            "Null": None,
            "Inner": {"Email": "{{ entities.email }}", "Keep": 0},
            "List": [None, "{{ entities.email }}"],
        },
        **WHERE,
    )
    assert body.render(ctx, drop_nulls=True) == {
        "Company": "Acme",
        "Inner": {"Keep": 0},
        "List": [None, None],
    }
    assert body.render(ctx)["Email"] is None


def test_json_renders_fresh_objects_each_time(templates, ctx):
    body = templates.json({"List": [1, 2], "Name": "{{ entities.company }}"}, **WHERE)
    first = body.render(ctx)
    first["List"].append(3)
    first["Name"] = "changed"
    assert body.render(ctx) == {"List": [1, 2], "Name": "Acme"}


def test_json_top_level_scalar_and_list(templates, ctx):
    assert templates.json("{{ entities.amount }}", **WHERE).render(ctx) == 1200
    assert templates.json(["{{ entities.vip }}", "x"], **WHERE).render(ctx) == [True, "x"]
    assert templates.json(None, **WHERE).render(ctx) is None


def test_json_undefined_is_an_error(templates, ctx):
    body = templates.json({"Company": "{{ entities.compnay }}"}, **WHERE)
    with pytest.raises(TemplateError, match="'entities' has no attribute 'compnay'"):
        body.render(ctx)


def test_single_expression_detection(templates):
    assert templates.single_expression(" {{ a.b }} ") == " a.b "
    assert templates.single_expression('{{ "}}" }}') == ' "}}" '
    assert templates.single_expression("{{ a }} {{ b }}") is None
    assert templates.single_expression("x {{ a }}") is None
    assert templates.single_expression("{% if a %}{{ a }}{% endif %}") is None
    assert templates.single_expression("plain") is None


# -- reading sources ----------------------------------------------------------------------------


def test_names_lists_context_names_only(templates):
    source = "{% for t in vars.tags %}{{ t }}{{ loop.index }}{% endfor %}{{ range(2) | list }}"
    assert templates.names(source, expression=False) == {"vars"}
    assert templates.names("response.status == 201 and value", expression=True) == {
        "response",
        "value",
    }


def test_references_follow_constant_lookup_chains(templates):
    refs = templates.references(
        "nodes.create.response.body[0].message ~ entities['company'] ~ vars[entities.key]",
        expression=True,
    )
    assert refs == {
        ("nodes", "create", "response", "body", 0, "message"),
        ("entities", "company"),
        ("entities", "key"),
        ("vars",),
    }


def test_an_expression_must_be_one_expression(templates):
    with pytest.raises(TemplateSyntaxError):
        templates.names("a b", expression=True)
    with pytest.raises(TemplateSyntaxError):
        templates.expr("a }} {{ b", **WHERE)


def test_a_key_named_like_a_dict_method_reads_the_key():
    templates = Templates()
    ctx = {"nodes": {"update": {"response": {"body": {"items": [1, 2], "keys": "k"}}}}}
    text = templates.text(
        "{{ nodes.update.response.body.items | length }} {{ nodes.update.response.body.keys }}",
        dialog="d",
        node="n",
    )
    assert text.render(ctx) == "2 k"
