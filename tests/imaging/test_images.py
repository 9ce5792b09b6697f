"""Tests for cnnviz.imaging.images: decoding round trips, odd modes, limits, a fuzz run, samples."""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
import pytest
from PIL import Image

from cnnviz.imaging.images import (MESSAGES, jpeg_for_width, PATTERNS, SAMPLE_PHOTOS, ImageError, decode_image,
                           downscale_for_display, sample_image, to_gray)
from tests.helpers import image_bytes, noise_rgb

FUZZ_SEED = 20240611


def _assert_rgb(arr: np.ndarray) -> None:
    assert isinstance(arr, np.ndarray)
    assert arr.dtype == np.uint8 and arr.ndim == 3 and arr.shape[2] == 3
    assert arr.shape[0] >= 1 and arr.shape[1] >= 1
    assert arr.flags.c_contiguous


# --- samples -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLE_PHOTOS + PATTERNS)
def test_sample_is_readonly_nonconstant_rgb(name: str) -> None:
    img = sample_image(name)
    _assert_rgb(img)
    assert img.min() < img.max()
    assert not img.flags.writeable
    with pytest.raises(ValueError):
        img[0, 0, 0] = 1
    assert sample_image(name) is img  # cached: one shared copy


def test_unknown_sample_raises() -> None:
    with pytest.raises(ValueError, match="unknown sample"):
        sample_image("no_such_image")


# --- round trips -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,kwargs", [("PNG", {}), ("BMP", {}), ("TIFF", {}),
                                        ("WEBP", {"lossless": True})])
def test_lossless_round_trip(fmt: str, kwargs: dict) -> None:
    src = noise_rgb(24, 32)
    out = decode_image(image_bytes(src, fmt, **kwargs))
    _assert_rgb(out)
    np.testing.assert_array_equal(out, src)


def test_gif_round_trip_with_few_colours() -> None:
    colours = np.array([[0, 0, 0], [255, 0, 0], [0, 128, 255], [250, 250, 250]], np.uint8)
    src = colours[np.random.default_rng(1).integers(0, 4, (20, 30))]
    np.testing.assert_array_equal(decode_image(image_bytes(src, "GIF")), src)


def test_jpeg_round_trip_within_tolerance() -> None:
    src = cv2.GaussianBlur(noise_rgb(64, 64), (9, 9), 3)  # smooth: JPEG's easy case
    out = decode_image(image_bytes(src, "JPEG", quality=95))
    assert out.shape == src.shape
    assert np.abs(out.astype(int) - src.astype(int)).mean() < 3


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    src = np.zeros((20, 40, 3), np.uint8)
    src[:, :20] = 255  # left half white
    out = decode_image(image_bytes(src, "JPEG", exif=exif, quality=95))
    assert out.shape == (40, 20, 3)
    assert out[:20].mean() > 200 and out[20:].mean() < 50  # left went to the top


# --- modes -------------------------------------------------------------------------------------

def test_16bit_png_is_rescaled_not_clipped() -> None:
    ramp = np.tile(np.linspace(0, 65535, 256).astype(np.uint16), (4, 1))
    im = Image.fromarray(ramp)
    assert im.mode == "I;16"
    out = decode_image(image_bytes(im, "PNG"))
    assert out.shape == (4, 256, 3)
    np.testing.assert_array_equal(out[0, :, 0], np.arange(256))
    np.testing.assert_array_equal(out[..., 0], out[..., 2])


def test_float_image_is_rescaled_by_its_range() -> None:
    values = np.array([[-1.0, 0.0, 1.0, 3.0]], np.float32)
    out = decode_image(image_bytes(Image.fromarray(values), "TIFF"))
    np.testing.assert_array_equal(out[0, :, 0], [0, 64, 128, 255])


def test_transparent_pixels_take_the_background() -> None:
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[:2, :, :3] = (10, 20, 30)
    rgba[:2, :, 3] = 255  # opaque top half, fully transparent (black) bottom half
    data = image_bytes(Image.fromarray(rgba), "PNG")
    out = decode_image(data)
    assert (out[:2] == (10, 20, 30)).all()
    assert (out[2:] == 255).all()
    assert (decode_image(data, background=(0, 128, 0))[2:] == (0, 128, 0)).all()
    rgba[2:, :, 3] = 128  # black at alpha 128/255 over white: 255 * 127 / 255
    assert (decode_image(image_bytes(Image.fromarray(rgba), "PNG"))[2:] == 127).all()


def _mode_image(mode: str) -> Image.Image:
    base = Image.fromarray(noise_rgb(12, 16))
    if mode in ("I", "I;16", "F"):
        return base.convert("L").convert(mode)
    if mode == "P":
        return base.quantize(8)
    return base.convert(mode)


