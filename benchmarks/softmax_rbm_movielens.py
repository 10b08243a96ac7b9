"""Softmax RBM (Salakhutdinov, Mnih & Hinton 2007) on MovieLens-100k vs a bias baseline.

Data: `zoo.data.load_ratings_matrix`'s fixed 90/10 split of the 100,000 ratings (seed 0).
The ratings' licence forbids redistribution, so they are never in the repository: get the
copy inside the PyPI wheel `recbole==1.2.1` into a local folder, e.g.

    pip download --no-deps recbole==1.2.1 -d /work/data/recbole
    unzip -j /work/data/recbole/recbole-1.2.1-py3-none-any.whl \
        recbole/dataset_example/ml-100k/ml-100k.inter -d /work/data/ml-100k

Baseline, computed here on the same split: global mean + item bias + user bias, the biases
fitted by regularized averages of the residuals (Koren 2008, Sec. 2.1; damping 25 for
items, 10 for users). The RBM predicts each held-out rating as its expected value under
the exact p(v_q = k | other ratings) (`predict_ratings`, the free energy of each candidate
rating; the one-step mean-field prediction is printed too). The number of epochs is chosen
on a validation set, never on the test set: 10 % of the training ratings (seed 1) are held
out, the RBM trains on the other 90 % with early stopping on their RMSE (patience 5, best
weights restored; not before epoch 5, as the first epochs sit on a plateau while the
hidden units break symmetry), and the test RMSE is then measured with all training
ratings as input.

Orientation: `--orientation user` is the paper's (one training case per user, a softmax
unit per item); `--orientation item` (the default, better on this small data set) trains
the same `SoftmaxRBM` on the transposed matrices: one case per item, a softmax unit per
user. Both use only the training ratings as input; neither uses which items are in the
test set. `--cd-steps 1,3@8,5@14` grows the Gibbs steps T during training as in the
paper.

Usage:
    python benchmarks/softmax_rbm_movielens.py --data-dir /work/data/ml-100k [--seed 1]
    python benchmarks/softmax_rbm_movielens.py --orientation user --learning-rate 0.1
"""

import argparse
import os
import time

import keras
import numpy as np

import zoo.data
from zoo.models import SoftmaxRBM


def bias_baseline(train, test, item_damping=25.0, user_damping=10.0):
    """Test RMSE of mu + b_item + b_user, biases from damped residual averages."""
    observed = train > 0
    mu = train[observed].mean()
    residual = np.where(observed, train - mu, 0.0)
    item_bias = residual.sum(0) / (item_damping + observed.sum(0))
    residual = np.where(observed, train - mu - item_bias[None, :], 0.0)
    user_bias = residual.sum(1) / (user_damping + observed.sum(1))
    prediction = np.clip(mu + item_bias[None, :] + user_bias[:, None], 1, 5)
    held_out = test > 0
    return float(np.sqrt(np.mean((prediction[held_out] - test[held_out]) ** 2))), float(mu)


class GibbsStepsSchedule(keras.callbacks.Callback):
    """CD-T with T growing during training: `{first_epoch: T, ...}` (the paper's 3, 5, 9)."""

    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        if epoch in self.schedule and self.schedule[epoch] != self.model.cd_k:
            self.model.cd_k = self.schedule[epoch]
            self.model.make_train_function(force=True)


