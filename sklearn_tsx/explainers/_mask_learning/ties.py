"""Ordering the entries that a learned mask leaves tied.

The masks of Dynamask, ExtremalMask and ContraLSP end mostly at exactly 0 or 1
(clamped, or pushed there by their regularisers), and the entries the model
treats alike end at values that differ by rounding only: on real series half
or more of the entries are tied, and any ranking of the entries (top-k
faithfulness, AUROC, a plot's colour scale) picks among them at random. Each
method knows more than its final mask says (Dynamask the masks of its other
areas, ExtremalMask and ContraLSP the path of the mask during training), and
:func:`break_ties` folds that in with a weight too small to reorder entries
whose mask values differ by more than it.
"""

#: The most a tie-break moves a mask entry.
TIE_BREAK_WEIGHT = 1e-3


def break_ties(mask, score):
    """``(1 - w) * mask + w * score`` with ``w`` = :data:`TIE_BREAK_WEIGHT`.

    Parameters
    ----------
    mask, score : ndarray or Tensor of the same shape
        The mask and the score that orders its (near-)ties, both in ``[0, 1]``.

    Returns
    -------
    ndarray or Tensor
        In ``[0, 1]``, within ``w`` of ``mask``; entries of equal mask value in
        the order of ``score``, entries whose mask values differ by more than
        ``w`` in their order.
    """
    return mask * (1 - TIE_BREAK_WEIGHT) + score * TIE_BREAK_WEIGHT


def check_break_ties(value):
    """``break_ties`` must be a bool."""
    if not isinstance(value, bool):
        raise ValueError(f"break_ties must be True or False; got {value!r}.")


