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
