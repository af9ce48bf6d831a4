"""Bad Caffe input: every problem is a typed HALO error (exit status 2 from the CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from caffe_util import NetBuilder
from halo.cli import main
from halo.errors import ModelError, OptionError, UnsupportedError
from halo.frontends import ImportOptions, load_model

pytestmark = pytest.mark.frontends


def small_net(tmp: Path) -> tuple[Path, Path]:
    nb = NetBuilder("small", seed=6)
    nb.input("data", (1, 2, 8, 8))
    nb.layer(
        "Convolution",
        "conv",
        ["data"],
        ["conv"],
        "convolution_param { num_output: 3 kernel_size: 3 }",
        [nb.randn(3, 2, 3, 3), nb.randn(3)],
    )
    nb.layer("ReLU", "relu", ["conv"], ["conv"])
    nb.layer(
        "InnerProduct",
        "fc",
        ["conv"],
        ["fc"],
        "inner_product_param { num_output: 4 }",
        [nb.randn(4, 108), nb.randn(4)],
    )
    return nb.save(tmp)


def load(proto: Path, weights: Path | None, **kw: object):
    return load_model(proto, ImportOptions(weights=weights, **kw))  # type: ignore[arg-type]


def test_in_place_names_and_sibling_weights(tmp_path: Path) -> None:
    proto, model = small_net(tmp_path)
    g = load(proto, None)  # small.caffemodel next to small.prototxt is picked up
    assert [v.name for v in g.outputs] == ["fc"]
    assert g.find_value("conv") is not None and g.find_value("conv@conv") is not None
    assert g.source_files == [proto, model]


def test_truncated_caffemodel_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proto, model = small_net(tmp_path)
    data = model.read_bytes()
    model.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="truncated or corrupt"):
        load(proto, model)
    rc = main(["compile", str(proto), "--weights", str(model), "-o", str(tmp_path / "out")])
    assert rc == 2 and "small.caffemodel" in capsys.readouterr().err


def test_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    proto = tmp_path / "bad.prototxt"
    proto.write_text('name: "bad"\nlayer {\n  name: "x"\n  type: "ReLU"\n  bottom "data"\n}\n')
    with pytest.raises(ModelError, match=r"bad\.prototxt:5:\d+"):
        load(proto, None)


def test_unknown_field_is_reported_where_it_is(tmp_path: Path) -> None:
    proto = tmp_path / "bad.prototxt"
    proto.write_text('layer {\n  name: "x"\n  type: "ReLU"\n  relu_param { slope: 2 }\n}\n')
    with pytest.raises(ModelError, match=r"bad\.prototxt:4:.*slope"):
        load(proto, None)


def test_missing_weights(tmp_path: Path) -> None:
    proto, model = small_net(tmp_path)
    model.unlink()
    with pytest.raises(ModelError, match="(?s)conv.*no weight blob 0.*--weights"):
        load(proto, None)
    nb = NetBuilder("other")
    nb.layer("ReLU", "unrelated", ["x"], ["x"])
    _, other = nb.save(tmp_path)
    with pytest.raises(ModelError, match="'conv'.*no weight blob"):
        load(proto, other)


def test_blob_shape_mismatch(tmp_path: Path) -> None:
    proto, model = small_net(tmp_path)
    text = proto.read_text().replace("num_output: 4", "num_output: 5")
    proto.write_text(text)
    with pytest.raises(ModelError, match=r"'fc' blob 0 .*shape \[4, 108\].*needs \[5, 108\]"):
        load(proto, model)


def test_wrong_input_shape_for_weights(tmp_path: Path) -> None:
    proto, model = small_net(tmp_path)
    with pytest.raises(ModelError, match="fc"):
        load(proto, model, input_shapes={"data": (1, 2, 9, 9)})
    with pytest.raises(OptionError, match="unknown input"):
        load(proto, model, input_shapes={"image": (1, 2, 8, 8)})


def test_unsupported_layers_listed_together(tmp_path: Path) -> None:
    nb = NetBuilder("unsup")
    nb.input("data", (1, 2, 4, 4))
    nb.layer("SoftmaxWithLoss", "loss", ["data", "data"], ["loss"])
    nb.layer("Accuracy", "acc1", ["data", "data"], ["acc1"])
    nb.layer("Accuracy", "acc2", ["data", "data"], ["acc2"])
    proto, model = nb.save(tmp_path)
    with pytest.raises(
        UnsupportedError, match=r"(?s)2 unsupported.*Accuracy x2: acc1, acc2.*SoftmaxWithLoss x1"
    ):
        load(proto, model)


def test_unsupported_parameter_value_and_field(tmp_path: Path) -> None:
    nb = NetBuilder("stoch")
    nb.input("data", (1, 2, 4, 4))
    nb.layer("Pooling", "p", ["data"], ["p"], "pooling_param { pool: STOCHASTIC kernel_size: 2 }")
    proto, model = nb.save(tmp_path)
    with pytest.raises(UnsupportedError, match="STOCHASTIC"):
        load(proto, model)
    nb = NetBuilder("stray")
    nb.input("data", (1, 2, 4, 4))
    nb.layer("ReLU", "r", ["data"], ["r"], "pooling_param { pool: MAX }")
    proto, model = nb.save(tmp_path)
    with pytest.raises(UnsupportedError, match="pooling_param"):
        load(proto, model)


def test_legacy_v1_net(tmp_path: Path) -> None:
    proto = tmp_path / "old.prototxt"
    proto.write_text('name: "old"\nlayers {\n  name: "conv1"\n  type: CONVOLUTION\n}\n')
    with pytest.raises(ModelError, match="(?s)legacy V1.*upgrade_net_proto_text"):
        load(proto, None)


def test_undefined_bottom(tmp_path: Path) -> None:
    nb = NetBuilder("undef")
    nb.input("data", (1, 2, 4, 4))
    nb.layer("ReLU", "r", ["nothing"], ["r"])
    proto, model = nb.save(tmp_path)
    with pytest.raises(ModelError, match="'nothing'"):
        load(proto, model)
