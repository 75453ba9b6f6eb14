"""Every verb the collector workspace adds to the store, as one mixin of :class:`Store`."""

from __future__ import annotations

from connectors.oracle.action_requests import ActionRequestVerbs
from connectors.oracle.audit_log import AuditVerbs
from connectors.oracle.web_users import WebUserVerbs
from connectors.oracle.workspace_reads import WorkspaceReadVerbs
from connectors.oracle.workspace_writes import WorkspaceWriteVerbs


class WorkspaceVerbs(
    ActionRequestVerbs, AuditVerbs, WebUserVerbs, WorkspaceReadVerbs, WorkspaceWriteVerbs
):
    """Requests, audit trail, users and tokens, workspace reads and direct writes."""
