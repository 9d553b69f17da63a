"""Small site helpers that know nothing of recommendations or meetings: the request log
line (logfmt), the client's address, the error pages, the health probe, the static
files storage, and the exact JSON format of backups with a restore that adds no history.
The product imports them; they import nothing of the product
(``tests/rules/test_layout.py``)."""
