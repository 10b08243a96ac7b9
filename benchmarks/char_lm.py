"""Character-level language model of Jane Austen: LSTM / tanh RNN / IRNN vs Kneser-Ney n-grams.

Data: Jane Austen's six novels (`zoo.data.text.austen_text`, Debian's `r-cran-janeaustenr`),
about 4.0 million characters and 81 distinct ones, split by position: the first 90% train,
the next 5% validation, the last 5% test (the end of "Persuasion").

Baselines: interpolated Kneser-Ney character n-grams (`zoo.evaluation.KneserNeyNGram`,
orders 3, 5 and 7) counted on the training text and scored on the whole test text as one
stream.

Model: `RecurrentLanguageModel(cell, units)` with 64-dimensional embeddings, trained on
examples of 256 characters cut at random positions of the training text, batch 32,
truncated BPTT over windows of 64 steps (4 updates per batch, state carried across the
windows of an example), Adam(2e-3, global_clipnorm=1.0), until the wall-clock budget
(`--minutes`) is spent. Every `--eval-every` updates the validation bits per character
are measured on the first 20,000 validation characters. The test number is exact
log p over the test text cut into windows of 1,000 characters, each scored from the start
symbol with a fresh state (the model loses the context across window boundaries; the
n-grams keep it, which only favours them).

    nice python benchmarks/char_lm.py                 # about 15 minutes on 2 shared cores
    nice python benchmarks/char_lm.py --smoke         # seconds

#### References
- Graves (2013). Generating Sequences with Recurrent Neural Networks. arXiv:1308.0850.
- Karpathy, Johnson, Fei-Fei (2015). Visualizing and Understanding Recurrent Networks.
  arXiv:1506.02078.
- Chen, Goodman (1999). An Empirical Study of Smoothing Techniques for Language Modeling.
"""

import argparse
import json
import math
import os
import pathlib
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np

from zoo.data import text
from zoo.evaluation import KneserNeyNGram
from zoo.models import RecurrentLanguageModel

LOG2 = math.log(2.0)
EXAMPLE_LENGTH, BPTT_WINDOW, BATCH, SCORE_WINDOW = 256, 64, 32, 1000


def bits_per_character(model, ids):
    """Exact bits per character of `ids` cut into windows of SCORE_WINDOW, fresh state each."""
    windows = text.sequence_windows(ids, min(SCORE_WINDOW, len(ids)))
    chunks = (windows[i : i + 50] for i in range(0, len(windows), 50))
    nats = -sum(float(np.sum(model.log_prob(chunk))) for chunk in chunks)
    return nats / windows.size / LOG2, int(windows.size)


def ngram_baselines(parts, vocab_size, orders):
    rows = {}
    for order in orders:
        begin = time.perf_counter()
        ngram = KneserNeyNGram(order, vocab_size).fit(parts["train"])
        nats = -ngram.log_prob(parts["test"], history=parts["validation"][-order:])
        rows[f"kneser_ney_{order}gram"] = {
            "test_bpc": nats / len(parts["test"]) / LOG2,
            "seconds": time.perf_counter() - begin,
        }
    return rows


def run(
    smoke: bool = False,
    minutes: float = 13.0,
    cell: str = "lstm",
    units: int = 256,
    eval_every: int = 400,
    seed: int = 0,
) -> dict:
    """Train the character model for a wall-clock budget; compare with the n-gram baselines.

    Returns:
        A JSON-ready dict: data sizes, n-gram test bits per character, the model's
        validation curve (updates, characters seen, seconds, bpc), its test bpc, samples.
    """
    begin = time.perf_counter()
    corpus = text.austen_text()
    if smoke:
        corpus = corpus[:60_000]
    vocabulary = text.CharacterVocabulary.from_text(corpus)
    parts = text.split_by_position(vocabulary.encode(corpus))
    result = {
        "data": {name: len(part) for name, part in parts.items()} | {"vocab_size": vocabulary.size},
        "baselines": ngram_baselines(parts, vocabulary.size, (3,) if smoke else (3, 5, 7)),
    }

    keras.utils.set_random_seed(seed)
    units = 16 if smoke else units
    model = RecurrentLanguageModel(
        vocabulary.size,
        cell=cell,
        units=units,
        embedding_dim=64,
        sequence_length=EXAMPLE_LENGTH,
        bptt_window=BPTT_WINDOW,
    )
    model.compile(optimizer=keras.optimizers.Adam(2e-3, global_clipnorm=1.0))
    updates_per_batch = EXAMPLE_LENGTH // BPTT_WINDOW
    batches_per_round = max(1, (3 if smoke else eval_every) // updates_per_batch)
    validation = parts["validation"][: 2_000 if smoke else 20_000]
    rng, curve, train_seconds = np.random.default_rng(seed), [], 0.0
    budget = 0.0 if smoke else minutes * 60
    while True:
        starts = rng.integers(0, len(parts["train"]) - EXAMPLE_LENGTH, batches_per_round * BATCH)
        x = parts["train"][starts[:, None] + np.arange(EXAMPLE_LENGTH)[None, :]]
        tick = time.perf_counter()
        history = model.fit(x, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        train_seconds += time.perf_counter() - tick
        updates = int(model.optimizer.iterations)
        curve.append(
            {
                "updates": updates,
                "characters_seen": updates // updates_per_batch * BATCH * EXAMPLE_LENGTH,
                "train_seconds": round(train_seconds, 1),
                "train_bpc": float(history.history["bits_per_character"][-1]),
                "validation_bpc": bits_per_character(model, validation)[0],
            }
        )
        print(json.dumps(curve[-1]), flush=True)
        if train_seconds >= budget:
            break

    test_bpc, scored = bits_per_character(model, parts["test"])
    samples = {
        f"temperature_{t}": [
            vocabulary.decode(s) for s in model.sample(3, length=300, seed=seed, temperature=t)
        ]
        for t in (1.0, 0.7)
    }
    result["model"] = {
        "config": model.get_config() | {"batch": BATCH, "example_length": EXAMPLE_LENGTH},
        "parameters": model.count_params(),
        "curve": curve,
        "test_bpc": test_bpc,
        "test_characters_scored": scored,
        "characters_per_second": curve[-1]["characters_seen"] / train_seconds,
        "epochs": curve[-1]["characters_seen"] / len(parts["train"]),
        "samples": samples,
    }
    result["seconds"] = time.perf_counter() - begin
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--minutes", type=float, default=13.0, help="training wall budget")
    parser.add_argument("--cell", default="lstm", choices=["lstm", "rnn", "irnn"])
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--json", default=None, help="also write the result here")
    args = parser.parse_args()
    result = run(args.smoke, args.minutes, args.cell, args.units)
    shown = dict(result, model={k: v for k, v in result["model"].items() if k != "curve"})
    print(json.dumps(shown, indent=1))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
