"""Loading extension scripts the way A1111/Forge do.

Only top-level `scripts/*.py` of each extension, sorted; each file is executed from
its path as a new module object (not put in sys.modules) while the extension folder
is first on sys.path. "Reload UI" clears the callbacks and runs them all again.
"""
import importlib.util
import os
import sys
import traceback

from modules import script_callbacks

extension_dirs = []


def list_scripts(subdir, ext):
    out = []
    for ext_dir in extension_dirs:
        folder = os.path.join(ext_dir, subdir)
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                path = os.path.join(folder, name)
                if name.endswith(ext) and os.path.isfile(path):
                    out.append((ext_dir, path))
    return out


def load_module(path):
    spec = importlib.util.spec_from_file_location(os.path.basename(path), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_scripts():
    script_callbacks.clear_callbacks()
    for ext_dir, path in list_scripts("scripts", ".py"):
        saved = list(sys.path)
        try:
            sys.path = [ext_dir] + sys.path
            load_module(path)
        except Exception:
            print(f"Error loading script: {path}\n{traceback.format_exc()}", flush=True)
        finally:
            sys.path = saved
