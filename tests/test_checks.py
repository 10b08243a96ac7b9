"""Bad data gets the same clear `ValueError` in every family, and nothing is updated.

Non-finite values are reported as such, with the index of the first one, whether the
model meets them eagerly or inside a compiled `fit` step (numpy or `tf.data` input).
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from support.serving_cases import CASES, FAMILY_CASES

# Also run under the other oneDNN setting by .ci/run (CPU kernels differ in numerics).
pytestmark = pytest.mark.numerics


def _with_nan(x, row=5):
    x = np.array(x, dtype=np.float32, copy=True)
    x.reshape(len(x), -1)[row, 1] = np.nan
    return x


def _compiled(case):
    keras.utils.set_random_seed(0)
    model = case.build()
    model.compile(**case.compile_kwargs())
    return model


@pytest.mark.parametrize("name", sorted({*FAMILY_CASES, "BernoulliRBM_PCD", "EnergyBasedModel"}))
@pytest.mark.parametrize("pipeline", ["numpy", "tf.data"])
def test_fit_reports_non_finite_data_and_updates_nothing(name, pipeline):
    case = CASES[name]
    model = _compiled(case)
    before = [w.copy() for w in model.get_weights()]
    x = _with_nan(case.data())
    data = x if pipeline == "numpy" else tf.data.Dataset.from_tensor_slices(x).batch(8)
    with pytest.raises(ValueError, match=r"contains NaN or Inf at index") as error:
        model.fit(data, epochs=1, batch_size=8, verbose=0, shuffle=False)
    assert "Traceback" not in str(error.value) and len(str(error.value)) < 400
    for after, start in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(after, start)


@pytest.mark.parametrize(
    "name", [n for n in sorted(FAMILY_CASES) if hasattr(FAMILY_CASES[n].build(), "log_prob")]
)
def test_eager_log_prob_names_the_index_of_the_first_non_finite_value(name):
    case = FAMILY_CASES[name]
    model = case.build()
    x = _with_nan(case.data()[:8])
    index = ", ".join(["5", *["0"] * (x.ndim - 2), "1"]) if x.ndim > 2 else "5, 1"
    try:
        model.log_prob(x)
    except ValueError as error:
        assert "contains NaN or Inf" in str(error), error
        if x.ndim == 2:
            assert f"at index ({index})" in str(error), error
    except NotImplementedError:
        pytest.skip(f"{name}.log_prob needs an estimator setting")
    else:
        pytest.fail(f"{name}.log_prob accepted NaN")


def test_fit_reports_out_of_range_data_with_the_range():
    model = _compiled(FAMILY_CASES["BernoulliRBM"])
    x = FAMILY_CASES["BernoulliRBM"].data() * 2.0
    with pytest.raises(ValueError, match=r"must lie in \[0.0, 1.0\]"):
        model.fit(x, epochs=1, batch_size=8, verbose=0)


def test_fit_reports_token_ids_outside_the_vocabulary_with_the_range():
    from zoo.models import RecurrentLanguageModel

    model = RecurrentLanguageModel(3, cell="rnn", units=4, sequence_length=5)
    model.compile(optimizer="adam")
    before = [w.copy() for w in model.get_weights()]
    x = np.zeros((8, 5), np.int32)
    x[3, 2] = 7
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        model.fit(x, epochs=1, batch_size=8, verbose=0)
    for after, start in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(after, start)