#: The Notes paragraph that Dynamask, ExtremalMask and ContraLSP share: how their
#: masks fare on real data.
REAL_DATA_NOTES = """\
    On real classification sets (``benchmarks/bench_faithfulness_real.py``, a
    ``TCNClassifier`` at its defaults, seed 0, 20 test series each, 100 on
    ItalyPowerDemand (on 20 its floor was 0.33 ± 0.02, on 100 it is 0.28 ±
    0.02, and FeatureOcclusion 0.61 and 0.47: 20 proved too few), the
    predicted class explained; comprehensiveness AOPC over 10-50 % of the
    entries substituted by the series' channel mean, on OSULeaf by the
    interpolation of the kept entries, ``--baseline interpolate``) Dynamask
    beats FeatureOcclusion on four of the five sets, ExtremalMask and
    ContraLSP on three; all lose to it on ItalyPowerDemand.

    ================  =====  =====  =====  =====  =====
    method            BM     JV     IPD    ACSF1  OSU
    ================  =====  =====  =====  =====  =====
    Dynamask          0.43   0.47   0.40   0.53   0.34
    ExtremalMask      0.51   0.50   0.29   0.52   0.19
    ContraLSP         0.33   0.51   0.37   0.51   0.08
    FeatureOcclusion  0.23   0.27   0.47   0.45   0.27
    IG (signed)       0.54   0.79   0.37   0.52   0.19
    random (5 seeds)  0.04   0.08   0.28   0.45   0.08
    ================  =====  =====  =====  =====  =====

    (BasicMotions, JapaneseVowels, ItalyPowerDemand, ACSF1, OSULeaf.) Where
    the floor is high, so is every score: on ItalyPowerDemand (24 steps, two
    classes) and on ACSF1 (1460 steps) substituting a few entries by the mean
    already moves many predictions: on ItalyPowerDemand Dynamask and
    ContraLSP are 0.12 and 0.09 above the floor and ExtremalMask scores as
    the floor does (0.29); on ACSF1 the masks are 0.05-0.08 above it. Half
    of ItalyPowerDemand's explained series (49 of 100) keep their predicted
    class when every entry is replaced by the mean: there the substitution
    itself argues for the explained class and every map scores near zero
    (random 0.00, FeatureOcclusion 0.18, the masks -0.02 to 0.03); on the
    other 51 the floor is 0.54, Dynamask 0.75, ContraLSP 0.74,
    FeatureOcclusion 0.74, IG 0.76 and ExtremalMask 0.58 (the benchmark
    prints this split for every method). On
    OSULeaf the mean substitution flips every prediction of the TCN whatever
    is substituted (every map, the random one too, scores 0.885), hence the
    interpolation; ContraLSP's mask there
    leaves 90 % of its entries tied and scores as the floor does. The masks
    cost tens to thousands of times DeepLift's CPU time (per ACSF1 series:
    Dynamask 56 s, ContraLSP 7.5, ExtremalMask 5, FeatureOcclusion 2.6,
    DeepLift 0.02). Each keeps what its error asks for; the defaults are the
    errors that measured best here (see above), not always the papers'.
    ``break_ties`` matters on such series: Dynamask and ContraLSP leave
    18-90 % of their entries tied, and a top-k ranking then picks among them
    at random (Dynamask on ItalyPowerDemand with a TCN read out at its last
    step: 0.52 without the tie-break, 0.83 with it, FeatureOcclusion 0.61).

    A preservation mask finds entries that *suffice* for the prediction;
    comprehensiveness asks which the prediction *needs*, and where the
    evidence is redundant the two differ. Sufficiency AOPC (the least salient
    entries substituted; lower is better) scores what the masks optimise,
    same runs:

    ================  =====  =====  =====  =====  =====
    sufficiency       BM     JV     IPD    ACSF1  OSU
    ================  =====  =====  =====  =====  =====
    Dynamask          -0.00  -0.01  0.20   0.35   -0.01
    ExtremalMask      -0.00  -0.00  0.01   0.32   0.09
    ContraLSP         0.00   -0.01  0.12   0.29   0.08
    FeatureOcclusion  0.01   -0.00  0.26   0.46   0.06
    IG (signed)       -0.00  0.06   0.30   0.40   0.09
    random (5 seeds)  0.05   0.06   0.29   0.45   0.08
    ================  =====  =====  =====  =====  =====

    On ItalyPowerDemand ExtremalMask keeps the entries that suffice better
    than any other method (0.01 against the floor's 0.29) and ranks the
    entries the prediction needs no better than chance; on ACSF1 the three
    masks lead on sufficiency. On OSULeaf only Dynamask does.
    ``mode="deletion"`` asks the second question (same runs,
    ``--method-params '{"mode": "deletion"}'``):

    ================  =====  =====  =====  =====  =====
    deletion          BM     JV     IPD    ACSF1  OSU
    ================  =====  =====  =====  =====  =====
    Dynamask          0.45   0.53   0.57   --     0.22
    ExtremalMask      0.42   0.47   0.38   0.44   0.21
    ContraLSP         0.03   0.13   0.34   0.48   0.08
    ================  =====  =====  =====  =====  =====

    Deletion lifts Dynamask above FeatureOcclusion on ItalyPowerDemand and
    ExtremalMask clear of the floor there, but loses on OSULeaf (Dynamask),
    on BasicMotions, JapaneseVowels and ACSF1 (ExtremalMask; below the floor
    on ACSF1), everywhere for ContraLSP (Dynamask on ACSF1, 56 s per series,
    not measured), and on Dynamask's synthetic white
    boxes (AUROC rare-feature 0.72 against 0.85, rare-time 0.81 against 0.88;
    ``benchmarks/bench_explainer_defaults.py --parts dynamask --n-explain 10
    --n-white-box 3 --dynamask-mode deletion``): preservation stays the
    default. On short series whose classes hinge on a few steps, deletion is
    the mode to try.

    ContraLSP on OSULeaf (427 steps) stays at the floor whatever its
    settings: 0.07-0.13 with ``beta=1``, ``use_trend=False``, ``lr=0.01``, the
    State settings (``alpha=2, beta=1, lr=0.01, max_epochs=500``) or
    deletion, against FeatureOcclusion's 0.27 and Dynamask's 0.34. Two
    mechanisms, measured there: its perturbation net learns to copy the
    series (the TCN predicts the same class on ``phi(x)`` alone for 20 of 20
    series), so closing every gate costs the preservation game nothing; and
    its trend net's output grows to hundreds, saturating ``z * sigmoid(z *
    trend)`` at 0, which closes 97 % of the gates for good and leaves them
    tied (trained without the trend net's help the gates stay untied and
    score 0.10). Training the perturbation net on the contrastive terms alone,
    or replacing it by zeros (ad hoc), scores 0.08 too. On long univariate
    series, use Dynamask or FeatureOcclusion.
"""
