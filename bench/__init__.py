"""Development tooling: the scale benchmark (``make bench``: run.py) and the load test
(``make load``: load.py). Never imported by the app (``tests/rules/test_layout.py``)."""
