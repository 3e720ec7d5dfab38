"""Generation info routes over HTTP, on the project's fixture corpus (one file per format)."""
import shutil


def test_image_geninfo_for_a1111_and_other_generators(make_api, fixture_corpus, tmp_path):
    lib = tmp_path / "fixtures"
    shutil.copytree(fixture_corpus, lib)
    api = make_api(extra_paths=[str(lib)])
    text = api.get("/image_geninfo", params={"path": str(lib / "a1111" / "png-text.png")}).json()
    assert text.startswith("photo of a duck, masterpiece") and "Steps: 20" in text  # the file's own text
    comfy = api.get("/image_geninfo", params={"path": str(lib / "comfyui" / "prompt-workflow.png")}).json()
    assert comfy.startswith("a lighthouse on a cliff, masterpiece\nNegative prompt: blurry, text\n")
    assert "Seed: 8001" in comfy and comfy.endswith("Source Identifier: ComfyUI")
    assert api.get("/image_geninfo", params={"path": str(lib / "_negative" / "plain.png")}).json() == ""
    assert api.get("/image_geninfo", params={"path": str(lib / "missing.png")}).json() == ""
    nai = str(lib / "novelai" / "novelai.png")
    batch = api.post("/image_geninfo_batch", json={"paths": [nai, str(lib / "missing.png")]}).json()
    assert batch[nai].startswith("1girl, novel garden\nNegative prompt: bad hands")
    assert batch[str(lib / "missing.png")] == ""


def test_image_exif(api):
    png = api.get("/image_exif", params={"path": str(api.library / "2026-11-20" / "00001-1.png")}).json()
    assert png["parameters"].startswith("masterpiece, a red fox")
    assert api.get("/image_exif", params={"path": str(api.library / "nope.png")}).json() == {}


def test_send_img_path_slot(api):
    assert api.get("/gen_info_completed").json() is True  # never set
    fox = str(api.library / "2026-11-20" / "00001-1.png")
    assert api.post("/send_img_path", params={"path": fox}).json() is None
    assert api.get("/gen_info_completed").json() is False  # nothing takes it standalone
    assert api.post("/send_img_path").status_code == 422
