"""Development-only tools: the synthetic load-test data and its ``seed_synthetic`` command.

An app of its own, outside the product: ``INSTALLED_APPS`` holds it only when ``DEBUG``
is on or ``TRACKER_DEVTOOLS=1`` is set (the benchmark sets it for its scratch
databases), so a production install has no command that writes generated data, and no
module of ``recommendations`` or ``ministerial`` imports it (``tests/rules/test_layout.py``).
"""
