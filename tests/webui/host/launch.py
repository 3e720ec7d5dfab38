"""`launch` as install.py sees it: run_pip and is_installed.

run_pip builds one shell command line, as A1111 does, so a spec must reach it quoted.
The harness records calls (and runs no pip) when IIB_HARNESS_PIP_LOG names a file.
"""
import importlib.metadata
import importlib.util
import json
import os
import shlex
import subprocess
import sys

from modules import cmd_args

# The launcher's flags reach install.py through COMMANDLINE_ARGS (webui-user.sh/.bat).
args, _ = cmd_args.parser.parse_known_args(shlex.split(os.environ.get("COMMANDLINE_ARGS", "")))
python = sys.executable


def is_installed(package):
    try:
        importlib.metadata.distribution(package)
        return True
    except importlib.metadata.PackageNotFoundError:
        try:
            return importlib.util.find_spec(package) is not None
        except ModuleNotFoundError:
            return False


def run_pip(command, desc=None, live=False):
    if args.skip_install:
        return None
    line = f'"{python}" -m pip {command} --prefer-binary'
    log = os.environ.get("IIB_HARNESS_PIP_LOG")
    if log:
        with open(log, "a", encoding="utf8") as f:
            f.write(json.dumps({"command": command, "desc": desc, "line": line}) + "\n")
        return ""
    result = subprocess.run(line, shell=True, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"Couldn't install {desc}.\nCommand: {line}\nError code: {result.returncode}\n"
                           f"stderr: {result.stderr}")
    return result.stdout
