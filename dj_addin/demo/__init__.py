"""The sample university of ``dj demo``, a module per job: ``generate`` (the
university: colleges, branches, cadres; the entry point), ``people`` (the
random source and each branch's members), ``activity`` (a year of rows per
sheet), ``mistakes`` (planted slips and unusual inputs), ``units`` (what the
generator returns), ``write`` (reproducible workbooks), ``values`` (list
values named once) and ``words`` (word pools)."""
