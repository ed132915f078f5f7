"""One module per input layout. Each exposes ``parse(text, *, source, path, **options)``.

``parse`` yields ``(line, record)`` or ``(line, RowError)`` so that the caller
decides whether a bad row stops the job or is reported and skipped (and
``(line, None)`` for a row an option such as ``min_label`` filters out); problems
with the whole file (missing column, unknown layout) raise InputError.
``source`` is the file name stored in ``meta``; ``path`` is how messages name the file.
"""
