from modules.paths import data_path, script_path  # noqa: F401  (A1111 keeps both here too)
