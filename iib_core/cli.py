"""Command line of `app.py` and of the installed `iib` command, flag-compatible with the original tool."""
from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
import time
from typing import Any, Dict, List, Optional

from .config import DATA_DIR, Settings, SettingsError

log = logging.getLogger("iib")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Infinite Image Browsing: browse, search and tag AI-generated images.",
        epilog=f"Default database, cache and fallback .env: {DATA_DIR} "
               "(IIB_DB_PATH, IIB_DB_URL and IIB_CACHE_DIR override them).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--extra_paths", nargs="*", default=[], metavar="DIR",
                   help="folders to browse and index (in addition to stored ones)")
    p.add_argument("--update_image_index", action="store_true",
                   help="index the folders (incrementally) before anything else")
    p.add_argument("--sd_webui_config", metavar="FILE", help="an SD WebUI config.json to take output folders from")
    p.add_argument("--sd_webui_path_relative_to_config", action="store_true",
                   help="resolve relative output folders against the config file's folder")
    p.add_argument("--sd_webui_dir", metavar="DIR", help="the SD WebUI folder relative output folders belong to")
    p.add_argument("--allow_cors", nargs="*", default=None, metavar="ORIGIN",
                   help="bare: let pages of any origin read (GET); with origins (also IIB_ALLOW_ORIGINS): "
                        "only those, and with IIB_SECRET_KEY set they may also change things")
    p.add_argument("--allowed_hosts", nargs="*", default=[], metavar="NAME",
                   help="more host names to answer to (also IIB_ALLOWED_HOSTS; '*.example.com', '*' for any)")
    p.add_argument("--enable_shutdown", action="store_true", help="expose POST /shutdown")
    p.add_argument("--base", default="", help="URL prefix to serve under, e.g. /iib")
    p.add_argument("--export_fe_fn", action="store_true", help="expose front-end helper functions on window")
    p.add_argument("--generate_image_cache", action="store_true", help="pre-generate thumbnails of the folders")
    p.add_argument("--generate_image_cache_size", default="512x512", help="thumbnail size to pre-generate")
    p.add_argument("--generate_video_cover", action="store_true", help="pre-generate video cover images")
    p.add_argument("--gen_cache_verbose", action="store_true", help="print every generated cache file")
    p.add_argument("--clean_cache", action="store_true",
                   help="apply the cache retention rules (IIB_ZIP_KEEP_HOURS, IIB_CACHE_MAX_MB, "
                        "IIB_TRASH_KEEP_DAYS), print the usage before and after, and exit")
    p.add_argument("--index_only", action="store_true", help="exit after indexing instead of serving")
    p.add_argument("--demo", action="store_true",
                   help="add a small folder of generated demo images (created on first use)")
    p.add_argument("--exclude", nargs="*", default=[], metavar="DIR",
                   help="folder names or paths never indexed (also IIB_EXCLUDE_DIRS)")
    p.add_argument("--workers", type=int, default=None, help="index worker processes (default: one per core)")
    p.add_argument("--env_file", default=None,
                   help="a .env file to read (default: ./.env, else .env in the data folder below)")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    return p


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The settings (environment and .env) with the command line's additions; SettingsError
    names a bad value."""
    settings = Settings.load(env_file=args.env_file, extra_paths=list(args.extra_paths), index_workers=args.workers)
    if args.allow_cors or args.allowed_hosts:
        from .config import parse_origin

        settings = settings.with_overrides(
            allowed_origins=list(settings.allowed_origins) + [
                parse_origin("--allow_cors", o) for o in (args.allow_cors or [])],
            allowed_hosts=list(settings.allowed_hosts) + [h.lower() for h in args.allowed_hosts])
    if args.demo:
        from .demo import ensure_demo_folder

        settings = settings.with_overrides(extra_paths=list(settings.extra_paths) + [str(ensure_demo_folder())])
    if args.exclude:
        settings = settings.with_overrides(exclude_dirs=list(settings.exclude_dirs) + list(args.exclude))
    return settings


class StartError(Exception):
    """A problem the user can fix before anything starts: printed as `error: ...`, exit status 2."""


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = settings_from_args(args)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.clean_cache:
        return run_clean_cache(settings)
    try:
        webui_dirs = webui_dirs_from_args(args)
        db = open_database_or_fail(settings)
    except StartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        return run_jobs(args, settings, db, webui_dirs)
    finally:
        db.dispose()


def webui_dirs_from_args(args: argparse.Namespace) -> List[str]:
    """The webui output folders from --sd_webui_config; every --extra_paths must be a folder."""
    from .roots import ConfigFileError, webui_dirs_from_flags

    try:
        webui_dirs = webui_dirs_from_flags(args.sd_webui_config, args.sd_webui_path_relative_to_config,
                                           args.sd_webui_dir)
    except ConfigFileError as exc:
        raise StartError(str(exc)) from None
    for path in args.extra_paths:
        if not os.path.isdir(path):
            raise StartError(f"--extra_paths: {path}: not a folder")
    return webui_dirs


def open_database_or_fail(settings: Settings):
    from .db import SchemaTooNew, open_database

    try:
        return open_database(settings.database_url, backup_max=settings.db_file_backup_max)
    except SchemaTooNew as exc:
        raise StartError(str(exc)) from None
    except Exception as exc:  # a locked, corrupt or unreachable database
        raise StartError(f"cannot open the database {settings.database_url}: {exc}") from None


def run_jobs(args: argparse.Namespace, settings: Settings, db, webui_dirs: List[str]) -> int:
    """Index, pre-generate, then serve, as the flags ask; the first failing step's status."""
    from .roots import read_webui_config

    if args.update_image_index:
        rc = run_index(db, settings, webui_dirs)
        if rc:
            return rc
    if args.generate_image_cache or args.generate_video_cover:
        rc = run_pregenerate(args, settings, db, webui_dirs)
        if rc:
            return rc
    if args.index_only:
        return 0
    webui_options = read_webui_config(args.sd_webui_config) if args.sd_webui_config else {}
    return serve(args, settings, db, webui_options, webui_dirs)


