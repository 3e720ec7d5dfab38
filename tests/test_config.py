"""Settings from flags, environment and .env, with clear errors naming the variable."""
import pytest

from iib_core.config import Settings, SettingsError


def test_defaults_and_database_url(tmp_path):
    s = Settings.load(environ={}, env_file=tmp_path / "missing.env")
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("iib.db")
    assert s.db_file_backup_max == 8 and s.access_control == "auto" and s.writable
    assert s.enable_stealth_parser is None and s.comfyui_extract_all_prompts is False
    assert s.effective_topic_title_model == "gpt-4o-mini"


def test_environment_wins_over_env_file_and_flags_win_over_both(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("IIB_DB_PATH=/from/file.db\nAI_MODEL=file-model\nIIB_SERVER_LANG=de\n")
    s = Settings.load(environ={"AI_MODEL": "env-model"}, env_file=env_file)
    assert str(s.db_path) == "/from/file.db" and s.ai_model == "env-model" and s.server_lang == "de"
    s = Settings.load(environ={"AI_MODEL": "env-model"}, env_file=env_file, ai_model="flag-model")
    assert s.ai_model == "flag-model"


def test_db_url_wins_over_db_path(tmp_path):
    s = Settings.load(environ={"IIB_DB_PATH": "/x.db", "IIB_DB_URL": "postgresql+psycopg://u@h/db"},
                      env_file=tmp_path / "none")
    assert s.database_url == "postgresql+psycopg://u@h/db"


def test_all_documented_variables_are_read(tmp_path):
    env = {
        "IIB_CACHE_DIR": "/c", "IIB_SECRET_KEY": "k", "IIB_ACCESS_CONTROL": "enable",
        "IIB_ACCESS_CONTROL_ALLOWED_PATHS": "/a, /b,", "IIB_ACCESS_CONTROL_PERMISSION": "read-only",
        "IIB_SERVER_LANG": "zh", "IIB_DB_FILE_BACKUP_MAX": "3", "IIB_ENABLE_SD_WEBUI_STEALTH_PARSER": "0",
        "IIB_COMFYUI_EXTRACT_ALL_PROMPTS": "true", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1/",
        "OPENAI_API_KEY": "sk", "EMBEDDING_MODEL": "e", "AI_MODEL": "m", "TOPIC_TITLE_MODEL": "t",
        "IIB_PROMPT_NORMALIZE": "0", "IIB_PROMPT_NORMALIZE_MODE": "theme_only",
    }
    s = Settings.load(environ=env, env_file=tmp_path / "none")
    assert (str(s.cache_dir), s.secret_key, s.access_control) == ("/c", "k", "enable")
    assert s.access_control_allowed_paths == ["/a", "/b"]
    assert not s.writable and s.server_lang == "zh" and s.db_file_backup_max == 3
    assert s.enable_stealth_parser is False and s.comfyui_extract_all_prompts is True
    assert s.openai_base_url == "http://127.0.0.1:9/v1" and s.openai_api_key == "sk"
    assert (s.embedding_model, s.ai_model, s.effective_topic_title_model) == ("e", "m", "t")
    assert s.prompt_normalize is False and s.prompt_normalize_mode == "theme_only"


@pytest.mark.parametrize("name,value", [
    ("IIB_DB_FILE_BACKUP_MAX", "many"), ("IIB_DB_FILE_BACKUP_MAX", "-1"),
    ("IIB_ACCESS_CONTROL", "maybe"), ("IIB_ACCESS_CONTROL_PERMISSION", "admin"),
    ("IIB_ENABLE_SD_WEBUI_STEALTH_PARSER", "perhaps"), ("IIB_PROMPT_NORMALIZE_MODE", "wild"),
    ("IIB_DB_URL", "not a url"), ("OPENAI_BASE_URL", "ftp://x"), ("IIB_SERVER_LANG", "xx"),
])
def test_invalid_values_name_the_variable(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.load(environ={name: value}, env_file=tmp_path / "none")


def test_allowed_hosts_and_origins_and_whether_the_permission_was_set():
    s = Settings.load(environ={"IIB_ALLOWED_HOSTS": "IIB.lan, *.example.test",
                               "IIB_ALLOW_ORIGINS": "https://Tools.example:8443/, http://a.test"}, env_file="/nonexistent")
    assert s.allowed_hosts == ["iib.lan", "*.example.test"]
    assert s.allowed_origins == ["https://tools.example:8443", "http://a.test"]
    assert s.access_control_permission is None and s.permission == "read-write" and s.writable
    assert Settings.load(environ={"IIB_ACCESS_CONTROL_PERMISSION": "read-write"},
                         env_file="/nonexistent").access_control_permission == "read-write"
    for bad in ("tools.example", "ftp://x.test", "https://x.test/path"):
        with pytest.raises(SettingsError, match="IIB_ALLOW_ORIGINS"):
            Settings.load(environ={"IIB_ALLOW_ORIGINS": bad}, env_file="/nonexistent")
