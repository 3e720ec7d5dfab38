"""`python app.py ... --update_image_index` as a user runs it."""
import os

from sqlalchemy import select

from iib_core.db import open_database
from iib_core.db.schema import images
from support.cli import run_app


def test_indexes_the_fixture_corpus_and_prints_counts_per_generator(fixture_corpus, tmp_path):
    from fixtures.make_fixtures import load

    corpus = fixture_corpus
    done = run_app("--extra_paths", str(corpus), "--update_image_index", "--index_only", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    fixtures = load(corpus)["fixtures"]
    n = len(fixtures)  # images only: the sidecar .txt files are not media
    assert f"{n} media files seen, {n} read, {n} written" in done.stdout
    assert "per generator:" in done.stdout
    for family in {f["generator"] for f in fixtures if f["generator"] and not f["read"]}:
        assert family in done.stdout
    db = open_database(f"sqlite:///{tmp_path / 'iib.db'}")
    try:
        with db.read() as conn:
            paths = {r[0] for r in conn.execute(select(images.c.path))}
    finally:
        db.dispose()
    assert paths == {os.path.join(os.path.abspath(corpus), *f["name"].split("/")) for f in fixtures}
    again = run_app("--extra_paths", str(corpus), "--update_image_index", "--index_only", tmp_path=tmp_path)
    assert f"{n} media files seen, 0 read, 0 written" in again.stdout


def test_demo_folder_is_created_and_indexed(tmp_path):
    done = run_app("--demo", "--update_image_index", "--index_only", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "24 media files seen, 24 read, 24 written" in done.stdout
    assert "AUTOMATIC1111" in done.stdout and "ComfyUI" in done.stdout


def test_bad_flags_and_settings_give_messages_naming_the_culprit(tmp_path):
    missing = run_app("--extra_paths", str(tmp_path / "nope"), "--update_image_index", "--index_only", tmp_path=tmp_path)
    assert missing.returncode == 2 and "nope" in missing.stderr and "Traceback" not in missing.stderr
    bad_env = run_app("--update_image_index", "--index_only", "--extra_paths", str(tmp_path),
                      env_extra={"IIB_DB_FILE_BACKUP_MAX": "lots"}, tmp_path=tmp_path)
    assert bad_env.returncode == 2 and "IIB_DB_FILE_BACKUP_MAX" in bad_env.stderr
    cfg = tmp_path / "config.json"
    cfg.write_text("{not json")
    bad_cfg = run_app("--sd_webui_config", str(cfg), "--update_image_index", "--index_only", tmp_path=tmp_path)
    assert bad_cfg.returncode == 2 and str(cfg) in bad_cfg.stderr and "Traceback" not in bad_cfg.stderr


def test_sd_webui_config_output_folders_are_indexed(tmp_path):
    from support.files import a1111_png

    webui = tmp_path / "webui"
    a1111_png(webui / "outputs" / "txt2img-images" / "a.png", "from webui outputs")
    cfg = webui / "config.json"
    cfg.write_text('{"outdir_txt2img_samples": "outputs/txt2img-images", "outdir_save": "log/images"}')
    done = run_app("--sd_webui_config", str(cfg), "--sd_webui_path_relative_to_config",
                   "--update_image_index", "--index_only", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 media files seen, 1 read, 1 written" in done.stdout


def test_generate_image_cache_fills_the_thumbnail_cache(tmp_path):
    from support.files import a1111_png
    from PIL import Image

    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(3):  # big enough (> 64 KiB) to need a real thumbnail
        Image.effect_noise((900, 700), 60).convert("RGB").save(lib / f"big{i}.png")
    a1111_png(lib / "small.png", "small one")
    done = run_app("--extra_paths", str(lib), "--generate_image_cache", "--generate_image_cache_size", "256x256",
                   "--index_only", "--gen_cache_verbose", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "thumbnails: 4 files, 3 generated" in done.stdout
    cached = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert len(cached) >= 3
    again = run_app("--extra_paths", str(lib), "--generate_image_cache", "--generate_image_cache_size", "256x256",
                    "--index_only", tmp_path=tmp_path)
    assert "0 generated, 3 already cached" in again.stdout
    bad = run_app("--extra_paths", str(lib), "--generate_image_cache", "--generate_image_cache_size", "huge",
                  "--index_only", tmp_path=tmp_path)
    assert bad.returncode == 2 and "--generate_image_cache_size" in bad.stderr
