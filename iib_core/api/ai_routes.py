"""AI routes (docs/api.md, "AI routes"): embeddings, clustering jobs,
semantic search, the tag graph, smart organisation and the chat proxy.

Additions to the original API (optional, defaults keep its behaviour):
  * `recursive: bool = true` on every body that takes folders;
  * omitted `folder_paths` means every scanned root;
  * cluster results carry `title_method` ("llm" | "keywords") per cluster and overall;
  * `POST /db/organize_files_undo {"job_id"}` moves a confirmed plan back (W).
"""
from __future__ import annotations

import datetime
import os
from typing import Any, Dict, List, Optional

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from starlette.responses import JSONResponse

from ..ai.errors import NotConfigured
from ..ai.jobs import AIJobs, Job
from ..ai.organize import make_plan
from ..ai.service import AIService, ClusterParams, clamp
from ..ai.tag_graph import (MAX_TAGS_SENT, MIN_TAGS_FOR_ABSTRACTION, abstraction_key, build_graph, llm_groups,
                            tag_weights)
from ..db import embeddings as emb_db
from ..db import kv
from ..errors import BadInput, IIBError, NotFound
from ..files import FileOperations, PathGate
from .compat import model_to_dict
from .context import IIBContext
from .deps import secret_guard, write_guard
from .scope import file_operations, may_see, shown_path

ORGANIZE_KEY = "ai_organize:"


class EmbedBody(BaseModel):
    folder: Optional[str] = None
    folder_paths: Optional[List[str]] = None
    model: Optional[str] = None
    force: bool = False
    batch_size: int = 64
    max_chars: int = 4000
    recursive: bool = True


class ClusterBody(BaseModel):
    folder_paths: Optional[List[str]] = None
    folder: Optional[str] = None
    model: Optional[str] = None
    force_embed: bool = False
    threshold: float = 0.90
    min_cluster_size: int = 2
    assign_noise_threshold: Optional[float] = None
    batch_size: int = 64
    max_chars: int = 4000
    title_model: Optional[str] = None
    use_title_cache: bool = True
    force_title: bool = False
    lang: Optional[str] = None
    recursive: bool = True


class OrganizeBody(ClusterBody):
    dest_folder: str
    include_noise: bool = False


class JobBody(BaseModel):
    job_id: str


class SearchBody(BaseModel):
    query: str = ""
    folder_paths: Optional[List[str]] = None
    folder: Optional[str] = None
    model: Optional[str] = None
    top_k: int = 50
    min_score: float = 0.0
    ensure_embed: bool = True
    max_chars: int = 4000
    recursive: bool = True


class TagGraphBody(BaseModel):
    folder_paths: Optional[List[str]] = None
    lang: str = "en"


class ClusterPathsBody(BaseModel):
    topic_cluster_cache_key: str = ""
    cluster_id: str = ""


class ChatBody(BaseModel):
    messages: List[Dict[str, Any]]
    temperature: float = 0.7
    max_tokens: Optional[int] = None
    stream: bool = False


