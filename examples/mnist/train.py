"""Train a small CNN on scikit-learn's 8x8 digits and export it as `mnist.onnx`.

    python train.py            # writes mnist.onnx and digits_test.bin next to this file

The network is conv(8, 3x3) - relu - maxpool(2) - conv(16, 3x3) - relu - maxpool(2) - gemm(10),
trained with plain numpy (im2col convolutions, Adam, softmax cross-entropy) so that it needs no
deep-learning framework. The 1797 digits of `sklearn.datasets.load_digits()` (shipped inside
scikit-learn, nothing is downloaded) are split with a fixed seed: 360 held-out digits go to
`digits_test.bin` (format in digits.py), the rest train the network.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import digits
import numpy as np
import onnx
from numpy.lib.stride_tricks import sliding_window_view
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits

HERE = Path(__file__).resolve().parent
SEED = 0
TEST_COUNT = 360
EPOCHS = 40
BATCH = 32
LEARNING_RATE = 3e-3
SHAPES = {
    "w1": (8, 1, 3, 3),
    "b1": (8,),
    "w2": (16, 8, 3, 3),
    "b2": (16,),
    "w3": (10, 64),
    "b3": (10,),
}


def init_params(rng: np.random.Generator) -> dict[str, np.ndarray]:
    params = {}
    for name, shape in SHAPES.items():
        fan_in = int(np.prod(shape[1:])) if name.startswith("w") else 1
        scale = np.sqrt(2.0 / fan_in) if name.startswith("w") else 0.0
        params[name] = (rng.standard_normal(shape) * scale).astype(np.float32)
    return params


def conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """3x3 convolution with padding 1; returns the output and the im2col matrix for backward."""
    n, c, h, wd = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = sliding_window_view(padded, (3, 3), axis=(2, 3))  # [n, c, h, w, 3, 3]
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * wd, c * 9)
    out = cols @ w.reshape(w.shape[0], -1).T + b
    return out.reshape(n, h, wd, -1).transpose(0, 3, 1, 2), cols


def conv_backward(
    grad: np.ndarray, cols: np.ndarray, x_shape: tuple[int, ...], w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, c, h, wd = x_shape
    grad_flat = grad.transpose(0, 2, 3, 1).reshape(n * h * wd, -1)
    grad_w = (grad_flat.T @ cols).reshape(w.shape)
    grad_b = grad_flat.sum(axis=0)
    grad_cols = (grad_flat @ w.reshape(w.shape[0], -1)).reshape(n, h, wd, c, 3, 3)
    grad_windows = grad_cols.transpose(0, 3, 1, 2, 4, 5)  # [n, c, h, w, 3, 3]
    grad_padded = np.zeros((n, c, h + 2, wd + 2), np.float32)
    for ki in range(3):
        for kj in range(3):
            grad_padded[:, :, ki : ki + h, kj : kj + wd] += grad_windows[..., ki, kj]
    return grad_padded[:, :, 1:-1, 1:-1], grad_w, grad_b


def pool_forward(x: np.ndarray) -> np.ndarray:
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def pool_backward(grad: np.ndarray, x: np.ndarray, out: np.ndarray) -> np.ndarray:
    upsampled = out.repeat(2, axis=2).repeat(2, axis=3)
    return (x == upsampled) * grad.repeat(2, axis=2).repeat(2, axis=3)


def forward(params: dict[str, np.ndarray], x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    c1, cols1 = conv_forward(x, params["w1"], params["b1"])
    r1 = np.maximum(c1, 0)
    p1 = pool_forward(r1)
    c2, cols2 = conv_forward(p1, params["w2"], params["b2"])
    r2 = np.maximum(c2, 0)
    p2 = pool_forward(r2)
    flat = p2.reshape(len(x), -1)
    logits = flat @ params["w3"].T + params["b3"]
    return logits, [x, cols1, r1, p1, cols2, r2, p2, flat]


def gradients(
    params: dict[str, np.ndarray], x: np.ndarray, labels: np.ndarray
) -> dict[str, np.ndarray]:
    logits, (x, cols1, r1, p1, cols2, r2, p2, flat) = forward(params, x)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    probs[np.arange(len(labels)), labels] -= 1
    g_logits = probs / len(labels)
    grads = {"w3": g_logits.T @ flat, "b3": g_logits.sum(axis=0)}
    g_p2 = (g_logits @ params["w3"]).reshape(p2.shape)
    g_c2 = pool_backward(g_p2, r2, p2) * (r2 > 0)
    g_p1, grads["w2"], grads["b2"] = conv_backward(g_c2, cols2, p1.shape, params["w2"])
    g_c1 = pool_backward(g_p1, r1, p1) * (r1 > 0)
    _, grads["w1"], grads["b1"] = conv_backward(g_c1, cols1, x.shape, params["w1"])
    return grads


def train(x: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    params = init_params(rng)
    moment1 = {k: np.zeros_like(v) for k, v in params.items()}
    moment2 = {k: np.zeros_like(v) for k, v in params.items()}
    beta1, beta2, step = 0.9, 0.999, 0
    for _ in range(EPOCHS):
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            batch = order[start : start + BATCH]
            step += 1
            for name, grad in gradients(params, x[batch], labels[batch]).items():
                moment1[name] = beta1 * moment1[name] + (1 - beta1) * grad
                moment2[name] = beta2 * moment2[name] + (1 - beta2) * grad * grad
                m_hat = moment1[name] / (1 - beta1**step)
                v_hat = moment2[name] / (1 - beta2**step)
                update = LEARNING_RATE * m_hat / (np.sqrt(v_hat) + 1e-8)
                params[name] = (params[name] - update).astype(np.float32)
    return params


def to_onnx(params: dict[str, np.ndarray]) -> onnx.ModelProto:
    conv = {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}
    pool = {"kernel_shape": [2, 2], "strides": [2, 2]}
    nodes = [
        helper.make_node("Conv", ["input", "w1", "b1"], ["c1"], **conv),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], **pool),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], **conv),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("MaxPool", ["r2"], ["p2"], **pool),
        helper.make_node("Flatten", ["p2"], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "w3", "b3"], ["logits"], transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        "mnist",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        initializer=[numpy_helper.from_array(v, k) for k, v in sorted(params.items())],
    )
    # IR version 8 (ONNX 1.10+) so that older runtimes load the file too.
    model = helper.make_model(graph, ir_version=8, opset_imports=[helper.make_opsetid("", 13)])
    model.producer_name = "halo-examples-mnist"
    onnx.checker.check_model(model, full_check=True)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=HERE)
    args = parser.parse_args()
    data = load_digits()
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(data.target))
    test, fit = order[:TEST_COUNT], order[TEST_COUNT:]
    pixels = data.images.astype(np.int64)
    x = (pixels / digits.PIXEL_SCALE).astype(np.float32)[:, None]
    params = train(x[fit], data.target[fit], rng)
    predicted = forward(params, x[test])[0].argmax(axis=1)
    correct = int((predicted == data.target[test]).sum())
    print(f"numpy accuracy: {correct / TEST_COUNT:.4f} ({correct}/{TEST_COUNT})")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    onnx.save(to_onnx(params), args.out_dir / "mnist.onnx")
    digits.write(args.out_dir / "digits_test.bin", pixels[test], data.target[test])


if __name__ == "__main__":
    main()
