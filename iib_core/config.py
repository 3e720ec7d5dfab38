"""One `Settings` object built from command-line flags, the environment and a `.env` file.

Precedence, highest first: explicit keyword arguments (the CLI flags), the process
environment, the `.env` file, then the defaults below. Nothing here mutates
`os.environ`, so several instances (the webui, tests) can live in one process.

Every flag and variable, with its default: docs/configuration.md (tests/test_docs.py keeps it complete).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

PROJECT_DIR = Path(__file__).resolve().parent.parent


def user_data_dir(app: str = "iib", environ: Optional[Mapping[str, str]] = None,
                  platform: Optional[str] = None, home: Optional[Path] = None) -> Path:
    """The per-user folder for an application's data, as the platform expects it.

    Linux and other Unixes: `$XDG_DATA_HOME/<app>` (an absolute XDG_DATA_HOME only, as the
    XDG spec says), else `~/.local/share/<app>`; Windows: `%LOCALAPPDATA%\\<app>`;
    macOS: `~/Library/Application Support/<app>`.
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    home = Path.home() if home is None else Path(home)
    if platform.startswith("win"):
        local = env.get("LOCALAPPDATA", "")
        return (Path(local) if local else home / "AppData" / "Local") / app
    if platform == "darwin":
        return home / "Library" / "Application Support" / app
    xdg = env.get("XDG_DATA_HOME", "")
    return (Path(xdg) if xdg and os.path.isabs(xdg) else home / ".local" / "share") / app


def is_source_checkout(project_dir: Path) -> bool:
    """Is `project_dir` (the folder holding iib_core) a clone or a webui extension folder?

    Installed with pip, iib_core sits in site-packages (or dist-packages), next to other
    distributions and without our app.py.
    """
    if project_dir.name in ("site-packages", "dist-packages"):
        return False
    return (project_dir / "app.py").is_file() and (project_dir / "iib_core").is_dir()


def default_data_dir(project_dir: Path = PROJECT_DIR, environ: Optional[Mapping[str, str]] = None,
                     platform: Optional[str] = None, home: Optional[Path] = None) -> Path:
    """Where the default database (iib.db), cache folder and fallback `.env` live.

    From a source checkout (`python app.py`, the SD WebUI extension): the checkout itself, as
    always, so existing users keep their iib.db. Installed as a package (`iib`): the user's data
    folder, never site-packages. IIB_DB_PATH, IIB_DB_URL and IIB_CACHE_DIR override either.
    """
    if is_source_checkout(project_dir):
        return project_dir
    return user_data_dir("iib", environ=environ, platform=platform, home=home)


DATA_DIR = default_data_dir()

PERMISSIONS = ("read-write", "read-only", "write-only", "no-access")
ACCESS_CONTROL_MODES = ("auto", "enable", "disable")
PROMPT_NORMALIZE_MODES = ("balanced", "theme_only")
SERVER_LANGS = ("auto", "en", "zh", "zh-hans", "zh-hant", "de")
DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"


