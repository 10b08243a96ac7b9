"""Published presets of the autoregressive family (declarations only: no TensorFlow import).

How each published preset is trained and how its card's metrics are measured, with their
tolerances, is its recipe: in `zoo.models.autoregressive.recipes`, beside this module
(separate because it needs Keras), which `zoo.recipes.get_recipe` imports on first need.
"""

from zoo.registry import register_model

register_model(
    "nade_fashion_mnist",
    "zoo.models.autoregressive.nade:NADE",
    {"input_dim": 784, "hidden_units": 500},
    family="autoregressive",
    paper="Larochelle, Murray (2011). The Neural Autoregressive Distribution Estimator. AISTATS.",
    dataset="Fashion-MNIST train, flattened, binarized (pixel/255 > 0.5)",
    description="NADE 784-500 on statically binarized Fashion-MNIST; exact log p(x)",
)
register_model(
    "made_fashion_mnist",
    "zoo.models.autoregressive.made:MADE",
    {"input_dim": 784, "hidden_units": [1000, 1000], "num_masks": 1, "order": "natural"},
    family="autoregressive",
    paper="Germain, Gregor, Murray, Larochelle (2015). MADE: Masked Autoencoder for "
    "Distribution Estimation. ICML.",
    dataset="Fashion-MNIST train, flattened, binarized (pixel/255 > 0.5)",
    description="MADE 784-1000-1000-784 (v3; v1 and v2: 784-500-784), one mask, natural order, "
    "on binarized Fashion-MNIST",
)
register_model(
    "pixelcnn_fashion_mnist",
    "zoo.models.autoregressive.pixelcnn:PixelCNN",
    {"image_shape": [28, 28, 1], "num_layers": 6, "filters": 32, "gated": True},
    family="autoregressive",
    paper="van den Oord, Kalchbrenner, Vinyals, Espeholt, Graves, Kavukcuoglu (2016). "
    "Conditional Image Generation with PixelCNN Decoders. NeurIPS; van den Oord, "
    "Kalchbrenner, Kavukcuoglu (2016). Pixel Recurrent Neural Networks. ICML.",
    dataset="Fashion-MNIST train, binarized (pixel/255 > 0.5)",
    description="Gated PixelCNN (no blind spot), Bernoulli pixels, binarized Fashion-MNIST",
)
register_model(
    "pixelrnn_fashion_mnist",
    "zoo.models.autoregressive.pixelrnn:PixelRNN",
    {"image_shape": [28, 28, 1], "num_layers": 4, "units": 32},
    family="autoregressive",
    paper="van den Oord, Kalchbrenner, Kavukcuoglu (2016). Pixel Recurrent Neural Networks. ICML.",
    dataset="Fashion-MNIST train, binarized (pixel/255 > 0.5)",
    description="PixelRNN, 4 residual Row LSTM layers of 32 units, Bernoulli pixels, "
    "binarized Fashion-MNIST; exact log p(x)",
)
register_model(
    "lstm_austen",
    "zoo.models.autoregressive.recurrent_language_model:RecurrentLanguageModel",
    {
        "vocab_size": 81,
        "cell": "lstm",
        "units": 512,
        "num_layers": 1,
        "embedding_dim": 64,
        "sequence_length": 256,
        "bptt_window": 64,
    },
    family="autoregressive",
    paper="Hochreiter, Schmidhuber (1997). Long Short-Term Memory. Neural Computation; "
    "Graves (2013). Generating Sequences with Recurrent Neural Networks. arXiv:1308.0850.",
    dataset="Jane Austen's six novels (public domain), from Debian's r-cran-janeaustenr "
    "(the R package janeaustenr, MIT licence): the first 90% of the text by position, as "
    "windows of 256 characters",
    description="Character-level LSTM language model (1 x 512 units) of Jane Austen's novels; "
    "ids of zoo.data.text.AUSTEN_SYMBOLS (81 characters), decode samples with "
    "zoo.data.text.CharacterVocabulary(AUSTEN_SYMBOLS).decode",
)