def parse_schedule(text):
    """ "1,3@15,5@25" -> {0: 1, 15: 3, 25: 5} (T from that epoch on, 0-based)."""
    schedule = {}
    for part in text.split(","):
        steps, _, epoch = part.partition("@")
        schedule[int(epoch or 0)] = int(steps)
    return schedule


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default=os.environ.get("ZOO_DATA_DIR", "/work/data/ml-100k"))
    parser.add_argument(
        "--epochs", type=int, default=40, help="at most; early stopping on validation"
    )
    parser.add_argument(
        "--orientation",
        choices=("user", "item"),
        default="item",
        help="user: one case per user, a softmax unit per item (the paper); item: the "
        "transposed data, one case per item, a softmax unit per user",
    )
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--learning-rate", type=float, default=0.02)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float, default=1e-3)
    parser.add_argument(
        "--cd-steps", default="1", help='Gibbs steps T, growing: e.g. "3,5@15,9@25" (T@epoch)'
    )
    parser.add_argument("--patience", type=int, default=5)
    parser.add_argument("--start-from-epoch", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="weights, shuffling, Gibbs noise")
    args = parser.parse_args()
    keras.utils.set_random_seed(args.seed)
    train, _ = zoo.data.load_ratings_matrix("train", data_dir=args.data_dir)
    test, _ = zoo.data.load_ratings_matrix("test", data_dir=args.data_dir)
    baseline, mu = bias_baseline(train.astype("float64"), test.astype("float64"))
    global_mean = float(np.sqrt(np.mean((test[test > 0] - mu) ** 2)))

    held = (np.random.default_rng(1).random(train.shape) < 0.1) & (train > 0)
    fit_ratings, validation = np.where(held, 0, train).astype("int32"), np.where(held, train, 0)
    if args.orientation == "item":
        train, test, fit_ratings, validation = train.T, test.T, fit_ratings.T, validation.T
    num_cases, num_units = train.shape
    schedule = parse_schedule(args.cd_steps)
    rbm = SoftmaxRBM(
        num_units, 5, args.hidden, cd_k=schedule[0], weight_decay=args.weight_decay, seed=args.seed
    )
    rbm.init_visible_bias(fit_ratings)
    rbm.compile(
        optimizer=keras.optimizers.SGD(args.learning_rate, momentum=args.momentum),
        steps_per_execution=10,
    )

    def test_rmse(method):
        predicted = np.asarray(rbm.predict_ratings(train, method=method))
        return float(np.sqrt(np.mean((predicted - test)[test > 0] ** 2)))

    before = test_rmse("exact")
    stop = keras.callbacks.EarlyStopping(
        monitor="val_rmse",
        mode="min",
        patience=args.patience,
        start_from_epoch=args.start_from_epoch,
        restore_best_weights=True,
    )
    start = time.perf_counter()
    history = rbm.fit(
        fit_ratings,
        batch_size=args.batch_size,
        epochs=args.epochs,
        validation_data=(fit_ratings, validation),
        validation_batch_size=num_cases,
        shuffle=True,
        verbose=0,
        callbacks=[GibbsStepsSchedule(schedule), stop],
    )
    seconds = time.perf_counter() - start
    curve = history.history["val_rmse"]
    best_epoch = int(np.argmin(curve)) + 1
    exact, mean_field = test_rmse("exact"), test_rmse("mean_field")
    print(
        f"\nMovieLens-100k, {num_cases} {args.orientation}s as cases x {num_units} softmax "
        "units, 90/10 split (seed 0), test RMSE"
    )
    setting = (
        f"{args.orientation}-based, {args.hidden} hidden, CD-T T={args.cd_steps}, batch "
        f"{args.batch_size}, SGD {args.learning_rate} momentum {args.momentum}, wd "
        f"{args.weight_decay}, seed {args.seed}; {best_epoch} epochs chosen on validation"
    )
    print("| model | test RMSE |")
    print("| --- | --- |")
    print(f"| global mean | {global_mean:.4f} |")
    print(f"| global mean + item bias + user bias | {baseline:.4f} |")
    print(f"| SoftmaxRBM, visible biases only (before training), exact prediction | {before:.4f} |")
    print(f"| SoftmaxRBM ({setting}), exact prediction | {exact:.4f} |")
    print(f"| SoftmaxRBM ({setting}), mean-field prediction | {mean_field:.4f} |")
    print(
        f"\nTraining time {seconds:.0f} s; validation RMSE (exact) per epoch: "
        + ", ".join(f"{v:.4f}" for v in curve)
    )


if __name__ == "__main__":
    main()
