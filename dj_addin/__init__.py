"""党建助手 (dj-addin): the workbook of the Party members' contact-and-service
mechanism, with a pure core (validation, quota roll-up, scoring, merging) and
thin adapters (file, live Excel, command line)."""

__version__ = "0.1.0"