def serve(args, settings: Settings, db, webui_options: dict, webui_dirs: List[str]) -> int:
    """Serve the API and the UI with uvicorn until interrupted."""
    from .api import build_context
    from .server import announce, run_standalone

    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"error: port {args.port} on {args.host} is already in use (another IIB or another server?); "
                  f"stop it or choose another port with --port", file=sys.stderr)
        else:
            print(f"error: cannot listen on {args.host} port {args.port}: {exc.strerror or exc}; "
                  f"check --host and --port", file=sys.stderr)
        return 1

    ctx = build_context(settings, db=db, base=args.base or "/infinite_image_browsing", host=args.host,
                        allow_cors=args.allow_cors is not None, enable_shutdown=args.enable_shutdown, export_fe_fn=True,
                        webui_options=webui_options, webui_dirs=webui_dirs)
    announce(ctx, args.host)
    print(f"IIB serving on http://{args.host}:{args.port}{ctx.base}", file=sys.stderr, flush=True)
    try:
        run_standalone(ctx, args.host, args.port, allow_cors=args.allow_cors is not None, log_level="warning",
                       sockets=[sock])
    finally:
        sock.close()
    return 0


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, bound before anything is announced, so a taken port is
    one clear error instead of a start message followed by uvicorn's errno."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn chooses it
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if os.name != "nt":  # on Windows SO_REUSEADDR would let two servers share the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def run_clean_cache(settings: Settings) -> int:
    """--clean_cache: the housekeeping rules once, with the usage per area before and after."""
    from .media.housekeeping import cache_usage, prune_cache

    def show(title: str, usage: dict) -> None:
        print(f"{title} ({usage['cache_dir']}):")
        for area, a in usage["areas"].items():
            items = f", {a['items']} items" if "items" in a else ""
            print(f"  {area:<13} {_human_bytes(a['bytes']):>10}  {a['files']} files{items}")
        print(f"  {'total':<13} {_human_bytes(usage['total_bytes']):>10}")

    try:
        show("cache before", cache_usage(settings))
        result = prune_cache(settings)
        show("cache after", cache_usage(settings))
    except OSError as exc:
        print(f"error: cannot clean the cache {settings.cache_dir}: {exc}", file=sys.stderr)
        return 1
    removed = sum(r["files"] for r in result["removed"].values())
    print(f"removed {removed} files, freed {_human_bytes(result['freed_bytes'])}")
    for message in result["errors"]:
        print(f"warning: {message}", file=sys.stderr)
    return 0