class SettingsError(ValueError):
    """An environment variable or flag has a value we cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    db_path: Path = DATA_DIR / "iib.db"
    db_url: Optional[str] = None
    cache_dir: Path = DATA_DIR / "cache"
    secret_key: Optional[str] = None
    access_control: str = "auto"
    access_control_allowed_paths: List[str] = field(default_factory=list)
    # None: not set by the user ("read-write", except on an open bind without a key, where the
    # server is read-only); a value set explicitly always wins.
    access_control_permission: Optional[str] = None
    # Host names (besides loopback, IP literals and the bound name) the server answers to
    # (IIB_ALLOWED_HOSTS / --allowed_hosts): "name", "*.domain" or "*" for any.
    allowed_hosts: List[str] = field(default_factory=list)
    # Origins (scheme://host[:port]) other pages may call from (IIB_ALLOW_ORIGINS /
    # --allow_cors ORIGIN...): reads always; writes only when a secret key is set.
    allowed_origins: List[str] = field(default_factory=list)
    server_lang: str = "auto"
    db_file_backup_max: int = 8
    # None: look for stealth data only in alpha channels of lossless images without other
    # metadata (cheap); True: also RGB stealth on any lossless image; False: never decode pixels.
    enable_stealth_parser: Optional[bool] = None
    comfyui_extract_all_prompts: bool = False
    openai_base_url: str = DEFAULT_OPENAI_BASE_URL
    openai_api_key: Optional[str] = None
    embedding_model: str = "text-embedding-3-small"
    ai_model: str = "gpt-4o-mini"
    topic_title_model: Optional[str] = None
    prompt_normalize: bool = True
    prompt_normalize_mode: str = "balanced"
    # Semantic layer: seconds per provider request (IIB_AI_TIMEOUT) and retries after a
    # 429 or 5xx answer (IIB_AI_MAX_RETRIES).
    ai_timeout: float = 60.0
    ai_max_retries: int = 3
    # Folders (absolute or relative to the working directory) given with --extra_paths.
    extra_paths: List[str] = field(default_factory=list)
    # Folder names or paths never indexed, from IIB_EXCLUDE_DIRS or the settings table.
    exclude_dirs: List[str] = field(default_factory=list)
    index_workers: int = 0  # 0 means one per core
    # Standalone: watch the folders and index new or changed images at once (IIB_WATCH).
    watch: bool = True
    # Cache housekeeping (media/housekeeping.py): batch-download archives kept this many hours
    # (IIB_ZIP_KEEP_HOURS, 0 = keep), thumbnails + video covers capped at this many MiB
    # (IIB_CACHE_MAX_MB, 0 = no cap), trash items kept this many days (IIB_TRASH_KEEP_DAYS, 0 = keep).
    zip_keep_hours: float = 24.0
    cache_max_mb: int = 10240  # room for the grid thumbnails of 200k+ images
    trash_keep_days: float = 30.0

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL in force: IIB_DB_URL wins over IIB_DB_PATH."""
        if self.db_url:
            return self.db_url
        return "sqlite:///" + str(Path(self.db_path).expanduser().resolve())

    @property
    def is_sqlite_file(self) -> bool:
        return self.database_url.startswith("sqlite:///")

    @property
    def effective_topic_title_model(self) -> str:
        return self.topic_title_model or self.ai_model

    @property
    def ai_remote_configured(self) -> bool:
        """An OpenAI-compatible provider is set up: a key, or a base URL other than the default
        (local servers such as Ollama or llama.cpp need no key)."""
        return bool(self.openai_api_key) or self.openai_base_url != DEFAULT_OPENAI_BASE_URL

    @property
    def permission(self) -> str:
        return self.access_control_permission or "read-write"

    @property
    def writable(self) -> bool:
        return self.permission in ("read-write", "write-only")

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def load(
        cls,
        environ: Optional[Mapping[str, str]] = None,
        env_file: Optional[os.PathLike] = None,
        **overrides: Any,
    ) -> Settings:
        """Build settings from `environ` (default: os.environ) over a `.env` file.

        `env_file` defaults to `.env` in the working directory, then in the data folder
        (`DATA_DIR`: the checkout, or the user's data folder when installed); a missing file is
        fine. Keyword arguments (CLI flags) win over both.
        """
        merged: Dict[str, str] = {}
        merged.update(_read_env_file(env_file))
        merged.update(os.environ if environ is None else environ)
        values = _parse_environment(merged)
        values.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise TypeError("unknown settings: " + ", ".join(sorted(unknown)))
        return cls(**values)


def _read_env_file(env_file: Optional[os.PathLike]) -> Dict[str, str]:
    from dotenv import dotenv_values

    candidates = [Path(env_file)] if env_file else [Path.cwd() / ".env", DATA_DIR / ".env"]
    for candidate in candidates:
        if candidate.is_file():
            return {k: v for k, v in dotenv_values(candidate).items() if v is not None}
    return {}


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on", "enable", "enabled"):
        return True
    if value in ("0", "false", "no", "off", "disable", "disabled", ""):
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def _parse_choice(name: str, raw: str, choices: tuple) -> str:
    value = raw.strip().lower()
    if value not in choices:
        raise SettingsError(f"{name}={raw!r} is not one of: {', '.join(choices)}")
    return value


def _parse_int(name: str, raw: str, minimum: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    return value


def _parse_number(name: str, raw: str, minimum: float) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise SettingsError(f"{name}={raw!r} is not a finite number")
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum:g}")
    return value


