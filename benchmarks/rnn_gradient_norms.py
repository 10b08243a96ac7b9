"""Vanishing and exploding gradients: ||d L_t / d h_k|| against t - k for tanh RNN, IRNN, LSTM.

For each cell (`zoo.models.RecurrentLanguageModel`, one layer of 128 units, embeddings of
32) the recurrence is unrolled one `step` at a time over sequences of T = 100 characters, so
that every hidden state h_k is a tensor of its own; L_t is the cross-entropy of the last
symbol (t = T - 1), and the curve is the mean over 64 sequences of the per-sequence norm
||d L_t / d h_k|| (the total derivative, through every later step), for k = 0 .. t. For the
LSTM, the gradient with respect to the memory cell c_k is shown too. Two panels: at
initialisation (Keras' defaults: Glorot inputs, orthogonal recurrent weights for tanh RNN
and LSTM, forget bias 1; IRNN: identity recurrence, N(0, 0.001^2) inputs), and after a brief
training (`--train-steps` Adam(2e-3, global_clipnorm=1) updates, batch 32, windows of 100).

Data: Jane Austen's novels (`zoo.data.text`, Debian's `r-cran-janeaustenr`); `--smoke` uses
random symbols instead (and T = 20, 8 sequences, 3 training steps) so that it runs anywhere.
Needs matplotlib for the figure.

    python benchmarks/rnn_gradient_norms.py              # writes docs/rnn_gradient_norms.png
    python benchmarks/rnn_gradient_norms.py --smoke

#### References
- Hochreiter (1991). Untersuchungen zu dynamischen neuronalen Netzen. Diploma thesis, TU Munich.
- Bengio, Simard, Frasconi (1994). Learning Long-Term Dependencies with Gradient Descent is
  Difficult. IEEE Transactions on Neural Networks.
- Pascanu, Mikolov, Bengio (2013). On the Difficulty of Training Recurrent Neural Networks. ICML.
- Le, Jaitly, Hinton (2015). A Simple Way to Initialize Recurrent Networks of Rectified
  Linear Units.
"""

import argparse
import json
import os
import pathlib
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf

from zoo.data import text
from zoo.models import RecurrentLanguageModel

CELLS = ("rnn", "irnn", "lstm")
FIGURE = pathlib.Path(__file__).resolve().parents[1] / "docs" / "rnn_gradient_norms.png"


def gradient_norms(model, x):
    """Mean over the batch of ||d L_t / d h_k|| (and c_k for the LSTM) for k = 0 .. t = T - 1.

    Returns:
        `{"h": [norm at lag t - k = 0, 1, ...], "c": ...}` (numpy arrays, lag 0 first).
    """
    x = tf.constant(x, tf.int32)
    batch, length = x.shape
    with tf.GradientTape() as tape:
        states, previous, hidden, cells = model.initial_state(batch), None, [], []
        previous = tf.fill([batch], model.start_id)
        for t in range(length):
            logits, states = model.step(previous, states)
            hidden.append(states[0][0])
            cells.append(states[0][-1])
            previous = x[:, t]
        # logits are those of the last symbol; states after step t are h_t.
        loss = tf.reduce_sum(model.symbol_nll(logits, x[:, -1]))
    targets = {"h": hidden, "c": cells} if model.cell == "lstm" else {"h": hidden}
    grads = tape.gradient(loss, targets)
    return {
        name: np.array([float(tf.reduce_mean(tf.norm(g, axis=-1))) for g in reversed(gs)])
        for name, gs in grads.items()
    }


def random_windows(ids, length, count, seed):
    """`count` windows of `length` consecutive ids at random positions, `[count, length]`."""
    starts = np.random.default_rng(seed).integers(0, len(ids) - length, size=count)
    return ids[starts[:, None] + np.arange(length)[None, :]]


def train_briefly(model, ids, length, steps, seed):
    windows = random_windows(ids, length, steps * 32, seed)
    model.compile(optimizer=keras.optimizers.Adam(2e-3, global_clipnorm=1.0))
    history = model.fit(windows, batch_size=32, epochs=1, verbose=0, shuffle=False)
    return {k: float(v[-1]) for k, v in history.history.items()}


