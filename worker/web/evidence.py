"""Failure evidence of a submission, served by submission id and kind, never by a path.

The request names a submission and one of three kinds (screenshot, page, trace). The folder comes
from the submission row, and only its last component is used, under the configured artifacts
directory; the resolved file must still lie inside that directory. A path in the request, a
``..`` anywhere, or a folder name that is not a plain evidence name gets a 404. Page HTML captured
from a portal is untrusted: it is only ever downloaded, never rendered by us.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from config.settings import Settings
from connectors.portals.evidence import EVIDENCE_NAME, PAGE_HTML_FILE, SCREENSHOT_FILE, TRACE_FILE
from worker.web.app import not_found, principal_of, workspace_of

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class EvidenceKind:
    file_name: str
    media_type: str
    inline: bool


KINDS = {
    "screenshot": EvidenceKind(file_name=SCREENSHOT_FILE, media_type="image/png", inline=True),
    "page": EvidenceKind(
        file_name=PAGE_HTML_FILE, media_type="application/octet-stream", inline=False
    ),
    "trace": EvidenceKind(file_name=TRACE_FILE, media_type="application/zip", inline=False),
}


def evidence_path(settings: Settings, artifact_path: str | None, kind: str) -> Path | None:
    """The file of ``kind`` for a submission's artifact folder, or None (never outside)."""
    wanted = KINDS.get(kind)
    if wanted is None or not artifact_path:
        return None
    name = PurePath(artifact_path).name
    if EVIDENCE_NAME.fullmatch(name) is None:
        return None
    root = settings.browser.artifacts_dir.resolve()
    candidate = (root / name / wanted.file_name).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def evidence_files(settings: Settings, artifact_path: str | None) -> dict[str, bool]:
    """Which kinds of evidence exist for a submission."""
    return {kind: evidence_path(settings, artifact_path, kind) is not None for kind in KINDS}


@router.get("/invoices/{submission_id}/evidence/{kind}")
def evidence(request: Request, submission_id: str, kind: str) -> Response:
    principal_of(request)
    ws = workspace_of(request)
    view = ws.store.submission_view(int(submission_id)) if submission_id.isdigit() else None
    path = None if view is None else evidence_path(ws.settings, view.artifact_path, kind)
    if view is None or path is None:
        return not_found(request, "no such evidence")
    what = KINDS[kind]
    download = f"submission-{view.submission_id}-{what.file_name}"
    return FileResponse(
        path,
        media_type=what.media_type,
        filename=None if what.inline else download,
        headers={"Content-Security-Policy": "sandbox; default-src 'none'"},
    )
