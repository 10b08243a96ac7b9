"""An interpolated Kneser-Ney n-gram model over integer symbols: the baseline of language models.

    p(w | h) = (max(c(h w) - D, 0) + D N1+(h .) p(w | h')) / c(h)

where h' is h without its first symbol, c are counts for the highest order and continuation
counts N1+(. g) (the number of distinct symbols seen before g) for the lower orders, D is
the discount of that order estimated as n1 / (n1 + 2 n2) from its count-of-counts (0.5
when the order has no count of one, which would leave no mass for unseen symbols), and the
recursion ends in the uniform distribution over the vocabulary. A context never seen in
training passes its whole mass to the shorter context. Every conditional sums to one over
the vocabulary, so `log_prob` is an exact log-likelihood of a proper model.

#### Examples

```python
model = KneserNeyNGram(order=5, vocab_size=vocabulary.size).fit(train_ids)
bits = -model.log_prob(test_ids) / len(test_ids) / np.log(2)   # bits per character
```

#### References
- Kneser, Ney (1995). Improved Backing-off for M-gram Language Modeling. ICASSP.
- Chen, Goodman (1999). An Empirical Study of Smoothing Techniques for Language Modeling.
  Computer Speech and Language.
"""

import collections
import math

import numpy as np


class KneserNeyNGram:
    """Interpolated Kneser-Ney n-gram model with one absolute discount per order.

    Args:
        order: n, the number of symbols of the longest n-gram (context `order - 1`).
        vocab_size: Number of symbols; ids in `[0, vocab_size)`.

    Raises:
        ValueError: for `order < 1` or ids outside the vocabulary.
    """

    def __init__(self, order, vocab_size):
        if order < 1:
            raise ValueError(f"order must be at least 1; got {order}.")
        self.order, self.vocab_size = int(order), int(vocab_size)

    def _as_text(self, ids):
        ids = np.asarray(ids).ravel()
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(f"ids must lie in [0, {self.vocab_size - 1}].")
        return "".join(map(chr, ids.tolist()))  # one character per symbol: fast slicing

    def fit(self, ids):
        """Count the n-grams of a 1-D sequence of ids; returns `self`."""
        text = self._as_text(ids)
        top = collections.Counter(
            text[i : i + self.order] for i in range(len(text) - self.order + 1)
        )
        self.counts = {self.order: top}
        for k in range(self.order - 1, 0, -1):  # continuation counts N1+(. g)
            self.counts[k] = collections.Counter(g[1:] for g in self.counts[k + 1])
        self.context_total, self.context_types, self.discount = {}, {}, {}
        for k, counts in self.counts.items():
            totals, types = collections.Counter(), collections.Counter()
            for gram, count in counts.items():
                totals[gram[:-1]] += count
                types[gram[:-1]] += 1
            self.context_total[k], self.context_types[k] = totals, types
            n1 = sum(1 for c in counts.values() if c == 1)
            n2 = sum(1 for c in counts.values() if c == 2)
            self.discount[k] = n1 / (n1 + 2 * n2) if n1 else 0.5
        return self

    def _prob(self, k, context, symbol):
        if k == 0:
            return 1.0 / self.vocab_size
        lower = self._prob(k - 1, context[1:], symbol)
        total = self.context_total[k].get(context)
        if not total:
            return lower
        d = self.discount[k]
        count = self.counts[k].get(context + symbol, 0)
        return (max(count - d, 0.0) + d * self.context_types[k][context] * lower) / total

    def prob(self, context, symbol):
        """p(symbol | the last `order - 1` ids of `context`)."""
        context = self._as_text(context)[-(self.order - 1) :] if self.order > 1 else ""
        return self._prob(len(context) + 1, context, chr(int(symbol)))

    def log_prob(self, ids, history=()):
        """Sum of log p(x_t | x_<t) in nats over a 1-D sequence.

        Args:
            ids: The sequence to score.
            history: Ids that precede it (the end of the training text, say), used as
                context for its first symbols only.
        """
        text = self._as_text(np.concatenate([np.asarray(history, int), np.asarray(ids, int)]))
        offset, total = len(text) - len(np.asarray(ids).ravel()), 0.0
        for t in range(offset, len(text)):
            context = text[max(0, t - self.order + 1) : t]
            total += math.log(self._prob(len(context) + 1, context, text[t]))
        return total