def _parse_list(raw: str) -> List[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def parse_origin(name: str, raw: str) -> str:
    """`scheme://host[:port]`, lower case, no path: the form browsers send in `Origin`."""
    from urllib.parse import urlsplit

    value = raw.strip().rstrip("/").lower()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
        raise SettingsError(f"{name}: {raw!r} is not an origin (write it as http://host:port)")
    return f"{parts.scheme}://{parts.netloc}"


def _parse_db_url(name: str, url: str) -> str:
    if "://" not in url:
        raise SettingsError(f"{name}={url!r} is not a database URL (e.g. postgresql+psycopg://user@host/db)")
    return url


def _parse_openai_base_url(name: str, url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"{name}={url!r} must start with http:// or https://")
    return url.rstrip("/")


def _parse_ai_timeout(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number of seconds") from None
    if not value > 0:
        raise SettingsError(f"{name} must be more than 0 seconds")
    return value


def _parse_path(name: str, raw: str) -> Path:
    return Path(raw).expanduser()


def _parse_text(name: str, raw: str) -> str:
    return raw


def _choice(choices: tuple) -> Callable[[str, str], str]:
    return lambda name, raw: _parse_choice(name, raw, choices)


def _at_least(parse: Callable[[str, str, Any], Any], minimum: Any) -> Callable[[str, str], Any]:
    return lambda name, raw: parse(name, raw, minimum)


# How each environment name becomes a Settings field, in the order they are checked.
# "text" entries are stripped and skipped when unset or blank; "flag" entries are read
# whenever the name is present (even blank, which means off).
_ENVIRONMENT: Tuple[Tuple[str, str, str, Callable[[str, str], Any]], ...] = (
    ("IIB_DB_PATH", "db_path", "text", _parse_path),
    ("IIB_DB_URL", "db_url", "text", _parse_db_url),
    ("IIB_CACHE_DIR", "cache_dir", "text", _parse_path),
    ("IIB_SECRET_KEY", "secret_key", "text", _parse_text),
    ("IIB_ACCESS_CONTROL", "access_control", "text", _choice(ACCESS_CONTROL_MODES)),
    ("IIB_ACCESS_CONTROL_ALLOWED_PATHS", "access_control_allowed_paths", "text", lambda _n, raw: _parse_list(raw)),
    ("IIB_ACCESS_CONTROL_PERMISSION", "access_control_permission", "text", _choice(PERMISSIONS)),
    ("IIB_ALLOWED_HOSTS", "allowed_hosts", "text", lambda _n, raw: [h.lower() for h in _parse_list(raw)]),
    ("IIB_ALLOW_ORIGINS", "allowed_origins", "text", lambda n, raw: [parse_origin(n, o) for o in _parse_list(raw)]),
    ("IIB_SERVER_LANG", "server_lang", "text", _choice(SERVER_LANGS)),
    ("IIB_DB_FILE_BACKUP_MAX", "db_file_backup_max", "text", _at_least(_parse_int, 0)),
    ("IIB_ENABLE_SD_WEBUI_STEALTH_PARSER", "enable_stealth_parser", "flag", _parse_bool),
    ("IIB_COMFYUI_EXTRACT_ALL_PROMPTS", "comfyui_extract_all_prompts", "flag", _parse_bool),
    ("OPENAI_BASE_URL", "openai_base_url", "text", _parse_openai_base_url),
    ("OPENAI_API_KEY", "openai_api_key", "text", _parse_text),
    ("EMBEDDING_MODEL", "embedding_model", "text", _parse_text),
    ("AI_MODEL", "ai_model", "text", _parse_text),
    ("TOPIC_TITLE_MODEL", "topic_title_model", "text", _parse_text),
    ("IIB_PROMPT_NORMALIZE", "prompt_normalize", "flag", _parse_bool),
    ("IIB_PROMPT_NORMALIZE_MODE", "prompt_normalize_mode", "text", _choice(PROMPT_NORMALIZE_MODES)),
    ("IIB_AI_TIMEOUT", "ai_timeout", "text", _parse_ai_timeout),
    ("IIB_AI_MAX_RETRIES", "ai_max_retries", "text", _at_least(_parse_int, 0)),
    ("IIB_EXCLUDE_DIRS", "exclude_dirs", "text", lambda _n, raw: _parse_list(raw)),
    ("IIB_WATCH", "watch", "flag", _parse_bool),
    ("IIB_INDEX_WORKERS", "index_workers", "text", _at_least(_parse_int, 0)),
    ("IIB_ZIP_KEEP_HOURS", "zip_keep_hours", "text", _at_least(_parse_number, 0)),
    ("IIB_CACHE_MAX_MB", "cache_max_mb", "text", _at_least(_parse_int, 0)),
    ("IIB_TRASH_KEEP_DAYS", "trash_keep_days", "text", _at_least(_parse_number, 0)),
)


def _parse_environment(env: Mapping[str, str]) -> Dict[str, Any]:
    """Translate the IIB environment names into Settings fields, validating each."""
    out: Dict[str, Any] = {}
    for env_name, field_name, kind, parse in _ENVIRONMENT:
        if kind == "flag":
            if env_name in env:
                out[field_name] = parse(env_name, env[env_name])
            continue
        value = env.get(env_name)
        value = "" if value is None else value.strip()
        if value:
            out[field_name] = parse(env_name, value)
    return out
