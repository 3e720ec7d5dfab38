"""The semantic layer for one IIB instance: picks the models, builds the embedding cache,
clusters, names clusters and searches. Created per app (`ai_routes.build`)."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from ..db import embeddings as emb_db
from ..db import moves as moves_db
from ..errors import BadInput
from . import prompts, titles
from .client import OpenAIClient
from .cluster import cluster_vectors, representatives
from .errors import NotConfigured, ProviderError
from .local import DEFAULT_LOCAL_MODEL, LOCAL_PREFIX, INSTALL_HINT, LocalEmbedder, local_model_available
from .vectors import MatrixCache, ModelMatrix, normalize_rows, stack_blobs, to_blob

log = logging.getLogger("iib.ai")

Progress = Callable[[Dict[str, object]], None]
REMEMBERED_REJECTIONS = {400, 413, 422}  # the provider refused these inputs: remember, skip next time
SAMPLE_PROMPT_CHARS = 200
KEYWORDS_TITLE_MODEL = "keywords"


def _noop(_: Dict[str, object]) -> None:
    return None


class Embedder:
    model: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


class RemoteEmbedder(Embedder):
    def __init__(self, client: OpenAIClient, model: str) -> None:
        self.client = client
        self.model = model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return normalize_rows(np.asarray(self.client.embed(texts, self.model), dtype=np.float32))


class LocalModelEmbedder(Embedder):
    def __init__(self, local: LocalEmbedder) -> None:
        self.local = local
        self.model = LOCAL_PREFIX + local.name

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return normalize_rows(self.local.embed(texts), what="Local embedding")


@dataclass
class ClusterParams:
    folders: List[str]
    recursive: bool = True
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
    extra: Dict[str, object] = field(default_factory=dict)


def clamp(value, low, high):
    return max(low, min(high, value))


class AIService:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.matrices = MatrixCache()
        self._local: Dict[str, LocalEmbedder] = {}
        self._lock = threading.Lock()
        self.generation = 0  # bumped by every embedding write of this process
        self._client: Optional[OpenAIClient] = None
        self._client_key: Optional[tuple] = None

    @property
    def settings(self):
        return self.ctx.settings

    @property
    def db(self):
        return self.ctx.db

    # -- models ---------------------------------------------------------------------
    def client(self) -> OpenAIClient:
        """The provider client for the current settings (kept, so connections are reused)."""
        s = self.settings
        key = (s.openai_base_url, s.openai_api_key, s.ai_timeout, s.ai_max_retries)
        with self._lock:
            if self._client_key != key:
                if self._client is not None:
                    self._client.close()
                self._client = OpenAIClient(s.openai_base_url, s.openai_api_key, timeout=s.ai_timeout,
                                            max_retries=s.ai_max_retries)
                self._client_key = key
            return self._client

    def _local_embedder(self, name: str) -> LocalModelEmbedder:
        with self._lock:
            local = self._local.get(name)
            if local is None:
                local = LocalEmbedder(name)
                self._local[name] = local
        return LocalModelEmbedder(local)

    def model_name(self, model: Optional[str] = None) -> str:
        """The name embeddings of `model` are stored under (no model is loaded, nothing is called)."""
        s = self.settings
        name = (model or s.embedding_model or "").strip()
        if name.startswith(LOCAL_PREFIX):
            return LOCAL_PREFIX + (name[len(LOCAL_PREFIX):].strip() or DEFAULT_LOCAL_MODEL)
        if not s.ai_remote_configured and (not model or model == s.embedding_model) and local_model_available():
            return LOCAL_PREFIX + DEFAULT_LOCAL_MODEL
        return name

    def embedder(self, model: Optional[str] = None) -> Embedder:
        """`local:<name>` → the local model; else the provider when one is configured; else,
        for the default model only, the local model when installed."""
        s = self.settings
        name = (model or s.embedding_model or "").strip()
        if name.startswith(LOCAL_PREFIX):
            return self._local_embedder(name[len(LOCAL_PREFIX):].strip() or DEFAULT_LOCAL_MODEL)
        if s.ai_remote_configured:
            return RemoteEmbedder(self.client(), name)
        if (not model or model == s.embedding_model) and local_model_available():
            return self._local_embedder(DEFAULT_LOCAL_MODEL)
        raise NotConfigured("OpenAI API Key not configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for another "
                            f"provider), or install a local embedding model ({INSTALL_HINT})")

    def title_source(self, title_model: Optional[str]) -> str:
        """The chat model for titles, or 'keywords' (no chat model configured, or asked for)."""
        s = self.settings
        name = (title_model or s.effective_topic_title_model or "").strip()
        if name == KEYWORDS_TITLE_MODEL or not s.ai_remote_configured:
            return KEYWORDS_TITLE_MODEL
        return name

    def norm_version(self) -> str:
        return prompts.normalize_version(self.settings.prompt_normalize, self.settings.prompt_normalize_mode)

    def text_of(self, positive, raw, max_chars: int) -> str:
        s = self.settings
        return prompts.prompt_text(positive, raw, max_chars, s.prompt_normalize, s.prompt_normalize_mode)

    # -- embeddings -----------------------------------------------------------------
    def build(self, folders: Sequence[str], *, recursive: bool = True, model: Optional[str] = None,
              force: bool = False, batch_size: int = 64, max_chars: int = 4000,
              progress: Progress = _noop, embedder: Optional[Embedder] = None) -> Dict[str, object]:
        """Embed every image in scope whose text changed (all with `force`)."""
        embedder = embedder or self.embedder(model)
        batch_size = clamp(int(batch_size), 1, 256)
        max_chars = clamp(int(max_chars), 256, 8000)
        version = self.norm_version()
        stats = {"count": 0, "updated": 0, "skipped": 0, "skipped_failed": 0, "failed": 0, "model": embedder.model}
        todo: List[tuple] = []  # (image_id, text, hash)
        with self.db.read() as conn:
            for chunk in emb_db.candidates(conn, embedder.model, folders, recursive):
                for image_id, positive, raw, cached_hash, has_vec, error in chunk:
                    text = self.text_of(positive, raw, max_chars)
                    if not text:
                        continue
                    stats["count"] += 1
                    h = prompts.text_hash(version, text)
                    if not force and cached_hash == h:
                        if has_vec:
                            stats["skipped"] += 1
                            continue
                        if error:
                            stats["skipped_failed"] += 1
                            continue
                    todo.append((image_id, text, h))
        progress({"scanned": stats["count"], "to_embed": len(todo), "embedded_done": 0})
        for start in range(0, len(todo), batch_size):
            batch = todo[start:start + batch_size]
            try:
                vecs = embedder.embed([t for _, t, _ in batch])
                if vecs.shape[0] != len(batch):
                    raise ProviderError(f"Embedding API returned {vecs.shape[0]} vectors for {len(batch)} texts")
                rows = [{"image_id": i, "text_hash": h, "dim": int(vecs.shape[1]), "dtype": "f2",
                         "vec": to_blob(v), "error": None} for (i, _, h), v in zip(batch, vecs)]
                stats["updated"] += len(batch)
            except ProviderError as exc:
                if getattr(exc, "provider_status", None) not in REMEMBERED_REJECTIONS:
                    raise
                log.warning("embedding batch rejected by the provider: %s", exc.detail)
                rows = [{"image_id": i, "text_hash": h, "dim": 0, "vec": None, "error": str(exc.detail)[:500]}
                        for i, _, h in batch]
                stats["failed"] += len(batch)
            with self.db.write() as conn:
                emb_db.store(conn, embedder.model, rows)
            self.generation += 1
            progress({"embedded_done": min(len(todo), start + len(batch)), "updated": stats["updated"],
                      "batch_n": start // batch_size + 1})
        return stats

    # -- search -------------------------------------------------------------------------
    def _load_matrix(self, model: str) -> ModelMatrix:
        ids: List[np.ndarray] = []
        folder_of: List[np.ndarray] = []
        mats: List[np.ndarray] = []
        folder_index: Dict[str, int] = {}
        with self.db.read() as conn:
            for rows in emb_db.all_vectors(conn, model):
                ids.append(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
                folder_of.append(np.fromiter((folder_index.setdefault(r[1], len(folder_index)) for r in rows),
                                             dtype=np.int32, count=len(rows)))
                mats.append(stack_blobs(rows, 2, 3, 4))
        dims = {m.shape[1] for m in mats}
        if len(dims) > 1:
            raise BadInput(f"Stored embeddings of model {model} have different lengths {sorted(dims)}: "
                           "rebuild them with force=true")
        folders = [None] * len(folder_index)
        for f, i in folder_index.items():
            folders[i] = f
        if not mats:
            return ModelMatrix(np.zeros(0, np.int64), np.zeros(0, np.int32), [], np.zeros((0, 0), np.float32), None)
        return ModelMatrix.build(np.concatenate(ids), np.concatenate(folder_of), folders, np.vstack(mats))

    def matrix(self, model: str) -> ModelMatrix:
        with self.db.read() as conn:
            # Images that changed folders (file operations, organise, the indexer finding a moved
            # file) change paths_state: the matrix keeps each row's folder for scoped searches.
            version = (emb_db.last_change(conn, model), self.generation, moves_db.paths_state(conn))
        return self.matrices.get(model, version, lambda: self._load_matrix(model))

    def search(self, query: str, folders: Sequence[str], *, recursive: bool = True, model: Optional[str] = None,
               top: int = 50, min_score: float = 0.0, ensure_embed: bool = True, max_chars: int = 4000,
               visible: Callable[[str], bool] = lambda p: True) -> Dict[str, object]:
        embedder = self.embedder(model)
        if ensure_embed:
            self.build(folders, recursive=recursive, max_chars=max_chars, embedder=embedder)
        q = embedder.embed([query.strip()[:clamp(int(max_chars), 256, 8000)]])
        if q.shape[0] != 1:
            raise ProviderError("Embedding API returned empty vector")
        mm = self.matrix(embedder.model)
        result = {"model": embedder.model, "count": 0, "top_k": top, "results": []}
        if mm.matrix.shape[0] == 0:
            return result
        if mm.matrix.shape[1] != q.shape[1]:
            raise BadInput(f"The stored embeddings of {embedder.model} have {mm.matrix.shape[1]} values but the "
                           f"model now returns {q.shape[1]}: rebuild them with force=true")
        # A few extra in case some rows vanished or are hidden by access control.
        idx, scores, result["count"] = mm.search(q[0], top + 32, folders, recursive, min_score, sep=os.sep)
        ids = [int(mm.ids[i]) for i in idx]
        with self.db.read() as conn:
            rows = emb_db.images_by_id(conn, ids)
        out = []
        for image_id, score in zip(ids, scores):
            row = rows.get(image_id)
            if row is None or not visible(row["path"]):
                continue
            out.append({"id": image_id, "path": row["path"], "score": round(float(score), 6),
                        "sample_prompt": prompts.extract_prompt(row["positive"], row["raw"])[:SAMPLE_PROMPT_CHARS]})
            if len(out) == top:
                break
        result["results"] = out
        return result

    # -- clustering ---------------------------------------------------------------------
    def cluster_key(self, p: ClusterParams, model: str, title_source: str) -> str:
        material = {"folders": p.folders, "recursive": p.recursive, "model": model, "threshold": p.threshold,
                    "min_cluster_size": p.min_cluster_size, "assign_noise_threshold": p.assign_noise_threshold,
                    "title_model": title_source, "lang": titles.language_of(p.lang), "normalize": self.norm_version()}
        return hashlib.sha1(json.dumps(material, sort_keys=True).encode("utf-8")).hexdigest()

    def scope_state(self, model: str, folders: Sequence[str], recursive: bool) -> Dict[str, object]:
        with self.db.read() as conn:
            count, newest = emb_db.scope_state(conn, model, folders, recursive)
        mtimes = {}
        for f in folders:
            try:
                mtimes[f] = os.stat(f).st_mtime
            except OSError:
                mtimes[f] = None
        return {"embeddings_count": count, "embeddings_max_updated_at": newest, "folder_mtimes": mtimes}

    def cluster(self, p: ClusterParams, progress: Progress = _noop, stage: Callable[[str], None] = lambda s: None
                ) -> Dict[str, object]:
        embedder = self.embedder(p.model)
        source = self.title_source(p.title_model)
        stage("embedding")
        self.build(p.folders, recursive=p.recursive, force=p.force_embed, batch_size=p.batch_size,
                   max_chars=p.max_chars, progress=progress, embedder=embedder)
        key = self.cluster_key(p, embedder.model, source)
        state = self.scope_state(embedder.model, p.folders, p.recursive)
        if not p.force_embed and not p.force_title and p.use_title_cache:
            with self.db.read() as conn:
                cached = emb_db.get_cluster(conn, key)
            if cached and cached.get("state") == state and isinstance(cached.get("result"), dict):
                return {"result": cached["result"], "cache_hit": True, "cache_key": key}
        stage("clustering")
        ids: List[int] = []
        paths: List[str] = []
        texts: List[str] = []
        mats = []
        with self.db.read() as conn:
            for rows in emb_db.vectors_in_scope(conn, embedder.model, p.folders, p.recursive):
                for r in rows:
                    ids.append(int(r[0]))
                    paths.append(r[1])
                    texts.append(self.text_of(r[2], r[3], p.max_chars))
                mats.append(stack_blobs(rows, 4, 5, 6))
        base = {"folder": p.folders[0] if p.folders else "", "folders": list(p.folders), "model": embedder.model,
                "threshold": p.threshold}
        if not ids:
            result = dict(base, clusters=[], noise=[])
            return {"result": result, "cache_hit": False, "cache_key": key}
        vectors = np.vstack(mats)
        n = len(ids)
        progress({"items_total": n, "items_done": 0})
        clustering = cluster_vectors(vectors, p.threshold, p.min_cluster_size, p.assign_noise_threshold,
                                     progress=lambda done: progress({"items_done": done}))
        stage("titling")
        k = len(clustering.clusters)
        progress({"clusters_total": k, "clusters_done": 0})
        named = self._titles(p, clustering, vectors, ids, texts, embedder.model, source, progress)
        clusters = []
        for i, members in enumerate(clustering.clusters):
            rep = representatives(vectors, members, clustering.directions[i], 1)
            clusters.append({"id": f"topic_{i}", "title": named[i]["title"], "keywords": named[i]["keywords"],
                             "size": int(members.size), "paths": [paths[m] for m in members],
                             "sample_prompt": texts[int(rep[0])][:SAMPLE_PROMPT_CHARS] if rep.size else "",
                             "title_method": named[i]["method"]})
        clusters.sort(key=lambda c: -c["size"])  # stable: equal sizes keep creation order
        noise = [paths[i] for i in np.flatnonzero(clustering.labels < 0)]
        result = dict(base, count=n, min_cluster_size=p.min_cluster_size,
                      assign_noise_threshold=p.assign_noise_threshold, clusters=clusters, noise=noise,
                      title_model=source, title_method=titles.KEYWORDS_METHOD if source == KEYWORDS_TITLE_MODEL
                      else titles.LLM_METHOD)
        with self.db.write() as conn:
            emb_db.put_cluster(conn, key, list(p.folders), self._params_dict(p, embedder.model, source), result, state)
        return {"result": result, "cache_hit": False, "cache_key": key}

    @staticmethod
    def _params_dict(p: ClusterParams, model: str, source: str) -> Dict[str, object]:
        return {"recursive": p.recursive, "model": model, "threshold": p.threshold,
                "min_cluster_size": p.min_cluster_size, "assign_noise_threshold": p.assign_noise_threshold,
                "title_model": source, "lang": p.lang}

    def cluster_hash(self, member_ids: Sequence[int], model: str, p: ClusterParams, source: str) -> str:
        material = {"ids": sorted(member_ids), "model": model, "threshold": p.threshold,
                    "min_cluster_size": p.min_cluster_size, "title_model": source, "lang": titles.language_of(p.lang),
                    "normalize": self.norm_version(), "mode": self.settings.prompt_normalize_mode}
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode("utf-8")).hexdigest()

    def _titles(self, p: ClusterParams, clustering, vectors, ids, texts, model, source, progress) -> List[dict]:
        hashes = [self.cluster_hash([ids[m] for m in members], model, p, source) for members in clustering.clusters]
        out: List[Optional[dict]] = [None] * len(hashes)
        if p.use_title_cache and not p.force_title:
            with self.db.read() as conn:
                for i, h in enumerate(hashes):
                    hit = emb_db.get_title(conn, h)
                    if hit is not None:
                        out[i] = {"title": hit["title"], "keywords": hit["keywords"], "method": hit["method"]}
        missing = [i for i, o in enumerate(out) if o is None]
        done = len(hashes) - len(missing)
        progress({"clusters_done": done, "title_cache_hits": done})
        if not missing:
            return out  # type: ignore[return-value]
        lang = titles.language_of(p.lang)
        if source == KEYWORDS_TITLE_MODEL:
            named = titles.keyword_titles([[texts[m] for m in members] for members in clustering.clusters])
            for i in missing:
                out[i] = dict(named[i], method=titles.KEYWORDS_METHOD)
                with self.db.write() as conn:
                    emb_db.put_title(conn, hashes[i], out[i]["title"], out[i]["keywords"], source, lang,
                                     titles.KEYWORDS_METHOD)
            progress({"clusters_done": len(hashes)})
            return out  # type: ignore[return-value]
        client = self.client()
        for i in missing:
            members = clustering.clusters[i]
            rep = representatives(vectors, members, clustering.directions[i], titles.SAMPLE_PROMPTS)
            named = titles.llm_title(client, source, [texts[m] for m in rep], lang)
            out[i] = dict(named, method=titles.LLM_METHOD)
            with self.db.write() as conn:
                emb_db.put_title(conn, hashes[i], named["title"], named["keywords"], source, lang, titles.LLM_METHOD)
            done += 1
            progress({"clusters_done": done})
        return out  # type: ignore[return-value]
