"""Tests of sklearn_ae.datasets against the staged real files ($SKLEARN_AE_TEST_DATA).

Nothing here may touch the network: an autouse fixture makes every urlopen fail,
and the download tests substitute their own fake.
"""

import gzip
import io
import shutil
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import pytest

from sklearn_ae.datasets import (
    _base,
    fetch_20newsgroups_local,
    fetch_fashion_mnist,
    fetch_mnist,
    fetch_olivetti,
    fetch_pendigits,
    fetch_ucr,
    get_data_home,
    load_ts_file,
    load_ucr_txt,
    make_curved_plane,
)

from .conftest import NO_DATA_REASON
from .conftest import SHARED_DATA as DATA

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=NO_DATA_REASON)

# Class counts from shared/data/SOURCES.md.
MNIST_TRAIN = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
NEWS_TRAIN = [480, 584, 591, 590, 578, 593, 585, 594, 598, 597]
NEWS_TRAIN += [600, 595, 591, 594, 593, 599, 546, 564, 465, 377]
PEN_TRAIN = [780, 779, 780, 719, 780, 720, 720, 778, 719, 719]
PEN_TEST = [363, 364, 364, 336, 364, 335, 336, 364, 336, 336]
NEWS_TEST = [319, 389, 394, 392, 385, 395, 390, 396, 398, 397]
NEWS_TEST += [399, 396, 393, 396, 394, 398, 364, 376, 310, 251]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    def refuse(url, *args, **kwargs):
        raise urllib.error.URLError(f"network disabled in tests ({url})")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.delenv("SKLEARN_AE_DATA", raising=False)


@pytest.fixture(scope="module")
def mnist_train():
    if not DATA.is_dir():
        pytest.skip(NO_DATA_REASON)
    return fetch_mnist(data_home=DATA, subset="train", download_if_missing=False)


@pytest.fixture(scope="module")
def newsgroups_all():
    if not DATA.is_dir():
        pytest.skip(NO_DATA_REASON)
    return fetch_20newsgroups_local(
        data_home=DATA, subset="all", shuffle=False, download_if_missing=False
    )


# --- MNIST / Fashion-MNIST -------------------------------------------------------------


def test_mnist_train(mnist_train):
    assert mnist_train.data.shape == (60000, 784)
    assert mnist_train.data.dtype == np.float32
    assert mnist_train.images.shape == (60000, 28, 28)
    assert mnist_train.data.min() == 0.0 and mnist_train.data.max() == 1.0
    assert mnist_train.data.mean() == pytest.approx(0.1307, abs=5e-5)
    assert mnist_train.target.dtype == np.int64
    assert np.bincount(mnist_train.target).tolist() == MNIST_TRAIN
    assert mnist_train.target[:5].tolist() == [5, 0, 4, 1, 9]  # the well-known first digits
    assert mnist_train.feature_names[:2] == ["pixel_0_0", "pixel_0_1"]
    assert mnist_train.feature_names[-1] == "pixel_27_27"
    assert mnist_train.target_names.tolist() == list(range(10))
    assert mnist_train.frame is None
    assert "LeCun" in mnist_train.DESCR
    np.testing.assert_array_equal(mnist_train.data[7], mnist_train.images[7].ravel())


@needs_data
def test_mnist_test_as_frame_and_return_X_y():
    X, y = fetch_mnist(data_home=DATA, subset="test", return_X_y=True)
    assert X.shape == (10000, 784) and np.bincount(y).tolist() == MNIST_TEST

    bunch = fetch_mnist(data_home=DATA, subset="test", as_frame=True)
    assert bunch.frame.shape == (10000, 785)
    assert list(bunch.frame.columns[[0, -1]]) == ["pixel_0_0", "target"]
    assert bunch.data.shape == (10000, 784) and bunch.target.name == "target"
    np.testing.assert_array_equal(bunch.data.to_numpy(), X)

    Xf, yf = fetch_mnist(data_home=DATA, subset="test", as_frame=True, return_X_y=True)
    assert Xf.shape == (10000, 784) and yf.tolist() == y.tolist()