class AIHandlers:
    """The AI routes' work, one method per route, with the service, the job table and the path
    gate they share; `build` only binds them to URLs."""

    def __init__(self, ctx: IIBContext) -> None:
        self.ctx = ctx
        self.service = AIService(ctx)
        self.jobs = AIJobs()
        self.gate = PathGate(ctx.policy, ctx.sd_cwd)

    def operations(self) -> FileOperations:
        """The shared helper: it honours every excluded folder, those of the index page too."""
        return file_operations(self.ctx, self.gate)

    def folders_of(self, folder_paths: Optional[List[str]], folder: Optional[str], what: str) -> List[str]:
        """Checked, normalised, de-duplicated folders; omitted means every scanned root."""
        raws = [r for r in [*(folder_paths or []), *([folder] if folder else [])] if isinstance(r, str)]
        raws = [r.strip() for r in raws if r.strip()]
        if not raws:
            roots = self.ctx.index_roots()
            if not roots:
                raise BadInput(f"folder_paths is required (select folders to {what})")
            return roots
        out: List[str] = []
        for raw in raws:
            self.ctx.policy.check(raw, base=self.ctx.sd_cwd)
            shown = shown_path(self.ctx, raw)
            if not os.path.isdir(shown):
                raise BadInput(f"Folder not found: {raw}")
            if shown not in out:
                out.append(shown)
        return out

    def visible(self, path: str) -> bool:
        return may_see(self.ctx, path)

    def cluster_params(self, body: ClusterBody, what: str = "cluster") -> ClusterParams:
        threshold = float(body.threshold)
        threshold = 0.90 if threshold == 0 else clamp(threshold, 0.0, 0.999)
        min_size = max(1, int(body.min_cluster_size))
        noise = body.assign_noise_threshold
        noise = max(0.88, min(threshold + 0.02, 0.97)) if noise is None else clamp(float(noise), -1.0, 1.0)
        return ClusterParams(folders=self.folders_of(body.folder_paths, body.folder, what), recursive=body.recursive,
                             model=body.model, force_embed=body.force_embed, threshold=threshold,
                             min_cluster_size=min_size, assign_noise_threshold=noise,
                             batch_size=clamp(int(body.batch_size), 1, 256),
                             max_chars=clamp(int(body.max_chars), 256, 8000), title_model=body.title_model,
                             use_title_cache=body.use_title_cache, force_title=body.force_title, lang=body.lang)

    def echo(self, body: BaseModel, p: ClusterParams) -> dict:
        req = model_to_dict(body)
        req.update(threshold=p.threshold, min_cluster_size=p.min_cluster_size,
                   assign_noise_threshold=p.assign_noise_threshold, batch_size=p.batch_size, max_chars=p.max_chars,
                   model=self.service.model_name(p.model), title_model=self.service.title_source(p.title_model))
        return req

    def check_ready(self, p: ClusterParams) -> None:
        """Fail at once (400) when no embedding model can serve the request."""
        self.service.embedder(p.model)

    # -- embeddings -------------------------------------------------------------------------
    def build_embeddings(self, body: EmbedBody):
        folders = self.folders_of(body.folder_paths, body.folder, "embed")
        stats = self.service.build(folders, recursive=body.recursive, model=body.model, force=body.force,
                              batch_size=body.batch_size, max_chars=body.max_chars)
        return dict(stats, folder=folders[0], folders=folders)

    # -- clustering ---------------------------------------------------------------------------
    def run_cluster(self, job: Job, p: ClusterParams) -> dict:
        job.update(folders=p.folders)
        out = self.service.cluster(p, progress=job.progress, stage=job.stage)
        return {"result": out["result"], "cache_hit": out["cache_hit"], "cache_key": out["cache_key"]}

    def cluster_job_start(self, body: ClusterBody):
        p = self.cluster_params(body)
        self.check_ready(p)
        job = self.jobs.start("cluster", self.echo(body, p), lambda j: self.run_cluster(j, p))
        return {"job_id": job.id}

    def cluster_job_status(self, job_id: str):
        return self.jobs.get(job_id).snapshot()

    def cluster_cached(self, body: ClusterBody):
        p = self.cluster_params(body)
        model = self.service.model_name(p.model)
        key = self.service.cluster_key(p, model, self.service.title_source(p.title_model))
        with self.ctx.db.read() as conn:
            cached = emb_db.get_cluster(conn, key)
        state = self.service.scope_state(model, p.folders, p.recursive)
        reason: Dict[str, Any] = {"folders_changed": False, "embeddings_changed": False,
                                  "embeddings_count": state["embeddings_count"],
                                  "embeddings_max_updated_at": _iso(state["embeddings_max_updated_at"])}
        if cached is None:
            return {"cache_key": key, "cache_hit": False, "cached_at": "", "result": None, "stale": True,
                    "stale_reason": reason}
        stored = cached.get("state") or {}
        for f, mtime in state["folder_mtimes"].items():
            before = (stored.get("folder_mtimes") or {}).get(f)
            if mtime is None or before != mtime:
                reason.update(folders_changed=True, path=f, stored=before, current=mtime,
                              reason="folder_missing" if mtime is None else "folder_modified_date_changed")
                break
        reason["embeddings_changed"] = (stored.get("embeddings_count") != state["embeddings_count"] or
                                        stored.get("embeddings_max_updated_at") != state["embeddings_max_updated_at"])
        return {"cache_key": key, "cache_hit": True, "cached_at": _iso(cached["updated_at"]),
                "result": cached["result"], "stale": reason["folders_changed"] or reason["embeddings_changed"],
                "stale_reason": reason}

    # -- search ----------------------------------------------------------------------------
    def search(self, body: SearchBody):
        query = (body.query or "").strip()
        if not query:
            raise BadInput("query is required")
        folders = self.folders_of(body.folder_paths, body.folder, "search")
        top = clamp(int(body.top_k), 1, 500)
        out = self.service.search(query, folders, recursive=body.recursive, model=body.model, top=top,
                             min_score=clamp(float(body.min_score), -1.0, 1.0), ensure_embed=body.ensure_embed,
                             max_chars=body.max_chars, visible=self.visible)
        return dict(out, query=query, folder=folders[0], folders=folders)

    # -- tag graph -------------------------------------------------------------------------
    def cluster_tag_graph(self, body: TagGraphBody):
        if not body.folder_paths or not [f for f in body.folder_paths if f and f.strip()]:
            raise BadInput("folder_paths is required")
        folders = self.folders_of(body.folder_paths, None, "cluster")
        with self.ctx.db.read() as conn:
            recent = emb_db.recent_clusters(conn, 200)
        found = next((c for c in recent if isinstance(c.get("folders"), list) and set(c["folders"]) == set(folders)),
                     None)
        if found is None:
            raise BadInput(f"No clustering result found for these {len(folders)} folders. "
                           "Please run clustering first.")
        result = found.get("result")
        if not isinstance(result, dict) or not isinstance(result.get("clusters"), list):
            raise BadInput("Invalid clustering result format.")
        if not result["clusters"]:
            raise BadInput("No clusters found in result")
        groups = None
        tags = tag_weights(result["clusters"])
        source = self.service.title_source(None)
        if len(tags) >= MIN_TAGS_FOR_ABSTRACTION and source != "keywords":
            heaviest = sorted(tags, key=lambda t: -tags[t]["size"])[:MAX_TAGS_SENT]
            key = abstraction_key(heaviest, body.lang, self.ctx.settings.ai_model)
            with self.ctx.db.read() as conn:
                groups = kv.get(conn, key)
            if not isinstance(groups, list):
                groups = llm_groups(self.service.client(), self.ctx.settings.ai_model, heaviest, body.lang)
                with self.ctx.db.write() as conn:
                    kv.put(conn, key, groups)
        return build_graph(result, found["cache_key"], groups)

    def cluster_tag_graph_paths(self, body: ClusterPathsBody):
        if not body.topic_cluster_cache_key or not body.cluster_id:
            raise BadInput("topic_cluster_cache_key and cluster_id are required")
        with self.ctx.db.read() as conn:
            cached = emb_db.get_cluster(conn, body.topic_cluster_cache_key)
        if cached is None:
            raise NotFound("topic_cluster_cache not found")
        result = cached.get("result")
        if not isinstance(result, dict) or not isinstance(result.get("clusters"), list):
            raise BadInput("invalid cached result")
        for c in result["clusters"]:
            if isinstance(c, dict) and c.get("id") == body.cluster_id:
                return {"paths": [p for p in c.get("paths") or [] if self.visible(p)]}
        raise NotFound("cluster not found")

    # -- organise -----------------------------------------------------------------------------
    def run_organize(self, job: Job, p: ClusterParams, dest: str, include_noise: bool) -> dict:
        out = self.run_cluster(job, p)
        out["plan"] = make_plan(out["result"], dest, include_noise)
        return out

    def organize_start(self, body: OrganizeBody):
        p = self.cluster_params(body, "organize")
        if not (body.dest_folder or "").strip():
            raise BadInput("dest_folder is required")
        dest = self.gate.folder(body.dest_folder.strip()).shown
        if os.path.lexists(dest) and not os.path.isdir(dest):
            raise BadInput(f"Destination {body.dest_folder} is a file, not a folder.")
        self.check_ready(p)
        req = dict(self.echo(body, p), dest_folder=dest)
        job = self.jobs.start("organize", req, lambda j: self.run_organize(j, p, dest, body.include_noise))
        return {"job_id": job.id}

    def finished_plan(self, job_id: str) -> dict:
        data = self.jobs.get(job_id).snapshot()
        if data.get("kind") != "organize":
            raise BadInput("this job is not an organise job")
        if data["status"] != "completed":
            raise BadInput(f"the organise job is {data['status']}, not completed"
                           + (f": {data['error']}" if data.get("error") else ""))
        return data

    def move_one(self, ops: FileOperations, src: str, dest_dir: str) -> Dict[str, Any]:
        try:
            res = ops.move([src], dest_dir, create_dest_folder=True)
        except IIBError as exc:
            return {"ok": False, "error": str(exc.detail)}
        if res.errors:
            return {"ok": False, "error": "; ".join(res.errors)}
        return {"ok": True, "error": None}

    def organize_confirm(self, body: JobBody):
        data = self.finished_plan(body.job_id)
        with self.ctx.db.read() as conn:
            if kv.get(conn, ORGANIZE_KEY + body.job_id) is not None:
                raise BadInput("this plan was already confirmed")
        ops = self.operations()
        results = []
        for topic in data["plan"]["topics"]:
            for move in topic["moves"]:
                if move.get("unchanged"):
                    results.append({"src": move["src"], "dest": move["dest"], "ok": True, "error": None,
                                    "skipped": True})
                    continue
                outcome = self.move_one(ops, move["src"], os.path.dirname(move["dest"]))
                results.append(dict(outcome, src=move["src"], dest=move["dest"]))
        moved = [{"src": r["src"], "dest": r["dest"]} for r in results if r["ok"] and not r.get("skipped")]
        with self.ctx.db.write() as conn:
            kv.put(conn, ORGANIZE_KEY + body.job_id, {"moves": moved, "undone": False})
        return {"job_id": body.job_id, "moved": len(moved), "failed": sum(1 for r in results if not r["ok"]),
                "results": results}

    def organize_undo(self, body: JobBody):
        key = ORGANIZE_KEY + body.job_id
        with self.ctx.db.read() as conn:
            record = kv.get(conn, key)
        if not isinstance(record, dict):
            raise NotFound("no confirmed organise plan with this job_id")
        if record.get("undone"):
            raise BadInput("this plan was already undone")
        ops = self.operations()
        results = []
        for move in reversed(record.get("moves") or []):
            outcome = self.move_one(ops, move["dest"], os.path.dirname(move["src"]))
            results.append(dict(outcome, src=move["dest"], dest=move["src"]))
        with self.ctx.db.write() as conn:
            kv.put(conn, key, dict(record, undone=True))
        return {"job_id": body.job_id, "restored": sum(1 for r in results if r["ok"]),
                "failed": sum(1 for r in results if not r["ok"]), "results": results}

    # -- chat ----------------------------------------------------------------------------------
    def ai_chat(self, body: ChatBody):
        if body.stream:
            raise BadInput("stream is not supported: send stream=false")
        if not self.ctx.settings.ai_remote_configured:
            raise NotConfigured("OpenAI API Key not configured")
        payload: Dict[str, Any] = {"model": self.ctx.settings.ai_model, "messages": body.messages,
                                   "temperature": body.temperature}
        if body.max_tokens is not None:
            payload["max_tokens"] = body.max_tokens
        return JSONResponse(self.service.client().chat(payload))


