"""The composition root, the CLI, the scheduler wiring and logging set-up."""
