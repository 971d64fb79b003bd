"""An agency's cases in the HTCDS 2.0 toolkit's spreadsheet layout: import (a dry run, then
all or nothing) and export (decision 0100).

`layout.py` the standard's columns and the toolkit's words; `mapping.py` column <-> field;
`reading.py` the file, defensively; `checking.py` the dry run; `operations.py` the import;
`export.py` the export (decision 0101); `cli.py` the `flask htcds` commands.
"""