@needs_data
def test_fashion_mnist_train():
    bunch = fetch_fashion_mnist(data_home=DATA, subset="train", download_if_missing=False)
    assert bunch.data.shape == (60000, 784)
    assert bunch.data.mean() == pytest.approx(0.2860, abs=5e-5)
    assert np.bincount(bunch.target).tolist() == [6000] * 10
    assert bunch.target_names[0] == "T-shirt/top" and bunch.target_names[9] == "Ankle boot"


@needs_data
def test_mnist_accepts_decompressed_copies(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        with gzip.open(DATA / "mnist" / f"{name}.gz") as src:
            (folder / name).write_bytes(src.read())
    X, y = fetch_mnist(data_home=tmp_path, subset="test", return_X_y=True)
    assert X.shape == (10000, 784) and np.bincount(y).tolist() == MNIST_TEST


def _stage_mnist_test(tmp_path, images_bytes):
    """A data_home whose mnist/ holds the real test labels and the given images file."""
    folder = tmp_path / "mnist"
    folder.mkdir()
    shutil.copy(DATA / "mnist" / "t10k-labels-idx1-ubyte.gz", folder)
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(images_bytes)
    return tmp_path


@needs_data
def test_truncated_gzip_is_rejected(tmp_path):
    full = (DATA / "mnist" / "t10k-images-idx3-ubyte.gz").read_bytes()
    home = _stage_mnist_test(tmp_path, full[:100_000])
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz.*delete it"):
        fetch_mnist(data_home=home, subset="test")


@needs_data
def test_not_a_gzip_is_rejected(tmp_path):
    home = _stage_mnist_test(tmp_path, b"<html>404 Not Found</html>")
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz: not a valid gzip"):
        fetch_mnist(data_home=home, subset="test")


@needs_data
def test_corrupt_idx_header_is_rejected(tmp_path):
    with gzip.open(DATA / "mnist" / "t10k-images-idx3-ubyte.gz") as src:
        raw = bytearray(src.read())
    wrong_magic = bytes([0, 0, 8, 1]) + bytes(raw[4:])  # a labels magic on an images file
    home = _stage_mnist_test(tmp_path, gzip.compress(wrong_magic, compresslevel=1))
    with pytest.raises(ValueError, match=r"t10k-images.*wrong IDX magic number 2049"):
        fetch_mnist(data_home=home, subset="test")

    # Header says 10000 images, payload is one image short.
    short = tmp_path / "short"
    short.mkdir()
    home = _stage_mnist_test(short, gzip.compress(bytes(raw[:-784]), compresslevel=1))
    with pytest.raises(ValueError, match=r"announces shape \(10000, 28, 28\)"):
        fetch_mnist(data_home=home, subset="test")


@needs_data
def test_image_label_count_mismatch(tmp_path):
    with gzip.open(DATA / "mnist" / "t10k-images-idx3-ubyte.gz") as src:
        raw = src.read()
    header = (2051).to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in (9999, 28, 28))
    payload = header + raw[16 : 16 + 9999 * 784]
    home = _stage_mnist_test(tmp_path, gzip.compress(payload, compresslevel=1))
    with pytest.raises(ValueError, match="9999 images but 10000 labels"):
        fetch_mnist(data_home=home, subset="test")


def test_invalid_subset():
    with pytest.raises(ValueError, match="subset must be one of"):
        fetch_mnist(subset="validation")


# --- Olivetti ------------------------------------------------------------------------


