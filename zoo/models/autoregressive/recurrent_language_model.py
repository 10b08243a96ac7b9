"""A recurrent language model: p(x) = prod_t softmax(V h_t)[x_t] over integer sequences.

The sequence x_0 .. x_{T-1} (characters or tokens, ids in [0, vocab_size)) is read by a
stack of recurrent layers fed the previous symbol: the input at step t is the embedding
of x_{t-1}, and at step 0 the embedding of a start symbol (id `vocab_size`, which the data
never contain). So the first symbol has a learnt distribution p(x_0) too, and
`log_prob(x)` is the exact sum of log p(x_t | x_<t) over every position, x_0 included.
Teacher forcing in training is the same computation: inputs [start, x_0 .. x_{T-2}],
targets x_0 .. x_{T-1}.

Cells:

- `"rnn"`: h_t = tanh(U e_t + W h_{t-1} + b) (Elman, 1990), Keras' default initialisers.
- `"irnn"`: h_t = relu(U e_t + W h_{t-1} + b) with W = I, b = 0 and U ~ N(0, 0.001^2) at
  initialisation (Le, Jaitly and Hinton, 2015).
- `"lstm"`: the LSTM with forget gates (Hochreiter and Schmidhuber, 1997; Gers et al.,
  2000), forget-gate bias 1 at initialisation.

The recurrences are `keras.layers.SimpleRNN` / `keras.layers.LSTM`. Sampling does not run
them over the whole prefix: it calls their cells once per symbol with the cached state,
the whole loop one `tf.function` (`step` is that single cell step).

Training (`fit`) minimises the negative log-likelihood per symbol. With `bptt_window=k`
it is truncated backpropagation through time: each batch `[batch, T]` is cut into
consecutive windows of k steps (the last one may be shorter); the windows are processed in
order, each with its own optimizer update on its mean NLL per symbol, and the recurrent
state at the end of a window is the initial state of the next one (carried, with its
gradient stopped). The state is reset to zero at the start of every batch. Without
`bptt_window`, every batch is one window (full backpropagation through time). Gradient
clipping by global norm is the optimizer's: `keras.optimizers.Adam(global_clipnorm=1.0)`.

Metrics: `loss`, the mean negative log-likelihood in nats per symbol, and
`bits_per_character`, the same in bits (loss / ln 2).
"""

import math

import keras
import numpy as np
import tensorflow as tf

from zoo.checks import INPUT_ERROR, check_finite, check_in_range, check_inner_shape
from zoo.models.autoregressive.base import AutoregressiveModel
from zoo.models.steps import metric_logs
from zoo.random import stateless_seed

CELLS = ("rnn", "irnn", "lstm")


def recurrent_layer(cell, units, name):
    """A `return_sequences` / `return_state` Keras recurrent layer of the given cell type."""
    if cell == "lstm":
        return keras.layers.LSTM(units, return_sequences=True, return_state=True, name=name)
    if cell == "irnn":
        return keras.layers.SimpleRNN(
            units,
            activation="relu",
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.001),
            recurrent_initializer=keras.initializers.Identity(),
            return_sequences=True,
            return_state=True,
            name=name,
        )
    return keras.layers.SimpleRNN(units, return_sequences=True, return_state=True, name=name)


