"""Generation info routes over HTTP, on real corpus files."""
import shutil


def test_image_geninfo_for_a1111_and_other_generators(make_api, shared_dir, tmp_path):
    lib = tmp_path / "corpuscopy"
    shutil.copytree(shared_dir / "corpus", lib)
    api = make_api(extra_paths=[str(lib)])
    text = api.get("/image_geninfo", params={"path": str(lib / "a1111" / "automatic1111_cropped.png")}).json()
    assert text.startswith("photo of a duck") and "Steps:" in text
    comfy = api.get("/image_geninfo", params={"path": str(lib / "comfyui" / "lora_multiple.png")}).json()
    assert comfy.startswith("masterpiece best quality girl") and "Source Identifier: ComfyUI" in comfy
    assert api.get("/image_geninfo", params={"path": str(lib / "_negative" / "macos-screenshot_export.png")}).json() == ""
    assert api.get("/image_geninfo", params={"path": str(lib / "missing.png")}).json() == ""
    batch = api.post("/image_geninfo_batch", json={"paths": [str(lib / "novelai" / "novelai1_cropped.png"),
                                                            str(lib / "missing.png")]}).json()
    assert batch[str(lib / "novelai" / "novelai1_cropped.png")].startswith("masterpiece, best quality")
    assert batch[str(lib / "missing.png")] == ""


def test_image_exif(api, shared_dir):
    png = api.get("/image_exif", params={"path": str(api.library / "2026-11-20" / "00001-1.png")}).json()
    assert png["parameters"].startswith("masterpiece, a red fox")
    assert api.get("/image_exif", params={"path": str(api.library / "nope.png")}).json() == {}


def test_send_img_path_slot(api):
    assert api.get("/gen_info_completed").json() is True  # never set
    fox = str(api.library / "2026-11-20" / "00001-1.png")
    assert api.post("/send_img_path", params={"path": fox}).json() is None
    assert api.get("/gen_info_completed").json() is False  # nothing takes it standalone
    assert api.post("/send_img_path").status_code == 422
