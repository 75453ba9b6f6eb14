"""Development tooling: never shipped in the wheel, never imported by the product."""