@needs_data
def test_olivetti_matches_sklearn_layout():
    faces = fetch_olivetti(data_home=DATA, download_if_missing=False)
    assert faces.data.shape == (400, 4096) and faces.data.dtype == np.float32
    assert faces.images.shape == (400, 64, 64)
    assert faces.data.min() == 0.0 and faces.data.max() == 1.0
    # Pixel values quoted in SOURCES.md (scikit-learn's published output).
    np.testing.assert_allclose(faces.data[0, :3], [0.30991736, 0.3677686, 0.41735536], rtol=1e-6)
    np.testing.assert_allclose(faces.data[0, -3:], [0.15289256, 0.16115703, 0.1570248], rtol=1e-6)
    np.testing.assert_allclose(faces.data[1, :3], [0.45454547, 0.47107437, 0.5123967], rtol=1e-6)
    np.testing.assert_allclose(faces.data[2, :2], [0.3181818, 0.40082645], rtol=1e-6)
    np.testing.assert_array_equal(faces.target, np.arange(400) // 10)
    np.testing.assert_array_equal(faces.images[5].ravel(), faces.data[5])

    X, y = fetch_olivetti(data_home=DATA, shuffle=True, random_state=0, return_X_y=True)
    order = np.random.RandomState(0).permutation(400)
    np.testing.assert_array_equal(X, faces.data[order])
    np.testing.assert_array_equal(y, faces.target[order])


@needs_data
def test_data_home_from_environment(monkeypatch):
    monkeypatch.setenv("SKLEARN_AE_DATA", str(DATA))
    assert get_data_home() == DATA
    assert get_data_home("/elsewhere") == Path("/elsewhere")
    assert fetch_olivetti(download_if_missing=False).data.shape == (400, 4096)


def test_corrupt_mat_file_is_rejected(tmp_path):
    (tmp_path / "olivetti-faces").mkdir()
    (tmp_path / "olivetti-faces" / "olivettifaces.mat").write_bytes(b"MATLAB 5.0 junk" * 10)
    with pytest.raises(ValueError, match=r"olivettifaces\.mat.*truncated or corrupt"):
        fetch_olivetti(data_home=tmp_path)


# --- Pen-digits --------------------------------------------------------------------------


@needs_data
def test_pendigits_official_split():
    bunch = fetch_pendigits(data_home=DATA, download_if_missing=False)
    assert bunch.data.shape == (7494, 16) and bunch.data.dtype == np.float64
    assert np.bincount(bunch.target).tolist() == PEN_TRAIN
    # First training row, as printed by `zcat pendigits.tra.gz | head -1`.
    first = [47, 100, 27, 81, 57, 37, 26, 0, 0, 23, 56, 53, 100, 90, 40, 98]
    assert bunch.data[0].tolist() == first and bunch.target[0] == 8
    assert bunch.data.min() == 0 and bunch.data.max() == 100
    assert bunch.feature_names[:3] == ["x1", "y1", "x2"] and "Alpaydin" in bunch.DESCR

    X, y = fetch_pendigits(data_home=DATA, subset="test", return_X_y=True)
    assert X.shape == (3498, 16) and np.bincount(y).tolist() == PEN_TEST
    X_all, y_all = fetch_pendigits(data_home=DATA, subset="all", return_X_y=True)
    np.testing.assert_array_equal(X_all, np.vstack([bunch.data, X]))
    np.testing.assert_array_equal(y_all, np.concatenate([bunch.target, y]))


@needs_data
def test_pendigits_download_is_the_plain_uci_file(tmp_path, monkeypatch):
    calls = []

    def fake_urlopen(url, timeout):
        calls.append(url)
        with gzip.open(DATA / "pendigits" / (url.rsplit("/", 1)[1] + ".gz")) as src:
            return io.BytesIO(src.read())

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    _, y = fetch_pendigits(data_home=tmp_path, subset="test", return_X_y=True)
    assert np.bincount(y).tolist() == PEN_TEST
    assert calls == [_base._PENDIGITS + "pendigits.tes"] and calls[0] in _base._SHA256
    assert [p.name for p in (tmp_path / "pendigits").iterdir()] == ["pendigits.tes"]
    # A file already there is read, not fetched again.
    fetch_pendigits(data_home=tmp_path, subset="test")
    assert len(calls) == 1


def test_pendigits_checksum_and_corrupt_file(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: io.BytesIO(b"1,2\n"))
    with pytest.raises(OSError, match="Checksum mismatch"):
        fetch_pendigits(data_home=tmp_path)
    assert list((tmp_path / "pendigits").iterdir()) == []
    with pytest.raises(OSError, match=r"pendigits\.tra not found and download_if_missing"):
        fetch_pendigits(data_home=tmp_path, download_if_missing=False)
    (tmp_path / "pendigits" / "pendigits.tra").write_text(" 1, 2, 3\n")
    with pytest.raises(ValueError, match=r"pendigits\.tra.*shape \(1, 3\).*truncated"):
        fetch_pendigits(data_home=tmp_path)


# --- Missing files and downloads ---------------------------------------------------------


def test_missing_without_download_raises_at_once(tmp_path, monkeypatch):
    def must_not_download(*args, **kwargs):
        raise AssertionError("download attempted")

    monkeypatch.setattr(_base, "download", must_not_download)
    with pytest.raises(OSError, match=r"t.*ubyte\.gz not found and download_if_missing=False"):
        fetch_mnist(data_home=tmp_path, subset="test", download_if_missing=False)
    with pytest.raises(OSError, match=r"olivettifaces\.mat.*download_if_missing=False"):
        fetch_olivetti(data_home=tmp_path, download_if_missing=False)
    with pytest.raises(OSError, match=r"20news-bydate\.tar\.gz"):
        fetch_20newsgroups_local(data_home=tmp_path, download_if_missing=False)
    with pytest.raises(OSError, match=r"No GunPoint_TRAIN file .*download_if_missing=False"):
        fetch_ucr("GunPoint", data_home=tmp_path, download_if_missing=False)


def test_offline_download_error_says_where_to_put_the_file(tmp_path):
    # The autouse fixture makes urlopen fail as it does without network.
    with pytest.raises(OSError, match=r"Could not download .*put it at .*fashion-mnist"):
        fetch_fashion_mnist(data_home=tmp_path, subset="test")
    assert not any((tmp_path / "fashion-mnist").iterdir())  # no partial file left


def test_checksum_mismatch_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: io.BytesIO(b"junk"))
    with pytest.raises(OSError, match="Checksum mismatch"):
        fetch_mnist(data_home=tmp_path, subset="test")
    assert list((tmp_path / "mnist").iterdir()) == []


