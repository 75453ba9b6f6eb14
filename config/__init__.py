"""Configuration: the settings tree, secrets resolution and example files."""
