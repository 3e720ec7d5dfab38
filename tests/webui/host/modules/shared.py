"""`modules.shared`: cmd_opts, opts, OptionInfo and the server-command state."""
import threading

from modules import shared_cmd_options
from modules.options import OptionInfo, Options  # noqa: F401  (extensions use shared.OptionInfo)

cmd_opts = shared_cmd_options.cmd_opts

# The host's own options (values as A1111 1.9+ ships them: relative output folders).
options_templates = {
    "outdir_samples": OptionInfo("", "Output directory for images; if empty, defaults to three directories below"),
    "outdir_txt2img_samples": OptionInfo("outputs/txt2img-images", "Output directory for txt2img images"),
    "outdir_img2img_samples": OptionInfo("outputs/img2img-images", "Output directory for img2img images"),
    "outdir_extras_samples": OptionInfo("outputs/extras-images", "Output directory for images from extras tab"),
    "outdir_grids": OptionInfo("", "Output directory for grids; if empty, defaults to two directories below"),
    "outdir_txt2img_grids": OptionInfo("outputs/txt2img-grids", "Output directory for txt2img grids"),
    "outdir_img2img_grids": OptionInfo("outputs/img2img-grids", "Output directory for img2img grids"),
    "outdir_save": OptionInfo("log/images", "Directory for saving images using the Save button"),
    "outdir_init_images": OptionInfo("outputs/init-images", "Directory for saving init images"),
    "save_to_dirs": OptionInfo(True, "Save images to a subdirectory"),
    "send_seed": OptionInfo(True, "Send seed when sending prompt or image to other interface"),
    "localization": OptionInfo("None", "Localization"),
}
opts = Options(options_templates)


class State:
    def __init__(self):
        self.server_command = None
        self._event = threading.Event()

    def request_restart(self):
        self.set_server_command("restart")

    def set_server_command(self, command):
        self.server_command = command
        self._event.set()

    def wait_for_server_command(self, timeout=None):
        if self._event.wait(timeout):
            self._event.clear()
            command, self.server_command = self.server_command, None
            return command
        return None


state = State()
