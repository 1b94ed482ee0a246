"""Components labelled strip by strip are OpenCV's components of the whole page (stats, order, pixels)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr_pipeline.imaging import labelling


def crossing_page() -> np.ndarray:
    """Ink with components crossing strip edges every way: specks, blobs, a diagonal and a vertical line
    through every strip, a U whose arms join only at the bottom, a comb joined only at the top, diagonal
    neighbours across rows, ink on the page's edges."""
    rng = np.random.default_rng(7)
    page = (rng.random((97, 130)) < 0.06).astype(np.uint8)  # specks, some touching diagonally
    cv2.circle(page, (40, 40), 9, 1, thickness=-1)
    cv2.line(page, (0, 96), (129, 0), 1, thickness=1)  # 8-connected only: crosses edges diagonally
    page[:, 100] = 1
    page[10:60, 60] = page[10:60, 70] = 1  # a U: two arms...
    page[60, 60:71] = 1  # ...joined at the bottom
    page[70, 10:40] = 1  # a comb: one bar on top...
    page[70:95, 10:40:6] = 1  # ...and teeth hanging from it
    page[0, :] = page[-1, :20] = page[:, 0] = 1
    return page


def whole_page(page: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    found, labels, stats, _ = cv2.connectedComponentsWithStats(page, connectivity=8)
    return found, labels, stats


@pytest.mark.parametrize("rows", [2, 6, 10, 64, 1000])
def test_stats_in_strips_are_opencvs_for_the_whole_page_in_its_order(rows: int) -> None:
    page = crossing_page()
    _, _, stats = whole_page(page)
    comps = labelling.label_image(page, strip_pixels=rows * page.shape[1])
    assert len(comps.strips) == -(-page.shape[0] // rows)
    assert comps.stats.tolist() == stats.tolist()


@pytest.mark.parametrize("rows", [2, 6, 64])
def test_random_ink_in_strips(rows: int) -> None:
    rng = np.random.default_rng(rows)
    for density in (0.1, 0.3, 0.5, 0.7):
        page = (rng.random((61, 45)) < density).view(bool)
        _, _, stats = whole_page(page.view(np.uint8))
        assert labelling.label_image(page, strip_pixels=rows * 45).stats.tolist() == stats.tolist()


@pytest.mark.parametrize("rows", [2, 10, 1000])
def test_painted_values_and_component_pixels_are_the_whole_page_labels(rows: int) -> None:
    page = crossing_page()
    found, labels, stats = whole_page(page)
    comps = labelling.label_image(page, strip_pixels=rows * page.shape[1])
    lut = np.random.default_rng(1).integers(0, 250, found).astype(np.uint8)
    assert np.array_equal(labelling.paint(comps, labelling.array_rows(page), lut), lut[labels])
    chosen = [int(labels[30, 60]), int(labels[40, 40]), found - 1]  # the U, the blob, the last one
    assert len(set(chosen)) == 3
    pixels = labelling.masks(comps, labelling.array_rows(page), chosen)
    assert list(pixels) == chosen
    for label in chosen:
        x, y, w, h = stats[label, :4]
        assert np.array_equal(pixels[label], labels[y : y + h, x : x + w] == label)


def test_strips_have_an_even_height() -> None:
    assert labelling.strip_rows(9, 10, strip_pixels=70) == ((0, 6), (6, 9))
    assert labelling.strip_rows(5, 10, strip_pixels=1) == ((0, 2), (2, 4), (4, 5))
    assert labelling.strip_rows(5, 10) == ((0, 5),)


def test_more_labels_than_uint16_holds() -> None:
    page = np.zeros((600, 600), dtype=np.uint8)
    page[::2, ::2] = 1  # 90 000 single pixels
    found, labels, stats = whole_page(page)
    for rows in (600, 400):  # one strip; two, the first with 60 000 components
        comps = labelling.label_image(page, strip_pixels=rows * 600)
        assert comps.stats.tolist() == stats.tolist()
        lut = np.arange(found) % 251
        assert np.array_equal(labelling.paint(comps, labelling.array_rows(page), lut), lut[labels])


def test_an_empty_page() -> None:
    comps = labelling.label_image(np.zeros((0, 5), dtype=bool))
    assert comps.stats.tolist() == [[0, 0, 0, 0, 0]]
    assert labelling.paint(comps, labelling.array_rows(np.zeros((0, 5), bool)), np.ones(1, bool)).shape == (
        0,
        5,
    )