@needs_data
def test_download_verifies_and_uses_timeout(tmp_path, monkeypatch):
    # The staged t10k files are byte-identical to the originals, so they pass the
    # checksum of the canonical URLs.
    calls = []

    def fake_urlopen(url, timeout):
        calls.append((url, timeout))
        return io.BytesIO((DATA / "mnist" / url.rsplit("/", 1)[1]).read_bytes())

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    _, y = fetch_mnist(data_home=tmp_path, subset="test", return_X_y=True)
    assert np.bincount(y).tolist() == MNIST_TEST
    assert [u for u, _ in calls] == [
        _base._MNIST + "t10k-images-idx3-ubyte.gz",
        _base._MNIST + "t10k-labels-idx1-ubyte.gz",
    ]
    assert all(t == _base.DOWNLOAD_TIMEOUT for _, t in calls)
    assert all(u in _base._SHA256 for u, _ in calls)


@needs_data
def test_ucr_download_unpacks_zip(tmp_path, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for split in ("TRAIN", "TEST"):
            with gzip.open(DATA / "gunpoint" / f"GunPoint_{split}.ts.gz") as src:
                archive.writestr(f"GunPoint/GunPoint_{split}.ts", src.read())
        archive.writestr("../evil.ts", "x")
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: io.BytesIO(buffer.getvalue()))
    bunch = fetch_ucr("GunPoint", data_home=tmp_path, subset="test")
    assert bunch.data.shape == (150, 150)
    assert sorted(p.name for p in (tmp_path / "gunpoint").iterdir()) == [
        "GunPoint_TEST.ts",
        "GunPoint_TRAIN.ts",
    ]
    assert not (tmp_path / "evil.ts").exists()


# --- UCR / UEA ---------------------------------------------------------------------------


