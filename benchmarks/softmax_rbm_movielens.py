"""Softmax RBM (Salakhutdinov, Mnih & Hinton 2007) on MovieLens-100k vs a bias baseline.

Data: `zoo.data.load_ratings_matrix`'s fixed 90/10 split of the 100,000 ratings (seed 0).
The ratings' licence forbids redistribution, so they are never in the repository: get the
copy inside the PyPI wheel `recbole==1.2.1` into a local folder, e.g.

    pip download --no-deps recbole==1.2.1 -d /work/data/recbole
    unzip -j /work/data/recbole/recbole-1.2.1-py3-none-any.whl \
        recbole/dataset_example/ml-100k/ml-100k.inter -d /work/data/ml-100k

Baseline, computed here on the same split: global mean + item bias + user bias, the biases
fitted by regularized averages of the residuals (Koren 2008, Sec. 2.1; damping 25 for
items, 10 for users). The RBM predicts each held-out rating as its expected value given
the user's training ratings (`predict_ratings`). The number of epochs is chosen on a
validation set, never on the test set: 10 % of the training ratings (seed 1) are held out,
the RBM trains on the other 90 % with early stopping on their RMSE (patience 5, best
weights restored; not before epoch 10, as the first epochs sit on a plateau while the
hidden units break symmetry), and the test RMSE is then measured with all training
ratings as input.

Usage:
    python benchmarks/softmax_rbm_movielens.py --data-dir /work/data/ml-100k [--weight-decay 0.01]
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


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default=os.environ.get("ZOO_DATA_DIR", "/work/data/ml-100k"))
    parser.add_argument(
        "--epochs", type=int, default=40, help="at most; early stopping on validation"
    )
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--weight-decay", type=float, default=1e-3)
    parser.add_argument("--cd-k", type=int, default=1)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    train, _ = zoo.data.load_ratings_matrix("train", data_dir=args.data_dir)
    test, _ = zoo.data.load_ratings_matrix("test", data_dir=args.data_dir)
    baseline, mu = bias_baseline(train.astype("float64"), test.astype("float64"))
    global_mean = float(np.sqrt(np.mean((test[test > 0] - mu) ** 2)))

    num_users, num_items = train.shape
    held = (np.random.default_rng(1).random(train.shape) < 0.1) & (train > 0)
    fit_ratings, validation = np.where(held, 0, train).astype("int32"), np.where(held, train, 0)
    rbm = SoftmaxRBM(
        num_items, 5, args.hidden, cd_k=args.cd_k, weight_decay=args.weight_decay, seed=0
    )
    rbm.init_visible_bias(fit_ratings)
    rbm.compile(
        optimizer=keras.optimizers.SGD(args.learning_rate, momentum=0.9), steps_per_execution=10
    )
    before = rbm.evaluate(train, test, batch_size=num_users, verbose=0, return_dict=True)["rmse"]
    stop = keras.callbacks.EarlyStopping(
        monitor="val_rmse", mode="min", patience=5, start_from_epoch=10, restore_best_weights=True
    )
    start = time.perf_counter()
    history = rbm.fit(
        fit_ratings,
        batch_size=args.batch_size,
        epochs=args.epochs,
        validation_data=(fit_ratings, validation),
        shuffle=True,
        verbose=0,
        callbacks=[stop],
    )
    seconds = time.perf_counter() - start
    curve = history.history["val_rmse"]
    best_epoch = int(np.argmin(curve)) + 1
    after = rbm.evaluate(train, test, batch_size=num_users, verbose=0, return_dict=True)["rmse"]
    print(
        f"\nMovieLens-100k, {num_users} users x {num_items} items, 90/10 split (seed 0), test RMSE"
    )
    print("| model | test RMSE |")
    print("| --- | --- |")
    print(f"| global mean | {global_mean:.4f} |")
    print(f"| global mean + item bias + user bias | {baseline:.4f} |")
    print(f"| SoftmaxRBM, visible biases only (before training) | {before:.4f} |")
    print(
        f"| SoftmaxRBM {args.hidden} hidden, CD-{args.cd_k}, {best_epoch} epochs chosen on validation "
        f"(batch {args.batch_size}, SGD {args.learning_rate} momentum 0.9, wd {args.weight_decay}) "
        f"| {after:.4f} |"
    )
    print(
        f"\nTraining time {seconds:.0f} s; validation RMSE per epoch: "
        + ", ".join(f"{v:.4f}" for v in curve)
    )


if __name__ == "__main__":
    main()
