"""The host's command line: the A1111/Forge flag names the extension reads."""
import argparse
import os

parser = argparse.ArgumentParser(description="IIB test host (an SD WebUI stand-in)")
parser.add_argument("--data-dir", default=os.getcwd())
parser.add_argument("--port", type=int, default=None)
parser.add_argument("--listen", action="store_true")
parser.add_argument("--share", action="store_true", help="recorded only: no tunnel is opened")
parser.add_argument("--ngrok", default=None, help="recorded only")
parser.add_argument("--server-name", default=None)
parser.add_argument("--subpath", default=None)
parser.add_argument("--api", action="store_true")
parser.add_argument("--api-auth", default=None)
parser.add_argument("--nowebui", action="store_true")
parser.add_argument("--gradio-auth", default=None)
parser.add_argument("--gradio-auth-path", default=None)
parser.add_argument("--gradio-allowed-path", action="append", default=[])
parser.add_argument("--enable-insecure-extension-access", action="store_true")
parser.add_argument("--skip-install", action="store_true")
parser.add_argument("--ui-debug-mode", action="store_true")
# Harness only: the extension folders to load (a real host lists <data>/extensions/*).
parser.add_argument("--extension", action="append", default=[], help="an extension folder to load")
parser.add_argument("--hide-ui-dir-config", action="store_true")
