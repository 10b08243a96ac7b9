"""Published presets of the adversarial family (declarations only: no TensorFlow import).

How each published preset is trained and how its card's metrics are measured, with their
tolerances, is its recipe (`dcgan_lsun`, unpublished, has none yet): in
`zoo.models.adversarial.recipes`, beside this module (separate because it needs Keras),
which `zoo.recipes.get_recipe` imports on first need.
"""

from zoo.registry import register_model

PAPER = "Radford, Metz, Chintala, 2016. Unsupervised Representation Learning with DCGANs."

register_model(
    "dcgan_fashion_mnist",
    "zoo.models.adversarial.dcgan:DCGAN",
    {"image_shape": [28, 28, 1], "latent_dim": 100, "filters": 64},
    family="adversarial",
    paper=PAPER,
    dataset="Fashion-MNIST train (60,000 images scaled to [-1, 1])",
    description="DCGAN on 28x28 Fashion-MNIST; samples in [-1, 1].",
)
register_model(
    "cdcgan_fashion_mnist",
    "zoo.models.adversarial.dcgan:DCGAN",
    {"image_shape": [28, 28, 1], "latent_dim": 100, "filters": 64, "num_classes": 10},
    family="adversarial",
    paper=PAPER + " Mirza, Osindero, 2014. Conditional Generative Adversarial Nets. "
    "Miyato, Koyama, 2018. cGANs with Projection Discriminator.",
    dataset="Fashion-MNIST train (60,000 images scaled to [-1, 1], with their class labels)",
    description="Class-conditional DCGAN on 28x28 Fashion-MNIST: `sample(n, condition=k)` "
    "draws class k (0 T-shirt/top ... 9 ankle boot); samples in [-1, 1].",
)
register_model(
    "dcgan_lsun",
    "zoo.models.adversarial.dcgan:DCGAN",
    {"image_shape": [64, 64, 3], "latent_dim": 100, "filters": 128},
    family="adversarial",
    paper=PAPER,
    dataset="LSUN bedrooms train, center-cropped and resized to 64x64, scaled to [-1, 1]",
    description="DCGAN on 64x64 LSUN bedrooms (architecture and recipe; weights unpublished).",
    unpublished_reason=(
        "dcgan_lsun weights are not published: LSUN bedrooms cannot be downloaded from the "
        "machines this project is built on, and no model trained on other data is published "
        "under this name. Train it yourself where tensorflow-datasets can reach LSUN: "
        "`images = tfds.load('lsun/bedroom', split='train')`, center-crop and resize to "
        "64x64, scale to [-1, 1]; then `gan = zoo.load('dcgan_lsun', pretrained=False)`, "
        "`gan.compile()` (Adam 2e-4, beta_1 0.5) and `gan.fit(images.batch(128), epochs=1..5)` "
        "(Radford et al. trained 5 epochs at batch size 128)."
    ),
)
