"""The jobs: plain async functions of a JobContext, and the pure rules they apply."""