@needs_data
def test_ucr_univariate():
    gun = fetch_ucr("GunPoint", data_home=DATA, download_if_missing=False)
    assert gun.data.shape == (50, 150) and gun.data.dtype == np.float64
    assert gun.target.dtype == np.int64 and np.bincount(gun.target).tolist() == [0, 24, 26]
    assert gun.target_names.tolist() == [1, 2]
    assert gun.metadata["problemname"] == "GunPoint"
    assert "Gun-Draw" in gun.DESCR and "Dau" in gun.DESCR

    X, y = fetch_ucr("ItalyPowerDemand", data_home=DATA, subset="all", return_X_y=True)
    assert X.shape == (67 + 1029, 24) and not np.isnan(X).any()
    assert np.bincount(y).tolist() == [0, 34 + 513, 33 + 516]


@needs_data
def test_ucr_multivariate():
    motions = fetch_ucr("BasicMotions", data_home=DATA)
    assert motions.data.shape == (40, 100, 6)
    assert motions.target_names.tolist() == ["Badminton", "Running", "Standing", "Walking"]
    assert {label: int((motions.target == label).sum()) for label in motions.target_names} == {
        "Badminton": 10,
        "Running": 10,
        "Standing": 10,
        "Walking": 10,
    }
    assert motions.data[0, :2, 0].tolist() == [0.079106, 0.079106]  # first values in the file


@needs_data
def test_ucr_txt_format():
    ecg = fetch_ucr("ECG5000", data_home=DATA)
    assert ecg.data.shape == (500, 140)
    assert np.bincount(ecg.target).tolist() == [0, 292, 177, 10, 19, 2]
    # z-normalised per series
    np.testing.assert_allclose(ecg.data.mean(axis=1), 0, atol=1e-6)
    with pytest.raises(OSError, match="ECG5000_TEST"):
        fetch_ucr("ECG5000", data_home=DATA, subset="test", download_if_missing=False)
    X, y = load_ucr_txt(DATA / "ecg5000" / "ECG5000_TRAIN.txt.gz", return_X_y=True)
    np.testing.assert_array_equal(X, ecg.data)
    np.testing.assert_array_equal(y, ecg.target)


def test_ts_parser_missing_values_and_unequal_lengths(tmp_path):
    path = tmp_path / "toy.ts"
    path.write_text(
        "# a toy problem\n@problemName toy\n@univariate false\n@dimensions 2\n"
        "@equalLength false\n@classLabel true a b\n@data\n"
        "1,2,3:4,?,6:a\n7,8:9,10:b\n"
    )
    bunch = load_ts_file(path)
    assert bunch.data.shape == (2, 3, 2)
    np.testing.assert_array_equal(bunch.data[0], [[1, 4], [2, np.nan], [3, 6]])
    np.testing.assert_array_equal(bunch.data[1], [[7, 9], [8, 10], [np.nan, np.nan]])
    assert bunch.target.tolist() == ["a", "b"] and bunch.DESCR == "a toy problem"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("@classLabel true 1 2\n", "no @data"),
        ("@classLabel true 1 2\n1,2:3\n", "unexpected line 2 before @data"),
        ("@classLabel true 1 2\n@data\n1,2:3\n", "labels \\['3'\\] not declared"),
        ("@dimensions 2\n@classLabel true 1\n@data\n1,2:1\n", "1 dimensions, expected 2"),
        ("@equalLength true\n@classLabel true 1\n@data\n1,2:1\n1:1\n", "series lengths"),
        ("@classLabel true 1\n@data\n1,x:1\n", "line 3"),
        ("@timeStamps true\n@data\n", "not supported"),
    ],
)
def test_ts_parser_rejects_bad_files(tmp_path, body, message):
    path = tmp_path / "bad.ts"
    path.write_text(body)
    with pytest.raises(ValueError, match=message):
        load_ts_file(path)


# --- 20 newsgroups -------------------------------------------------------------------------


