"""`python -m runtime.schemas`: rewrite the schema files shipped in the package."""

from runtime.schemas import KINDS, render, shipped

for kind in KINDS:
    shipped(kind).write_text(render(kind))
    print(f"wrote {shipped(kind)}")
