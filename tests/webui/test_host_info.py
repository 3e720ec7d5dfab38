"""What the extension reads from a host: flags, output folders per host kind, bases, titles."""
from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from iib_core.webui.host import HostInfo, detect_kind, normalize_subpath, option_values


def opts(**values):
    return SimpleNamespace(data=dict(values))


def host(cmd=None, kind="a1111", cwd="/sd", **values):
    return HostInfo.from_objects(SimpleNamespace(**(cmd or {})), opts(**values), kind=kind, cwd=cwd)


def test_a1111_output_folders_are_resolved_against_the_working_directory():
    h = host(outdir_samples="", outdir_txt2img_samples="outputs/txt2img-images",
             outdir_img2img_samples="/abs/img2img", outdir_grids="", outdir_save="log/images")
    assert h.output_dirs() == ["/sd/outputs/txt2img-images", "/abs/img2img", "/sd/log/images"]


def test_a1111_outdir_samples_replaces_but_old_per_mode_folders_stay_listed():
    h = host(outdir_samples="all", outdir_txt2img_samples="outputs/txt2img-images")
    assert h.output_dirs() == ["/sd/all", "/sd/outputs/txt2img-images"]


def test_sdnext_per_mode_folders_join_onto_outdir_samples_and_grids():
    h = host(kind="sdnext", outdir_samples="outputs", outdir_txt2img_samples="text", outdir_control_samples="control",
             outdir_grids="grids", outdir_txt2img_grids="text", outdir_save="/abs/save", outdir_video="video")
    assert h.output_dirs() == ["/sd/outputs", "/sd/outputs/text", "/sd/grids", "/sd/grids/text", "/abs/save",
                               "/sd/outputs/control", "/sd/outputs/video"]


def test_option_values_read_defaults_through_attribute_access():
    class Opts:
        data = {"outdir_save": "saved"}

        def __getattr__(self, name):
            if name == "outdir_txt2img_samples":
                return "outputs/txt2img-images"
            raise AttributeError(name)

    values = option_values(Opts())
    assert values["outdir_save"] == "saved" and values["outdir_txt2img_samples"] == "outputs/txt2img-images"


def test_exposure_and_auth_flags():
    assert not host().exposed and host().auth_flag is None
    for flag in ("share", "listen", "server_name", "ngrok"):
        assert host({flag: "x" if flag in ("server_name", "ngrok") else True}).exposed
    assert host({"gradio_auth": "a:b"}).auth_flag == "--gradio-auth"
    assert host({"auth": "a:b"}).auth_flag == "--auth"  # SD.Next's name
    assert host({"api_auth": "a:b"}).auth_flag == "--api-auth"


@pytest.mark.parametrize("kind, subpath, route, public", [
    ("a1111", None, "/infinite_image_browsing", "/infinite_image_browsing"),
    ("a1111", "sd", "/infinite_image_browsing", "/sd/infinite_image_browsing"),
    ("forge", "/a/b/", "/infinite_image_browsing", "/a/b/infinite_image_browsing"),
    ("sdnext", "sd", "/sd/infinite_image_browsing", "/sd/infinite_image_browsing"),
])
def test_route_and_public_bases_under_a_subpath(kind, subpath, route, public):
    h = host({"subpath": subpath}, kind=kind)
    assert (h.route_base, h.public_base) == (route, public)


def test_normalize_subpath():
    assert normalize_subpath(None) == "" and normalize_subpath(" /x/ ") == "/x" and normalize_subpath("") == ""


def test_public_options_hide_other_options_when_exposed():
    h = host(outdir_txt2img_samples="out", civitai_api_key="SECRET")
    assert h.public_options(False)["civitai_api_key"] == "SECRET"
    exposed = h.public_options(True)
    assert "civitai_api_key" not in exposed and exposed["outdir_txt2img_samples"] == "out"


def test_extra_paths_setting_accepts_lines_and_commas():
    h = host(iib_extra_paths='/a/b\n  rel/dir , "/c d"\n\n')
    assert h.extra_paths() == ["/a/b", os.path.join("/sd", "rel/dir"), "/c d"]


@pytest.mark.parametrize("server_lang, localization, title", [
    ("zh", "None", "无边图像浏览"), ("zh-hans", "None", "无边图像浏览"), ("zh-hant", "None", "無邊圖像瀏覽"),
    ("en", "zh_CN", "Infinite image browsing"), ("auto", "zh_CN", "无边图像浏览"),
    ("auto", "zh_TW", "無邊圖像瀏覽"), ("de", "None", "Infinite image browsing"),
])
def test_tab_title_language(server_lang, localization, title, monkeypatch):
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setattr("locale.getlocale", lambda *a: (None, None))
    assert host(localization=localization).tab_title(server_lang) == title


def test_detect_kind_by_features():
    assert detect_kind(SimpleNamespace(insecure=False, safe=False)) == "sdnext"
    assert detect_kind(SimpleNamespace(listen=False)) in ("a1111", "forge")


def test_bind_address_and_host_names_follow_the_flags():
    assert host({}).bind_address == "127.0.0.1" and host({}).host_names() == []
    assert host({"listen": True}).bind_address == "0.0.0.0"
    assert host({"listen": True, "server_name": "box.lan"}).bind_address == "box.lan"
    assert host({"share": True}).host_names() == ["*.gradio.live"]
    assert "*.ngrok-free.app" in host({"ngrok": "token"}).host_names()