def test_newsgroups_counts(newsgroups_all):
    news = newsgroups_all
    assert len(news.data) == len(news.target) == len(news.filenames) == 18846
    assert len(news.target_names) == 20 and news.target_names == sorted(news.target_names)
    is_train = np.char.startswith(news.filenames.astype(str), "20news-bydate-train/")
    assert np.bincount(news.target[is_train]).tolist() == NEWS_TRAIN
    assert np.bincount(news.target[~is_train]).tolist() == NEWS_TEST
    first = news.data[0]
    assert news.filenames[0] == "20news-bydate-train/alt.atheism/49960"
    assert first.startswith("From: ") and isinstance(first, str)


@needs_data
def test_newsgroups_categories_shuffle_remove():
    from sklearn.datasets import _twenty_newsgroups as sk

    kw = {"data_home": DATA, "subset": "test", "categories": ["sci.space", "rec.autos"]}
    news = fetch_20newsgroups_local(**kw, remove=("headers", "footers", "quotes"))
    assert news.target_names == ["rec.autos", "sci.space"]
    assert np.bincount(news.target).tolist() == [396, 394]
    # A handful of posts quote a second header block in their body, as with sklearn.
    assert sum(doc.startswith("From:") for doc in news.data) < 0.01 * len(news.data)

    # The default shuffle is sklearn's: RandomState(42).shuffle of the sorted order.
    X, y = fetch_20newsgroups_local(**kw, shuffle=False, return_X_y=True)
    assert y.tolist() == sorted(y.tolist())
    order = np.arange(len(y))
    np.random.RandomState(42).shuffle(order)
    np.testing.assert_array_equal(news.target, y[order])
    # remove= strips as sklearn does: headers, then footers, then quotes.
    strip = sk.strip_newsgroup_quoting, sk.strip_newsgroup_footer, sk.strip_newsgroup_header
    assert news.data[:20] == [strip[0](strip[1](strip[2](X[i]))) for i in order[:20]]

    with pytest.raises(ValueError, match="Unknown categories"):
        fetch_20newsgroups_local(data_home=DATA, categories=["sci.nonsense"])
    with pytest.raises(ValueError, match="remove must be"):
        fetch_20newsgroups_local(data_home=DATA, remove="headers")


def test_newsgroups_strip_uses_sklearn():
    # We reuse scikit-learn's strippers rather than keeping copies of them.
    from sklearn.datasets import _twenty_newsgroups as sk

    from sklearn_ae.datasets import _newsgroups

    assert _newsgroups._STRIP == {
        "headers": sk.strip_newsgroup_header,
        "footers": sk.strip_newsgroup_footer,
        "quotes": sk.strip_newsgroup_quoting,
    }


# --- make_curved_plane -------------------------------------------------------------------


def test_make_curved_plane():
    X, t = make_curved_plane(n_samples=300, random_state=0)
    assert X.shape == (300, 3) and t.shape == (300, 2)
    X2, t2 = make_curved_plane(n_samples=300, random_state=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(t, t2)
    assert not np.array_equal(X, make_curved_plane(n_samples=300, random_state=1)[0])
    assert t.min() >= -1 and t.max() <= 1

    clean, t_clean = make_curved_plane(n_samples=300, noise=0.0, curvature=2.5, random_state=0)
    np.testing.assert_array_equal(t_clean, t)  # t does not depend on noise
    np.testing.assert_array_equal(clean[:, :2], t)
    np.testing.assert_array_equal(clean[:, 2], 2.5 * t[:, 0] ** 2)
    # The noise has the requested scale around the clean surface.
    residual = X - make_curved_plane(n_samples=300, noise=0.0, random_state=0)[0]
    assert residual.std() == pytest.approx(0.05, rel=0.15)


def test_make_curved_plane_flat_and_validation():
    X, _ = make_curved_plane(n_samples=50, noise=0.0, curvature=0.0, random_state=0)
    assert np.all(X[:, 2] == 0)
    for bad in ({"n_samples": 0}, {"noise": -1.0}, {"curvature": np.nan}):
        with pytest.raises(ValueError):
            make_curved_plane(**bad)
