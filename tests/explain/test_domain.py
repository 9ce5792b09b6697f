"""The check whether a picture is the kind a model was trained on: measured on the bundled photos
and patterns, the generated datasets and hand-made pictures."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.data.datasets import make_digits, make_shapes
from cnnviz.explain.domain import COLOURFUL, PictureStats, kind_of, measure, mismatches, origin_of
from cnnviz.imaging.images import PATTERNS, SAMPLE_PHOTOS, sample_image


def _rgb(x: np.ndarray) -> np.ndarray:
    img = np.transpose(x, (1, 2, 0))  # (H, W, C)
    return np.repeat(img, 3 // img.shape[2], axis=2)


def test_measure_by_hand() -> None:
    img = np.zeros((10, 10, 3), np.uint8)
    img[4:6, 4:6] = 255  # a white square on black: grey, plain border
    s = measure(img)
    assert s == PictureStats(colour=0.0, border_std=0.0, background=0.96)
    img[..., 0] = 200  # red everywhere: a spread of 200 on black, 255 - 200 on the white square
    assert measure(img).colour == pytest.approx((96 * 200 + 4 * 55) / 100)
    assert measure(img[..., 1]).colour == 0.0  # a grey (H, W) picture
    with pytest.raises(ValueError):
        measure(np.zeros((4, 4, 2), np.uint8))


def test_the_cat_into_the_digits_model_is_warned_about_as_an_upload_too() -> None:
    cat = np.asarray(sample_image("chelsea"))
    assert mismatches(cat, "digits", 1, origin="photo") == ["photo"]
    assert mismatches(cat, "digits", 1, origin="upload") == ["colour", "background"]
    assert mismatches(cat, "shapes", 3, origin="photo") == ["photo"]
    assert mismatches(cat, "imagenet", 3, origin="photo") == []  # a photo model takes photos


def test_every_bundled_photo_and_pattern_is_outside_the_narrow_models() -> None:
    for name in SAMPLE_PHOTOS:
        img = np.asarray(sample_image(name))
        assert mismatches(img, "digits", 1, origin="photo") == ["photo"]
        assert "background" in mismatches(img, "handwritten", 1, origin="upload"), name  # measured
    for name in PATTERNS:
        assert mismatches(np.asarray(sample_image(name)), "shapes", 3, origin="pattern") == ["pattern"]


def test_generated_digits_as_uploads_pass_the_measurements() -> None:
    x, _ = make_digits(60, 3)
    assert all(mismatches(_rgb(x[i]), "digits", 1, origin="upload") == [] for i in range(60))


def test_colour_and_grey_uploads() -> None:
    x, _ = make_digits(1, 4)
    digit = _rgb(x[0])
    tinted = digit.copy()
    tinted[..., 0] = np.clip(tinted[..., 0].astype(int) + 120, 0, 255)  # the same digit on red paper
    assert measure(tinted).colour > COLOURFUL
    assert mismatches(tinted, "mnist", 1, origin="upload")[0] == "colour"
    assert mismatches(tinted, "cifar10", 3, origin="upload") == []
    assert mismatches(tinted, "my_own", 1, origin="upload")[:1] == ["colour"]  # any one-channel model


def test_shapes_uploads_cannot_be_verified_but_samples_pass() -> None:
    x, _ = make_shapes(5, 2)
    assert mismatches(_rgb(x[0]), "shapes", 3, origin="sample") == []
    assert mismatches(_rgb(x[0]), "shapes", 3, origin="upload") == ["unverified"]


def test_random_weights_come_first_and_always() -> None:
    assert mismatches(None, "imagenet", 3, trained=False) == ["random"]
    cat = np.asarray(sample_image("chelsea"))
    assert mismatches(cat, "digits", 1, trained=False, origin="photo") == ["random", "photo"]
    with pytest.raises(ValueError):
        mismatches(cat, "digits", 1, origin="somewhere")


def test_origin_of_the_pages_sources() -> None:
    assert origin_of("hw:3", "handwritten") == "sample" and origin_of("draw", "digits") == "sample"
    assert origin_of("shape:2", "shapes") == "sample" and origin_of("shape:2", "digits") == "upload"
    assert origin_of("photo:chelsea", "digits") == "photo" and origin_of("pattern:ramp", "shapes") == "pattern"
    assert origin_of("upload", "digits") == "upload" and origin_of("camera", "shapes") == "upload"
    assert [kind_of(d) for d in ("mnist", "fashion_mnist", "shapes", "cifar10")] == \
        ["digits", "clothes", "shapes", "other"]
