"""`modules.paths`: where the host keeps its data (present in every host)."""
import os

script_path = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data_path = os.getcwd()  # set from --data-dir by webui.py
models_path = os.path.join(data_path, "models")
