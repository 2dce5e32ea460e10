"""The dialog loader's reading stage: one YAML file to the frozen model, problems collected.

`runtime.dialogs.loader` is the public entry; these modules are its parts, in reading order:

    wording      how values and near-misses are named in a message
    keys         the keys each part of a dialog file may have
    values       Reader: one file's problems, and its typed values (texts, flags, routes)
    dialog_file  the file-level keys, then the nodes; `amend_words` of the whole dialog
    nodes        what every node has: id, type, `next`, `set`; dispatch by type
    entity       entity nodes, with `extract`, `interruptions` and `amend_words`
    extract      the grammar of one `extract` pattern
    message      message nodes, and the buttons of message and entity nodes
    service      service nodes and their request
"""

__all__: list[str] = []  # parts of runtime.dialogs.loader, used through it
