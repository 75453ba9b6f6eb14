"""Adapters to the outside world: the Oracle (EBS) database and customers' portals."""
