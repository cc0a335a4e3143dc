"""The Excel add-in as a file: ``dj_addin.xlam`` built from ``macros/`` without Excel, and installed.

``build`` assembles the package, ``vba_project`` (with ``compression``,
``obfuscation`` and ``cfb``) writes ``vbaProject.bin``, ``package`` the Office
parts, ``install`` puts it where Excel loads it; ``buttons`` is the table of
ribbon ids and the Python entry points they run. Nothing here imports xlwings
(its VBA files are read as text) or needs Excel.
"""