@keras.saving.register_keras_serializable(package="zoo")
class RecurrentLanguageModel(AutoregressiveModel):
    """Character- or token-level recurrent language model (tanh RNN, IRNN or LSTM).

    Args:
        vocab_size: Number of symbols; data are integer ids in `[0, vocab_size)`.
        cell: `"lstm"`, `"rnn"` (tanh) or `"irnn"` (ReLU, identity recurrent weights).
        units: Hidden units of every recurrent layer.
        num_layers: Number of stacked recurrent layers.
        embedding_dim: Size of the symbol embeddings (default: `units`).
        sequence_length: Length of one example as exported (`data_shape`) and the default
            length of `sample`. `fit` and `log_prob` take any length.
        bptt_window: Steps per truncated-BPTT window in `fit` (see the module docstring),
            or None for full backpropagation through each batch.
        **kwargs: Passed to `keras.Model`.

    Raises:
        ValueError: for an unknown cell or a non-positive size.

    #### Examples

    ```python
    model = RecurrentLanguageModel(vocab_size=27, cell="lstm", units=128, bptt_window=50)
    model.compile(optimizer=keras.optimizers.Adam(1e-3, global_clipnorm=1.0))
    model.fit(windows, batch_size=32, epochs=5)   # int ids [N, T]; loss in nats/symbol
    model.log_prob(windows[:4])                    # exact log p(x) in nats, [4]
    model.sample(4, length=200, seed=0, temperature=0.8)   # int32 [4, 200]
    ```

    #### References
    - Elman (1990). Finding Structure in Time. Cognitive Science.
    - Hochreiter, Schmidhuber (1997). Long Short-Term Memory. Neural Computation.
    - Gers, Schmidhuber, Cummins (2000). Learning to Forget: Continual Prediction with LSTM.
      Neural Computation.
    - Williams, Peng (1990). An Efficient Gradient-Based Algorithm for On-Line Training of
      Recurrent Network Trajectories. Neural Computation (truncated BPTT).
    - Le, Jaitly, Hinton (2015). A Simple Way to Initialize Recurrent Networks of
      Rectified Linear Units. arXiv:1504.00941.
    """

    def __init__(
        self,
        vocab_size,
        cell="lstm",
        units=128,
        num_layers=1,
        embedding_dim=None,
        sequence_length=64,
        bptt_window=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}; got {cell!r}.")
        for name, value in (
            ("vocab_size", vocab_size),
            ("units", units),
            ("num_layers", num_layers),
            ("sequence_length", sequence_length),
        ):
            if int(value) < 1:
                raise ValueError(f"{name} must be a positive integer; got {value}.")
        if bptt_window is not None and int(bptt_window) < 1:
            raise ValueError(f"bptt_window must be a positive integer or None; got {bptt_window}.")
        self.vocab_size = int(vocab_size)
        self.cell = cell
        self.units = int(units)
        self.num_layers = int(num_layers)
        self.embedding_dim = int(embedding_dim or units)
        self.sequence_length = int(sequence_length)
        self.data_shape = (self.sequence_length,)
        self.bptt_window = None if bptt_window is None else int(bptt_window)
        self.start_id = self.vocab_size  # the embedding row of the start symbol
        self.embedding = keras.layers.Embedding(
            self.vocab_size + 1, self.embedding_dim, name="embedding"
        )
        self.recurrent = [
            recurrent_layer(cell, self.units, f"{cell}_{i}") for i in range(self.num_layers)
        ]
        self.output_layer = keras.layers.Dense(self.vocab_size, name="logits")
        self.bits_tracker = keras.metrics.Mean(name="bits_per_character")
        self(tf.zeros([1, 1], tf.int32))  # create every variable now

    @property
    def metrics(self):
        return [self.loss_tracker, self.bits_tracker]

    # ----------------------------------------------------------------- the network
    @property
    def state_size(self):
        """Number of state tensors per layer: 2 (h, c) for the LSTM, else 1."""
        return 2 if self.cell == "lstm" else 1

    def initial_state(self, batch_size):
        """Zero recurrent state: one list of `[batch, units]` tensors per layer."""
        zeros = tf.zeros([batch_size, self.units])
        return [[zeros] * self.state_size for _ in range(self.num_layers)]

    def shifted_inputs(self, x):
        """Teacher-forcing inputs: `[start, x_0, ..., x_{T-2}]` for targets `x`."""
        start = tf.fill([tf.shape(x)[0], 1], self.start_id)
        return tf.concat([start, x[:, :-1]], axis=1)

    def run_from_embeddings(self, embedded, states, training=False):
        """Logits `[batch, T, vocab]` and final states from input embeddings `[batch, T, E]`."""
        features, final_states = embedded, []
        for layer, state in zip(self.recurrent, states, strict=True):
            features, *state = layer(features, initial_state=state, training=training)
            final_states.append(state)
        return self.output_layer(features), final_states

    def call(self, x, training=False):
        """Logits `[batch, T, vocab]`: position t parametrises p(x_t | x_<t), t >= 0."""
        x = tf.cast(x, tf.int32)
        embedded = self.embedding(self.shifted_inputs(x))
        logits, _ = self.run_from_embeddings(
            embedded, self.initial_state(tf.shape(x)[0]), training=training
        )
        return logits

    def step(self, previous, states):
        """One cell step per layer: the logits of the next symbol and the new state.

        Args:
            previous: int32 `[batch]`, the previous symbol (`start_id` before the first).
            states: The state from `initial_state` or the previous `step`.

        Returns:
            `(logits [batch, vocab], states)`; the logits equal `call`'s for that prefix.
        """
        features, new_states = self.embedding(previous), []
        for layer, state in zip(self.recurrent, states, strict=True):
            features, state = layer.cell(features, list(state), training=False)
            new_states.append(list(state))
        return self.output_layer(features), new_states

    # ----------------------------------------------------------------- likelihood
    def tokens(self, x, name="x"):
        """`x` checked (`[batch, T]` ids in `[0, vocab_size)`, integral) as an int32 tensor.

        Raises:
            ValueError: eagerly, naming the expected shape or range.
        """
        if not tf.is_tensor(x):
            x = np.asarray(x)
        check_inner_shape(x, (None,), name=name)
        x = tf.convert_to_tensor(x)
        if x.dtype.is_floating:
            x = check_finite(x, name)
            integral = f"{name} must hold integer token ids"
            if tf.executing_eagerly():
                if not bool(tf.reduce_all(tf.round(x) == x)):
                    raise ValueError(f"{integral}; got non-integer values.")
            else:
                with tf.control_dependencies(
                    [tf.debugging.assert_equal(tf.round(x), x, message=INPUT_ERROR + integral)]
                ):
                    x = tf.identity(x)
        x = check_in_range(x, 0, self.vocab_size - 1, name=name, what="token ids")
        return tf.cast(x, tf.int32)

    def symbol_nll(self, logits, x):
        """-log p(x_t | x_<t) in nats per position, `[batch, T]`."""
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=x, logits=logits)

    def log_prob(self, x):
        """Exact log p(x) in nats per sequence: the sum of log p(x_t | x_<t), x_0 included.

        Args:
            x: Integer ids `[batch, T]` in `[0, vocab_size)` (floats holding integers are
                accepted, as the exported signature feeds them).

        Returns:
            float32 tensor `[batch]`.

        Raises:
            ValueError: for another rank, non-integer values or ids outside the range.
        """
        return self._log_prob_of_tokens(self.tokens(x))

    @tf.function(reduce_retracing=True)
    def _log_prob_of_tokens(self, x):
        return -tf.reduce_sum(self.symbol_nll(self(x), x), axis=-1)

    def _negative_log_likelihood(self, x, condition, training):
        x = self.tokens(x)
        return tf.reduce_sum(self.symbol_nll(self(x, training=training), x), axis=-1)

    # ----------------------------------------------------------------- training
    def _windows(self, length):
        window = self.bptt_window or length
        return [(s, min(s + window, length)) for s in range(0, length, window)]

    def _per_example_loss(self, inputs, training):
        """`(nats per symbol [batch], {"bits_per_character": the same in bits})`."""
        x = self.tokens(inputs[0])
        nll = self._negative_log_likelihood(x, None, training)
        return self._loss_and_bits(nll / tf.cast(tf.shape(x)[1], tf.float32))

    @staticmethod
    def _loss_and_bits(nats_per_symbol):
        return nats_per_symbol, {"bits_per_character": nats_per_symbol / math.log(2.0)}

    def train_step(self, data):
        # Not the base's step: truncated BPTT takes one optimizer update per window.
        (x, _), _ = self._loss_inputs(data, training=True)
        x = self.tokens(x)
        length = x.shape[1]
        if length is None:
            raise ValueError("fit needs sequences of a static length (x of shape [batch, T]).")
        inputs = self.shifted_inputs(x)
        states = self.initial_state(tf.shape(x)[0])
        total = tf.zeros([tf.shape(x)[0]])
        for start, stop in self._windows(length):
            with tf.GradientTape() as tape:
                logits, new_states = self.run_from_embeddings(
                    self.embedding(inputs[:, start:stop]), states, training=True
                )
                nll = self.symbol_nll(logits, x[:, start:stop])
                loss = tf.nn.compute_average_loss(tf.reduce_mean(nll, axis=-1))
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            states = tf.nest.map_structure(tf.stop_gradient, new_states)
            total += tf.reduce_sum(nll, axis=-1)
        self._update_metrics(*self._loss_and_bits(total / length), sample_weight=None)
        return metric_logs(self)

    # ----------------------------------------------------------------- sampling
    def sample(self, num_samples, seed=None, *, length=None, temperature=1.0):
        """Draw sequences symbol by symbol, one cell step each with the cached state.

        Args:
            num_samples: Number of sequences.
            seed: Integer or shape-[2] seed; the same seed gives the same sequences.
            length: Symbols per sequence (default `sequence_length`).
            temperature: Divides the logits: < 1 sharper, > 1 flatter; 1 samples the model.

        Returns:
            int32 tensor `[num_samples, length]` of ids in `[0, vocab_size)`.

        Raises:
            ValueError: for a non-positive temperature.
        """
        if not tf.is_tensor(temperature) and temperature <= 0:
            raise ValueError(f"temperature must be positive; got {temperature}.")
        return self._sample(
            tf.convert_to_tensor(num_samples, tf.int32),
            tf.convert_to_tensor(self.sequence_length if length is None else length, tf.int32),
            stateless_seed(seed),
            tf.convert_to_tensor(temperature, tf.float32),
        )

    @tf.function(reduce_retracing=True)
    def _sample(self, num_samples, length, seed, temperature):
        def body(t, previous, states, drawn):
            logits, states = self.step(previous, states)
            symbol = tf.random.stateless_categorical(
                logits / temperature,
                1,
                seed=tf.random.experimental.stateless_fold_in(seed, t),
                dtype=tf.int32,
            )[:, 0]
            return t + 1, symbol, states, drawn.write(t, symbol)

        _, _, _, drawn = tf.while_loop(
            lambda t, *_: t < length,
            body,
            (
                tf.constant(0),
                tf.fill([num_samples], self.start_id),
                self.initial_state(num_samples),
                tf.TensorArray(tf.int32, size=length, element_shape=[None]),
            ),
        )
        return tf.transpose(drawn.stack())

    def get_config(self):
        return {
            **super().get_config(),
            "vocab_size": self.vocab_size,
            "cell": self.cell,
            "units": self.units,
            "num_layers": self.num_layers,
            "embedding_dim": self.embedding_dim,
            "sequence_length": self.sequence_length,
            "bptt_window": self.bptt_window,
        }
