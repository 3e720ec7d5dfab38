"""AI routes (api-contract §3.8): answered with 501 until the semantic layer lands."""
from __future__ import annotations

from fastapi import APIRouter, Depends

from ..errors import NotImplementedYet
from .context import IIBContext
from .deps import secret_guard, write_guard

NOT_YET = "The semantic features (embeddings, clustering, natural-language search) are not available in this build yet."

WRITE_ROUTES = [("POST", "/db/build_iib_output_embeddings"), ("POST", "/db/cluster_iib_output_job_start"),
                ("POST", "/db/search_iib_output_by_prompt"), ("POST", "/ai-chat"),
                ("POST", "/db/organize_files_start"), ("POST", "/db/organize_files_confirm")]
READ_ROUTES = [("GET", "/db/cluster_iib_output_job_status"), ("POST", "/db/cluster_iib_output_cached"),
               ("POST", "/db/cluster_tag_graph"), ("POST", "/db/cluster_tag_graph_cluster_paths")]


def _not_yet():
    raise NotImplementedYet(NOT_YET)


def build(ctx: IIBContext) -> APIRouter:
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    for method, path in WRITE_ROUTES:
        router.add_api_route(path, _not_yet, methods=[method], dependencies=[Depends(write_guard(ctx))])
    for method, path in READ_ROUTES:
        router.add_api_route(path, _not_yet, methods=[method])
    return router