def load_data(smoke):
    """`(training ids, vocab_size)`: Austen's training text, or random symbols for a smoke run."""
    if smoke:
        return np.random.default_rng(0).integers(0, 20, 5000), 20
    corpus = text.austen_text()
    vocabulary = text.CharacterVocabulary.from_text(corpus)
    return text.split_by_position(vocabulary.encode(corpus))["train"], vocabulary.size


def plot(result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"rnn": "tab:red", "irnn": "tab:blue", "lstm": "tab:green"}
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for axis, stage in zip(axes, ("at_init", "trained"), strict=True):
        for cell, curves in result[stage].items():
            lags = np.arange(len(curves["h"]))
            axis.semilogy(lags, curves["h"], color=colours[cell], label=f"{cell}: h_k")
            if "c" in curves:
                axis.semilogy(lags, curves["c"], "--", color=colours[cell], label=f"{cell}: c_k")
        title = (
            "at initialisation"
            if stage == "at_init"
            else (f"after {result['config']['train_steps']} training steps")
        )
        axis.set_title(title)
        axis.set_xlabel("t - k (steps back in time)")
        axis.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("mean ||d L_t / d h_k||")
    axes[1].legend(loc="lower left", fontsize=8)
    figure.suptitle(
        f"Gradient of the last symbol's loss with respect to earlier states "
        f"({result['config']['units']} units, {result['config']['data']})",
        fontsize=10,
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def run(
    smoke: bool = False, train_steps: int = 300, units: int = 128, seed: int = 0, figure=None
) -> dict:
    """Gradient norms against lag for every cell, at init and after brief training.

    Returns:
        A JSON-ready dict: the config, per stage and cell the norms by lag, ratios of the
        norm at lags 10 / 50 / T-1 to the norm at lag 0, the final training metrics, the
        figure path and the wall seconds.
    """
    begin = time.perf_counter()
    length, batch = (20, 8) if smoke else (100, 64)
    train_steps = 3 if smoke else train_steps
    units = 8 if smoke else units
    ids, vocab_size = load_data(smoke)
    probe = random_windows(ids, length, batch, seed + 1)
    result = {
        "config": {
            "units": units,
            "length": length,
            "batch": batch,
            "train_steps": train_steps,
            "data": "random symbols (smoke)" if smoke else "Jane Austen, characters",
        },
        "at_init": {},
        "trained": {},
        "ratios": {},
        "training": {},
    }
    for cell in CELLS:
        keras.utils.set_random_seed(seed)
        model = RecurrentLanguageModel(
            vocab_size, cell=cell, units=units, embedding_dim=32, sequence_length=length
        )
        result["at_init"][cell] = gradient_norms(model, probe)
        result["training"][cell] = train_briefly(model, ids, length, train_steps, seed)
        result["trained"][cell] = gradient_norms(model, probe)
    for stage in ("at_init", "trained"):
        for cell, curves in result[stage].items():
            h = curves["h"]
            result["ratios"][f"{stage}/{cell}"] = {
                f"lag_{lag}": float(h[lag] / h[0]) for lag in (10, 50, length - 1) if lag < length
            }
    for stage in ("at_init", "trained"):
        for cell in CELLS:
            result[stage][cell] = {k: v.tolist() for k, v in result[stage][cell].items()}
    smoke_figure = pathlib.Path(tempfile.gettempdir()) / "rnn_gradient_norms_smoke.png"
    path = pathlib.Path(figure) if figure else (smoke_figure if smoke else FIGURE)
    plot(result, path)
    result["figure"] = str(path)
    result["seconds"] = time.perf_counter() - begin
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--train-steps", type=int, default=300)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--figure", default=None)
    parser.add_argument("--json", default=None, help="also write the result here")
    args = parser.parse_args()
    result = run(args.smoke, args.train_steps, args.units, figure=args.figure)
    summary = {k: result[k] for k in ("config", "ratios", "training", "figure", "seconds")}
    print(json.dumps(summary, indent=1))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