def build(ctx: IIBContext) -> APIRouter:
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    writable = [Depends(write_guard(ctx))]
    h = AIHandlers(ctx)

    @router.post("/db/build_iib_output_embeddings", dependencies=writable)
    def build_embeddings(body: EmbedBody):
        return h.build_embeddings(body)

    @router.post("/db/cluster_iib_output_job_start", dependencies=writable)
    def cluster_job_start(body: ClusterBody):
        return h.cluster_job_start(body)

    @router.get("/db/cluster_iib_output_job_status")
    def cluster_job_status(job_id: str):
        return h.cluster_job_status(job_id)

    @router.post("/db/cluster_iib_output_cached")
    def cluster_cached(body: ClusterBody):
        return h.cluster_cached(body)

    @router.post("/db/search_iib_output_by_prompt", dependencies=writable)
    def search(body: SearchBody):
        return h.search(body)

    @router.post("/db/cluster_tag_graph")
    def cluster_tag_graph(body: TagGraphBody):
        return h.cluster_tag_graph(body)

    @router.post("/db/cluster_tag_graph_cluster_paths")
    def cluster_tag_graph_paths(body: ClusterPathsBody):
        return h.cluster_tag_graph_paths(body)

    @router.post("/db/organize_files_start", dependencies=writable)
    def organize_start(body: OrganizeBody):
        return h.organize_start(body)

    @router.post("/db/organize_files_confirm", dependencies=writable)
    def organize_confirm(body: JobBody):
        return h.organize_confirm(body)

    @router.post("/db/organize_files_undo", dependencies=writable)
    def organize_undo(body: JobBody):
        return h.organize_undo(body)

    @router.post("/ai-chat", dependencies=writable)
    def ai_chat(body: ChatBody):
        return h.ai_chat(body)

    return router


def _iso(epoch: Optional[float]) -> str:
    if not epoch:
        return ""
    return datetime.datetime.fromtimestamp(float(epoch)).isoformat()
