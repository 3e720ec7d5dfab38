"""Saving an image as a generation does: PNG with infotext, then on_image_saved."""
import datetime
import os

from PIL import PngImagePlugin

from modules import paths, script_callbacks, shared


def save_image(image, path, basename, info=None, p=None):
    if shared.opts.save_to_dirs:
        path = os.path.join(path, datetime.date.today().isoformat())
    os.makedirs(path, exist_ok=True)
    pnginfo = PngImagePlugin.PngInfo()
    if info:
        pnginfo.add_text("parameters", info)
    filename = os.path.join(path, f"{basename}.png")  # relative when the option is (A1111 does the same)
    tmp = filename + ".tmp"
    image.save(tmp, format="PNG", pnginfo=pnginfo)
    os.replace(tmp, filename)
    # Like processing.py: the last generation's parameters, pasted for an empty infotext.
    if info:
        with open(os.path.join(paths.data_path, "params.txt"), "w", encoding="utf8") as f:
            f.write(info)
    params = script_callbacks.ImageSaveParams(image, p, filename, {"parameters": info} if info else {})
    script_callbacks.image_saved_callback(params)
    return filename