def _human_bytes(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def run_pregenerate(args, settings: Settings, db, webui_dirs: List[str]) -> int:
    """--generate_image_cache / --generate_video_cover: fill the caches the routes read."""
    from tqdm import tqdm

    from .db import extra_paths as extra_paths_db
    from .errors import BadInput
    from .media.pregenerate import pregenerate_thumbnails, pregenerate_video_covers
    from .media.thumbnails import parse_box
    from .roots import index_roots

    with db.read() as conn:
        stored = [e["path"] for e in extra_paths_db.list_all(conn)]
    roots = index_roots(webui_dirs, settings.extra_paths, stored)
    try:
        box = parse_box(args.generate_image_cache_size)
    except BadInput as exc:
        print(f"error: --generate_image_cache_size {args.generate_image_cache_size!r}: {exc.detail}", file=sys.stderr)
        return 2
    jobs = []
    if args.generate_image_cache:
        jobs.append(("thumbnails", lambda cb: pregenerate_thumbnails(settings.cache_dir, roots, box=box, progress=cb)))
    if args.generate_video_cover:
        jobs.append(("video covers", lambda cb: pregenerate_video_covers(settings.cache_dir, roots, progress=cb)))
    for label, job in jobs:
        bar = tqdm(total=0, unit="file", desc=label, dynamic_ncols=True, disable=None)

        def progress(done, total, path, bar=bar):
            bar.total = total
            bar.n = done
            bar.refresh()
            if args.gen_cache_verbose:
                bar.write(path)

        report = job(progress)
        bar.close()
        r = report.as_dict()
        print(f"{label}: {r.get('total', 0)} files, {r.get('generated', 0)} generated, "
              f"{r.get('cached', 0)} already cached, {r.get('failed', 0)} failed in {report.seconds:.1f} s")
        for path, error in report.errors[:20]:
            print(f"  failed: {path}: {error}", file=sys.stderr)
    return 0


def run_index(db, settings: Settings, webui_dirs: List[str]) -> int:
    """Index every root with a progress bar and print a summary; returns an exit code."""
    from tqdm import tqdm

    from .db import extra_paths as extra_paths_db
    from .indexer import IndexJob, extract_options
    from .roots import index_roots

    with db.read() as conn:
        stored = [e["path"] for e in extra_paths_db.list_all(conn)]
    roots = index_roots(webui_dirs, settings.extra_paths, stored)
    if not roots:
        print("nothing to index: give folders with --extra_paths", file=sys.stderr)
        return 2
    exclude = list(settings.exclude_dirs) + [str(settings.cache_dir)]
    bar = tqdm(total=0, unit="file", desc="scanning", dynamic_ncols=True, disable=None)
    state: Dict[str, Any] = {"phase": "scanning", "last_line": 0.0}

    def on_progress(p):
        if p.phase == "reading" and state["phase"] != "reading":
            state["phase"] = "reading"
            bar.set_description("reading")
            bar.reset(total=p.to_read)
        bar.n = p.parsed if p.phase == "reading" else p.seen
        bar.set_postfix(written=p.written, warnings=p.warnings, refresh=False)
        bar.refresh()
        if bar.disable and time.time() - state["last_line"] >= 5:  # no terminal: a line now and then
            state["last_line"] = time.time()
            eta = "" if p.eta is None else f", eta {p.eta:.0f} s"
            print(f"{p.phase}: {p.seen} seen, {p.parsed}/{p.to_read} read, {p.written} written, "
                  f"{p.rate:,.0f} files/s{eta}", file=sys.stderr, flush=True)

    job = IndexJob(db, roots, exclude=exclude, options=extract_options(settings),
                   workers=settings.index_workers, on_progress=on_progress)
    try:
        summary = job.run()
    except KeyboardInterrupt:
        bar.close()
        print("interrupted: the index is consistent; run again to finish", file=sys.stderr)
        return 130
    bar.close()
    p = summary.progress
    rate = p.parsed / summary.seconds if summary.seconds > 0 else 0.0
    print(f"indexed {len(roots)} root folder(s): {p.seen} media files seen, {p.parsed} read, "
          f"{p.written} written, {p.moved} moved, {p.deleted} removed, {p.warnings} warnings")
    print(f"time: {summary.seconds:.2f} s, {rate:,.0f} files/s")
    if summary.generators:
        print("per generator:")
        for name, n in sorted(summary.generators.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {name:<24} {n}")
    return 0
