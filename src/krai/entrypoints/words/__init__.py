"""The words and formats every reader sees, shared by the dashboard, the reports and the CLI:
the catalogue in Russian and English, Babel's numbers, money, units and dates, and the audit's
findings as sentences. Nothing here knows a web request; the dashboard picks the language
(``krai.entrypoints.web.language``)."""
