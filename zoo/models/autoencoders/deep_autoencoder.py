"""Deep autoencoder unrolled from a stack of RBMs (Hinton & Salakhutdinov 2006).

A stack of binary RBMs, each trained on the hidden probabilities of the one below
(`zoo.models.DBN.pretrain` does exactly this), is *unrolled* into an autoencoder:

    encoder: h_{l+1} = sigmoid(c_l + W_l^T h_l) for every RBM l, the code layer linear:
             z = c_L + W_L^T h_L;
    decoder: h_l = sigmoid(b_l + W_l h_{l+1}) from the top down, the last one the
             reconstruction's mean (its logits are the decoder's output).

At the start the decoder uses the transposed encoder weights (tied), but they are separate
variables, so backpropagation on the cross-entropy reconstruction loss fine-tunes all of
them independently (untied), as in the paper.

The paper pretrains the code layer as an RBM with *linear* (unit-variance Gaussian) hidden
units, whose up-pass mean is c_L + W_L^T h_L. zoo's RBMs have binary hidden units (the
Gaussian units of `GaussianBernoulliRBM` are visible ones), so here the code RBM is
pretrained as a `BernoulliRBM` and unrolled with a linear code: the encoder gives its hidden
*input* (the logit of its mean-field up-pass) and the decoder maps a real-valued code down
with the RBM's down-pass sigmoid(b + W z). `code_activation="sigmoid"` keeps the binary
RBM's own up-pass instead.
"""

import itertools

import keras
import numpy as np

from zoo.models.autoencoders.autoencoder import Autoencoder
from zoo.models.energy.rbm import BernoulliRBM


@keras.saving.register_keras_serializable(package="zoo")
class DeepAutoencoder(Autoencoder):
    """Sigmoid autoencoder with a linear code layer, initialized from an RBM stack.

    Args:
        input_shape: Shape of one example, e.g. `(784,)` or `(28, 28, 1)`.
        hidden_units: Encoder widths, the last one the code size (e.g. `[1000, 500, 250,
            30]`); the decoder mirrors them.
        activation: Activation of every hidden layer but the code; default `"sigmoid"`.
        code_activation: Activation of the code layer; default None (linear, as in the
            paper).
        loss: `"cross_entropy"` (default; data in [0, 1]) or `"squared_error"`.
        **kwargs: Other `Autoencoder` arguments (`seed`, `name`, ...).

    Raises:
        ValueError: see `Autoencoder`, and `from_rbm_stack`.

    #### Examples

    ```python
    dbn = zoo.models.DBN([784, 1000, 500, 250, 30])
    dbn.pretrain(x_train, epochs=10)                 # the greedy RBM stack
    ae = DeepAutoencoder.from_rbm_stack(dbn.rbms)    # unrolled, tied at the start
    ae.compile(optimizer="adam")
    ae.fit(x_train, epochs=10, batch_size=100)       # backprop, untied
    codes = ae.encode(x_test)                        # [N, 30], linear
    ```

    #### References
    Hinton, G. E. & Salakhutdinov, R. R. (2006). Reducing the dimensionality of data with
    neural networks. Science 313.
    """

    def __init__(
        self,
        input_shape,
        hidden_units,
        activation="sigmoid",
        code_activation=None,
        loss="cross_entropy",
        **kwargs,
    ):
        self.code_activation = code_activation
        super().__init__(input_shape, hidden_units, activation=activation, loss=loss, **kwargs)

    def _encoder_activations(self):
        return [self.activation] * (len(self.hidden_units) - 1) + [self.code_activation]

    @classmethod
    def from_rbm_stack(cls, rbms, input_shape=None, code_activation=None, **kwargs):
        """Unroll pretrained binary RBMs (input side first) into a deep autoencoder.

        Encoder layer l gets RBM l's kernel W_l and hidden biases c_l; the mirrored decoder
        layer gets W_l^T and the visible biases b_l (copies: untied from then on).

        Args:
            rbms: `BernoulliRBM`s, input side first, each one's `n_visible` the previous
                one's `n_hidden` (e.g. the `rbms` of an unlabelled `DBN`).
            input_shape: Shape of one example; default `(rbms[0].n_visible,)`.
            code_activation: See the class; default None (linear code).
            **kwargs: Other constructor arguments (`seed`, `name`, ...).

        Returns:
            An uncompiled `DeepAutoencoder`.

        Raises:
            ValueError: for an empty stack, RBMs whose sizes do not chain, or an
                `input_shape` of another size than the first RBM's visible layer.
            TypeError: for RBMs that are not `BernoulliRBM`s (e.g. a `LabelledRBM`: unroll
                the RBMs below it).
        """
        rbms = list(rbms)
        if not rbms:
            raise ValueError("rbms must hold at least one RBM.")
        for index, rbm in enumerate(rbms):
            if not isinstance(rbm, BernoulliRBM):
                raise TypeError(
                    f"rbms[{index}] is a {type(rbm).__name__}; the stack must hold "
                    "BernoulliRBMs (binary visible and hidden units)."
                )
        for index, (below, above) in enumerate(itertools.pairwise(rbms)):
            if below.n_hidden != above.n_visible:
                raise ValueError(
                    f"rbms[{index}] has {below.n_hidden} hidden units but rbms[{index + 1}] "
                    f"has {above.n_visible} visible units; the sizes must chain."
                )
        input_shape = (rbms[0].n_visible,) if input_shape is None else tuple(input_shape)
        if int(np.prod(input_shape)) != rbms[0].n_visible:
            raise ValueError(
                f"input_shape {input_shape} has {int(np.prod(input_shape))} values but the "
                f"first RBM has {rbms[0].n_visible} visible units."
            )
        model = cls(
            input_shape,
            [rbm.n_hidden for rbm in rbms],
            code_activation=code_activation,
            **kwargs,
        )
        encoder_layers = [layer for layer in model.encoder.layers if hasattr(layer, "kernel")]
        decoder_layers = [layer for layer in model.decoder.layers if hasattr(layer, "kernel")]
        for rbm, encoder_layer, decoder_layer in zip(
            rbms, encoder_layers, decoder_layers[::-1], strict=True
        ):
            kernel = np.asarray(rbm.kernel)
            encoder_layer.set_weights([kernel, np.asarray(rbm.hidden_bias)])
            decoder_layer.set_weights([kernel.T.copy(), np.asarray(rbm.visible_bias)])
        return model

    def get_config(self):
        return {**super().get_config(), "code_activation": self.code_activation}
