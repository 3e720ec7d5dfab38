"""Video covers from real videos made with PyAV, and client-supplied covers."""
import base64
import io
import os
import wave

import pytest
from PIL import Image

from iib_core.errors import BadInput, TooLarge
from iib_core.media.errors import UnsupportedMedia
from iib_core.media.video import (MAX_CLIENT_IMAGE, VideoCoverCache, client_image_to_webp, decode_client_image,
                                  pick_cover_frame)

from .helpers import BRIGHT, close_to, decode, make_video


def test_cover_skips_black_frames(tmp_path):
    video = make_video(tmp_path / "fade-in.mp4", frames=10, black=3)
    im = pick_cover_frame(str(video))
    assert im.size == (64, 48)
    assert close_to(im.getpixel((32, 24)), BRIGHT[0])  # the first frame that is not black


def test_cover_of_a_video_without_black_frames_is_its_first_frame(tmp_path):
    video = make_video(tmp_path / "plain.mp4", frames=6, black=0)
    assert close_to(pick_cover_frame(str(video)).getpixel((5, 5)), BRIGHT[0])


def test_all_black_video_still_gets_a_cover(tmp_path):
    video = make_video(tmp_path / "dark.mp4", frames=8, black=8)
    im = pick_cover_frame(str(video))
    assert max(im.getpixel((32, 24))) < 30


def test_big_video_cover_is_fitted_into_the_cover_box(tmp_path):
    video = make_video(tmp_path / "wide.mp4", frames=3, black=1, size=(1280, 320))
    assert pick_cover_frame(str(video)).size == (1024, 256)


def test_broken_and_audio_only_files_raise_unsupported_media(tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    with pytest.raises(UnsupportedMedia) as info:
        pick_cover_frame(str(broken))
    assert info.value.detail.startswith("Failed to generate video cover: ")
    audio = tmp_path / "tone.wav"
    with wave.open(str(audio), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * 8000)
    with pytest.raises(UnsupportedMedia) as info:
        pick_cover_frame(str(audio))
    assert "no video stream" in info.value.detail


def test_cover_cache_generates_once_and_follows_the_file(tmp_path):
    video = make_video(tmp_path / "clip.mp4")
    covers = VideoCoverCache(tmp_path / "cache")
    first = covers.get(str(video), os.stat(video))
    again = covers.get(str(video), os.stat(video))
    assert (first.source, again.source) == ("generated", "cache") and first.body == again.body
    assert decode(first.body).format == "WEBP"
    make_video(video, frames=5, black=1, colors=[BRIGHT[2]])
    st = os.stat(video)
    os.utime(video, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    changed = covers.get(str(video), os.stat(video))
    assert changed.source == "generated"
    assert close_to(decode(changed.body).convert("RGB").getpixel((32, 24)), BRIGHT[2])


def _png_bytes(color, size=(40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def test_client_cover_replaces_the_generated_one(tmp_path):
    video = make_video(tmp_path / "clip.mp4")
    covers = VideoCoverCache(tmp_path / "cache")
    covers.get(str(video), os.stat(video))
    stored = covers.store(str(video), os.stat(video), _png_bytes((10, 200, 10)))
    assert stored.source == "client" and decode(stored.body).format == "WEBP"  # PNG re-encoded
    served = covers.get(str(video), os.stat(video))
    assert served.body == stored.body and served.source == "cache"
    webp = io.BytesIO()
    Image.new("RGB", (20, 20), (9, 9, 9)).save(webp, "WEBP")
    assert covers.store(str(video), os.stat(video), webp.getvalue()).body == webp.getvalue()  # kept as sent


def test_decode_client_image_forms():
    raw = _png_bytes((1, 2, 3))
    b64 = base64.b64encode(raw).decode()
    assert decode_client_image("data:image/png;base64," + b64) == raw
    assert decode_client_image(b64) == raw
    assert decode_client_image("\n" + b64[:10] + "\n" + b64[10:] + " ") == raw
    assert decode_client_image(b64.rstrip("=")) == raw  # missing padding is tolerated


@pytest.mark.parametrize("text", ["", "   ", "not base64 !!!", "data:image/png,rawtext", "data:image/png;base64",
                                  "QUJD$$"])
def test_decode_client_image_refuses_bad_input(text):
    with pytest.raises(BadInput):
        decode_client_image(text)


def test_decode_client_image_size_cap():
    with pytest.raises(TooLarge):
        decode_client_image("A" * (MAX_CLIENT_IMAGE + 4))


def test_client_image_must_be_an_image():
    with pytest.raises(BadInput) as info:
        client_image_to_webp(b"hello, I am text")
    assert "not a decodable image" in info.value.detail
