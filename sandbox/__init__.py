"""Stand-in customer portals and the demo book of business, for the demo and the tests."""