@pytest.mark.parametrize("mode,fmt", [("P", "PNG"), ("CMYK", "TIFF"), ("CMYK", "JPEG"),
                                      ("LA", "PNG"), ("1", "PNG"), ("I", "TIFF"), ("F", "TIFF"),
                                      ("I;16", "PNG"), ("YCbCr", "TIFF"), ("LAB", "TIFF"),
                                      ("L", "BMP"), ("PA", "TIFF")])
def test_modes_decode_to_rgb(mode: str, fmt: str) -> None:
    im = _mode_image(mode)
    data = image_bytes(im, fmt)
    assert Image.open(io.BytesIO(data)).mode != "RGB"  # the file really stores that mode
    out = decode_image(data)
    _assert_rgb(out)
    assert out.shape[:2] == (12, 16)
    assert out.min() < out.max()


# --- limits ------------------------------------------------------------------------------------

def test_pixel_bomb_rejected_from_header() -> None:
    data = image_bytes(Image.new("1", (20000, 20000)), "PNG")
    assert len(data) < 100_000
    with pytest.raises(ImageError) as info:
        decode_image(data)
    assert info.value.key == "img_too_many_pixels"
    assert info.value.args_["megapixels"] == pytest.approx(400.0)


def test_pixel_limit_below_pillows_own_guard() -> None:
    # 64 megapixels: Pillow neither warns nor refuses, so only our header check stands in the way.
    with pytest.raises(ImageError) as info:
        decode_image(image_bytes(Image.new("1", (8000, 8000)), "PNG"))
    assert info.value.args_ == {"width": 8000, "height": 8000, "megapixels": 64.0, "limit_mp": 40.0}


def test_pixel_limit_is_configurable() -> None:
    data = image_bytes(noise_rgb(10, 10), "PNG")
    assert decode_image(data, max_pixels=100).shape == (10, 10, 3)
    with pytest.raises(ImageError) as info:
        decode_image(data, max_pixels=99)
    assert info.value.key == "img_too_many_pixels"


def test_byte_limit_and_empty() -> None:
    data = image_bytes(noise_rgb(24, 32), "PNG")
    with pytest.raises(ImageError) as info:
        decode_image(data, max_bytes=len(data) - 1)
    assert info.value.key == "img_too_many_bytes"
    assert decode_image(data, max_bytes=len(data)).shape == (24, 32, 3)
    with pytest.raises(ImageError) as info:
        decode_image(b"")
    assert info.value.key == "img_empty"


def test_garbage_and_truncation_keys() -> None:
    with pytest.raises(ImageError) as info:
        decode_image(b"this is plain text, not a picture")
    assert info.value.key == "img_not_an_image"
    png = image_bytes(noise_rgb(64, 64), "PNG")
    with pytest.raises(ImageError) as info:
        decode_image(png[: len(png) // 2])
    assert info.value.key == "img_truncated"


def test_unsupported_container_is_not_opened() -> None:
    # Pillow can read ICO, but uploads are limited to the common photo formats.
    data = image_bytes(noise_rgb(16, 16), "ICO")
    with pytest.raises(ImageError) as info:
        decode_image(data)
    assert info.value.key == "img_not_an_image"


def test_every_raised_key_has_a_message() -> None:
    err = ImageError("img_too_many_pixels", megapixels=50.0, limit_mp=40.0, width=1, height=2)
    assert "50.0" in MESSAGES[err.key].format(**err.args_)
    assert "img_empty" in MESSAGES and "img_truncated" in MESSAGES


# --- fuzz --------------------------------------------------------------------------------------

def _valid_files() -> dict[str, bytes]:
    src = noise_rgb(24, 32)
    files = {fmt: image_bytes(src, fmt) for fmt in ("PNG", "JPEG", "BMP", "TIFF", "GIF")}
    files["WEBP"] = image_bytes(src, "WEBP", lossless=True)
    return files


def _fuzz_inputs() -> list[tuple[str, bytes]]:
    rng = random.Random(FUZZ_SEED)
    cases: list[tuple[str, bytes]] = []
    files = _valid_files()
    for fmt, data in files.items():
        for cut in sorted({1, 2, 8, 16, 33, len(data) - 1} | {rng.randrange(1, len(data)) for _ in range(14)}):
            cases.append((f"{fmt} truncated at {cut}/{len(data)}", data[:cut]))
        for i in range(8):
            flipped = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
            cases.append((f"{fmt} with flipped bits #{i}", bytes(flipped)))
        for i in range(3):
            noise = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300)))
            cases.append((f"{fmt} magic + random #{i}", data[:16] + noise))
    for i in range(20):
        cases.append((f"random bytes #{i}", bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 500)))))
    for mode in ("1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr", "LAB", "HSV",
                 "I", "I;16", "I;16B", "F", "La", "RGBa", "RGBX"):
        im = Image.new(mode, (5, 3))
        for fmt in ("PNG", "TIFF", "WEBP", "BMP", "GIF", "JPEG"):
            try:
                cases.append((f"mode {mode} as {fmt}", image_bytes(im, fmt)))
            except (OSError, ValueError, KeyError):
                pass  # Pillow cannot write that mode in that format
    for size in ((1, 1), (1, 5000), (5000, 1)):
        for fmt in ("PNG", "JPEG", "GIF", "BMP"):
            cases.append((f"{size} {fmt}", image_bytes(Image.new("RGB", size, (9, 99, 199)), fmt)))
    animated = io.BytesIO()
    frames = [Image.new("P", (8, 8), c) for c in (1, 2, 3)]
    frames[0].save(animated, "GIF", save_all=True, append_images=frames[1:])
    cases.append(("animated GIF", animated.getvalue()))
    return cases


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about the damaged EXIF we made
def test_fuzz_only_arrays_or_image_errors() -> None:
    cases = _fuzz_inputs()
    decoded, rejected = 0, 0
    for desc, data in cases:
        try:
            out = decode_image(data)
        except ImageError as err:
            assert err.key in MESSAGES, f"{desc}: unknown key {err.key}"
            MESSAGES[err.key].format(**err.args_)  # every message formats with its arguments
            rejected += 1
            continue
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{desc}: {type(exc).__name__}: {exc}")
        _assert_rgb(out)
        decoded += 1
    print(f"fuzz: {len(cases)} inputs, {decoded} decoded, {rejected} rejected")
    assert len(cases) >= 200
    assert decoded >= 60 and rejected >= 100  # both paths really exercised


