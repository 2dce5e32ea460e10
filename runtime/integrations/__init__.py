"""The integrations that ship with Parley, each a plug-in (`runtime.plugins`) registered in
pyproject.toml, and the installer of their dialog templates. Nothing outside this package and
the command line imports them."""
