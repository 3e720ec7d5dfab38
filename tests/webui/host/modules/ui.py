"""The host UI: txt2img, img2img (with inpaint), extras, extension tabs, in `#tabs`.

As in A1111/Forge, each tab is its own gr.Blocks rendered into the main Blocks as
`gr.TabItem(title, id=elem_id, elem_id="tab_" + elem_id)`; paste bindings are wired
once, after every tab exists. A stand-in for ControlNet's DOM (the Mikubill ids of
ControlNet's extension) sits in txt2img and img2img, so sending to ControlNet can be checked.
"""
import gradio as gr

from modules import infotext_utils, script_callbacks

# For the state route: the tabs built, the settings sections registered.
built = {"tabs": [], "paste_targets": []}


def _controlnet(tab):
    with gr.Group(elem_id=f"{tab}_controlnet"):
        with gr.Accordion("ControlNet", open=False, elem_id="controlnet"):
            with gr.Tabs(elem_id=f"{tab}_controlnet_tabs"):
                for unit in range(2):
                    with gr.Tab(f"ControlNet Unit {unit}"):
                        gr.Image(label=f"Unit {unit}", type="pil", interactive=True,
                                 elem_id=f"{tab}_controlnet_ControlNet-{unit}_input_image")


def _generation_fields(tab):
    # interactive=True: in a real host these are inputs of the Generate button.
    prompt = gr.Textbox(label="Prompt", elem_id=f"{tab}_prompt", show_label=False, lines=3, interactive=True)
    negative = gr.Textbox(label="Negative prompt", elem_id=f"{tab}_neg_prompt", show_label=False, lines=2,
                          interactive=True)
    with gr.Row():
        steps = gr.Number(label="Sampling steps", value=20, precision=0, elem_id=f"{tab}_steps", interactive=True)
        sampler = gr.Textbox(label="Sampler", value="Euler a", elem_id=f"{tab}_sampling", interactive=True)
        seed = gr.Number(label="Seed", value=-1, precision=0, elem_id=f"{tab}_seed", interactive=True)
        width = gr.Number(label="Width", value=512, precision=0, elem_id=f"{tab}_width", interactive=True)
        height = gr.Number(label="Height", value=512, precision=0, elem_id=f"{tab}_height", interactive=True)
    return [(prompt, "Prompt"), (negative, "Negative prompt"), (steps, "Steps"), (sampler, "Sampler"),
            (seed, "Seed"), (width, "Size-1"), (height, "Size-2")]


def create_ui():
    infotext_utils.reset()
    with gr.Blocks(analytics_enabled=False) as txt2img_interface:
        fields = _generation_fields("txt2img")
        _controlnet("txt2img")
        infotext_utils.add_paste_fields("txt2img", None, fields)
    with gr.Blocks(analytics_enabled=False) as img2img_interface:
        with gr.Tabs(elem_id="mode_img2img"):
            with gr.TabItem("img2img", id="img2img", elem_id="img2img_img2img_tab"):
                init_img = gr.Image(label="Image for img2img", type="pil", elem_id="img2img_image", interactive=True)
            with gr.TabItem("Inpaint", id="inpaint", elem_id="img2img_inpaint_tab"):
                init_mask = gr.Image(label="Image for inpainting", type="pil", elem_id="img2maskimg", interactive=True)
        fields = _generation_fields("img2img")
        _controlnet("img2img")
        infotext_utils.add_paste_fields("img2img", init_img, fields)
        infotext_utils.add_paste_fields("inpaint", init_mask, fields)
    with gr.Blocks(analytics_enabled=False) as extras_interface:
        extras_image = gr.Image(label="Source", type="pil", elem_id="extras_image", interactive=True)
        infotext_utils.add_paste_fields("extras", extras_image, None)

    interfaces = [(txt2img_interface, "txt2img", "txt2img"), (img2img_interface, "img2img", "img2img"),
                  (extras_interface, "Extras", "extras")]
    interfaces += script_callbacks.ui_tabs_callback()
    script_callbacks.ui_settings_callback()  # A1111 runs it while building the Settings tab

    with gr.Blocks(analytics_enabled=False, title="Stable Diffusion") as demo:
        with gr.Tabs(elem_id="tabs"):
            for interface, label, ifid in interfaces:
                with gr.TabItem(label, id=ifid, elem_id=f"tab_{ifid}"):
                    interface.render()
        infotext_utils.connect_paste_params_buttons()
    built["tabs"] = [(label, ifid) for _, label, ifid in interfaces]
    built["paste_targets"] = sorted({b.tabname for b in infotext_utils.registered_param_bindings})
    return demo
