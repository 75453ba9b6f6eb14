"""What the tests share and nothing else: the test book, admin clients, clocks, workspaces.

Test modules import from here, never from one another (nor from a ``conftest.py``). Fixtures that
hand these to the tests live in the tiers' ``conftest.py`` files.
"""