# --- helpers -----------------------------------------------------------------------------------

def test_downscale_keeps_aspect_and_max_side() -> None:
    img = np.zeros((300, 1200, 3), np.uint8)
    out = downscale_for_display(img, max_side=400)
    assert out.shape == (100, 400, 3)
    tall = downscale_for_display(np.zeros((5000, 1, 3), np.uint8), max_side=100)
    assert tall.shape == (100, 1, 3)
    small = np.zeros((10, 20, 3), np.uint8)
    assert downscale_for_display(small, max_side=20) is small


def test_downscale_averages_area() -> None:
    img = np.zeros((4, 4, 3), np.uint8)
    img[:, ::2] = 200  # alternating columns average to 100
    np.testing.assert_array_equal(downscale_for_display(img, max_side=2), np.full((2, 2, 3), 100))


def test_to_gray_range_and_weights() -> None:
    img = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0]]], np.uint8)
    gray = to_gray(img)
    assert gray.dtype == np.float32 and gray.shape == (1, 4)
    np.testing.assert_allclose(gray[0], [0.0, 1.0, 0.299, 0.587], atol=1e-6)
    photo = to_gray(sample_image("astronaut"))
    assert photo.shape == (512, 512) and 0.0 <= photo.min() < photo.max() <= 1.0
    with pytest.raises(ValueError):
        to_gray(np.zeros((4, 4, 4), np.uint8))


def test_viewable_keeps_every_side_visible_and_values_unchanged() -> None:
    from cnnviz.imaging.images import MAX_VIEW_ASPECT, viewable

    for h, w in [(1, 8000), (8000, 1), (3, 5000), (10, 10), (1, 16)]:
        img = noise_rgb(h, w, seed=h + w)
        out = viewable(img)
        hh, ww = out.shape[:2]
        assert max(hh, ww) / min(hh, ww) <= MAX_VIEW_ASPECT
        assert (hh, ww) == (h, w) or hh == h or ww == w  # only the short side grows
        assert set(np.unique(out)) <= set(np.unique(img))
        if (hh, ww) == (h, w):
            assert out is img


@pytest.mark.parametrize("shape", [(300, 500, 3), (100, 120, 3), (80, 400)])
def test_a_picture_as_jpeg_for_a_width(shape: tuple[int, ...]) -> None:
    """What Streamlit sends as it is: JPEG, at most that wide, the same picture (colours in order)."""
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    img = np.zeros(shape, np.uint8)
    if len(shape) == 3:
        img[..., 0] = 255 * (xx < shape[1] // 2)  # red on the left, blue at the bottom
        img[..., 2] = 255 * (yy > shape[0] // 2)
    else:
        img[:] = (xx * 255 // shape[1]).astype(np.uint8)
    data = jpeg_for_width(img, 240)
    shown = Image.open(io.BytesIO(data))
    assert shown.format == "JPEG" and shown.size[0] == min(240, shape[1])
    assert abs(shown.size[1] - round(shape[0] * shown.size[0] / shape[1])) <= 1
    back = np.asarray(shown.convert("RGB" if len(shape) == 3 else "L")).astype(float)
    want = cv2.resize(img, shown.size, interpolation=cv2.INTER_AREA).astype(float)
    assert np.abs(back - want).mean() < 4
