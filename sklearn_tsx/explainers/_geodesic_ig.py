"""Geodesic Integrated Gradients: Integrated Gradients along the shortest path
of a k-nearest-neighbours graph of the data, time_interpret's method."""

import numbers

import numpy as np
import torch
from scipy import sparse
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state

from ._captum import CaptumExplainer, fill_common_docs
from ._temporal_ig import QUADRATURES, quadrature
from ._time_forward import select_outputs

__all__ = ["GeodesicIntegratedGradients"]


def _bridges(points, labels):
    """The shortest edge between each pair of components: ``(start, end,
    distance)`` arrays, as time_interpret joins a disconnected graph."""
    start, end, distance = [], [], []
    n_components = labels.max() + 1
    for a in range(n_components):
        for b in range(a + 1, n_components):
            rows, cols = np.flatnonzero(labels == a), np.flatnonzero(labels == b)
            d = pairwise_distances(points[rows], points[cols])
            i, j = np.unravel_index(d.argmin(), d.shape)
            start.append(rows[i])
            end.append(cols[j])
            distance.append(d[i, j])
    return np.array(start, dtype=np.int64), np.array(end, dtype=np.int64), np.array(distance)


def _undirected_min(start, end, weight, n_nodes):
    """A symmetric sparse graph keeping, for each pair of nodes, its lightest edge
    in either direction (zero-weight edges stay edges)."""
    rows, cols = np.concatenate([start, end]), np.concatenate([end, start])
    weight = np.concatenate([weight, weight])
    keys = rows * n_nodes + cols
    order = np.lexsort((weight, keys))
    first = np.r_[True, keys[order][1:] != keys[order][:-1]]
    kept = order[first]
    return sparse.csr_matrix((weight[kept], (rows[kept], cols[kept])),
                             shape=(n_nodes, n_nodes))


class GeodesicIntegratedGradients(CaptumExplainer):
    """Geodesic Integrated Gradients, time_interpret's
    ``GeodesicIntegratedGradients``.

    Integrated Gradients along a path that follows the data instead of the
    straight line from the baseline: the training series, the explained series
    and their baselines are the nodes of a k-nearest-neighbours graph (each
    node joined to its ``n_neighbors`` nearest training series, disconnected
    parts joined by their closest pair); each edge is weighted by the
    integrated norm of the gradient along it, so the shortest path from a
    series to its baseline avoids the regions where the model changes fast.
    The attribution is the sum of the straight-line Integrated Gradients of the
    path's edges, which still add up to ``f(x) - f(baseline)``.

    The edges' Integrated Gradients are computed in passes of ``batch_size``
    edges times ``n_steps`` points, spread over ``n_jobs`` workers; the
    shortest paths are found by :func:`scipy.sparse.csgraph.dijkstra`.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients.
    {baselines}
    n_neighbors : int, default=5
        Training series each node is joined to.
    n_steps : int, default=5
        Points on each edge (time_interpret's default: edges are short).
    method : {"gausslegendre", "riemann_trapezoid", "riemann_left", \
"riemann_right", "riemann_middle"}, default="gausslegendre"
        Quadrature rule (captum's).
    distance : {"geodesic", "euclidean"}, default="geodesic"
        Edge weight: the integrated gradient norm, or the plain distance
        between the series (the shortest path through the data).
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    background_ : ndarray of shape (n_train, n_channels, n_timepoints)
        The training panel, the graph's fixed nodes.
    nearest_neighbors_ : sklearn.neighbors.NearestNeighbors
        Fitted on the flattened training panel.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"``.

    See Also
    --------
    IntegratedGradients : The straight path.

    Notes
    -----
    The graph holds all the series of one ``explain`` call at once (as
    time_interpret's ``attribute`` holds its inputs), so ``batch_size`` and
    ``n_jobs`` cut edges, not series, and do not change the result. Its cost
    is ``(n_train + 2 n_samples) * n_neighbors`` edges of ``n_steps``
    gradient evaluations each, per distinct explained target, plus the
    pairwise distances between disconnected parts of the training graph; it is
    meant for training panels of up to a few thousand series. time_interpret's
    ``n_steiner`` (extra points on long edges) and its graph over the explained
    series alone (no ``data``) are not offered: the graph always holds the
    training panel, time_interpret's ``GeodesicIntegratedGradients(f,
    data=X_train, n_neighbors=n_neighbors)``.

    References
    ----------
    J. Enguehard. Time Interpret: a unified model interpretability library for
    time series. arXiv:2306.02968, 2023.

    Examples
    --------
    On a linear model every path gives ``w * (x - baseline)``:

    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import GeodesicIntegratedGradients
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 1))
    >>> X = np.random.default_rng(0).normal(size=(10, 2, 3)).astype(np.float32)
    >>> gig = GeodesicIntegratedGradients(model, n_neighbors=3).fit(X)
    >>> weights = model[1].weight.detach().numpy().reshape(1, 2, 3)
    >>> bool(np.allclose(gig.explain(X[:2]), X[:2] * weights, atol=1e-5))
    True
    """

    requires_gradients = True

    def __init__(self, estimator, *, baselines="zeros", n_neighbors=5, n_steps=5,
                 method="gausslegendre", distance="geodesic", batch_size=64, n_jobs=None,
                 device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.baselines = baselines
        self.n_neighbors = n_neighbors
        self.n_steps = n_steps
        self.method = method
        self.distance = distance
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _fit(self, X, y):
        super()._fit(X, y)
        for name in ("n_neighbors", "n_steps"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")
        if self.n_neighbors > len(X):
            raise ValueError(
                f"n_neighbors ({self.n_neighbors}) exceeds the {len(X)} training series "
                "the graph is built on."
            )
        if self.method not in QUADRATURES:
            raise ValueError(f"method must be one of {QUADRATURES}; got {self.method!r}.")
        if self.distance not in ("geodesic", "euclidean"):
            raise ValueError(
                f"distance must be 'geodesic' or 'euclidean'; got {self.distance!r}."
            )
        self.background_ = X
        self.nearest_neighbors_ = NearestNeighbors(n_neighbors=self.n_neighbors).fit(
            X.reshape(len(X), -1)
        )

    def _graph_edges(self, nodes):
        """The directed edges (start, end) of the graph over ``nodes`` and their
        lengths: each node to its nearest training series, then the bridges
        between the training graph's components."""
        flat = nodes.reshape(len(nodes), -1)
        graph = self.nearest_neighbors_.kneighbors_graph(flat, mode="distance").tocoo()
        n_train = len(self.background_)
        _, labels = sparse.csgraph.connected_components(graph.tocsr()[:n_train])
        start, end, length = _bridges(flat[:n_train], labels)
        return (np.concatenate([graph.row, start]), np.concatenate([graph.col, end]),
                np.concatenate([graph.data, length]))

    def _edge_batch(self, edges, target, rng):
        """Integrated Gradients of a batch of edges ``(m, 2, C, T)`` from their
        start to their end: the attributions and the integrated gradient norms."""
        weights, alphas = quadrature(self.method, self.n_steps)
        edges = torch.as_tensor(edges, device=self._device)
        start, end = edges[:, 0], edges[:, 1]
        alpha = torch.as_tensor(alphas, dtype=start.dtype, device=start.device)
        paths = (start + alpha.view(-1, 1, 1, 1) * (end - start)).flatten(0, 1)
        paths.requires_grad_()
        target = torch.as_tensor(target, device=start.device)
        out = select_outputs(self.model_.forward(paths),
                             target.repeat(len(alphas), *([1] * (target.ndim - 1))))
        (grads,) = torch.autograd.grad(out.sum(), paths)
        weight = torch.as_tensor(weights, dtype=start.dtype, device=start.device)
        grads = grads.view(len(alphas), *start.shape) * weight.view(-1, 1, 1, 1)
        step = (end - start).flatten(1)
        norms = grads.flatten(2).norm(dim=2).sum(0) * step.norm(dim=1)
        return (grads.sum(0) * (end - start)).detach(), norms.detach()

    def explain(self, X, target=None):
        """Attributions of ``X``, all its series in one graph.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Panel to explain.
        target : label, int, array-like or None, default=None
            As :meth:`BaseExplainer.explain`: class label, output index or
            time step, one for all samples or one per sample; ``None`` explains
            the predicted class, the single output, or the last time step.

        Returns
        -------
        attributions : ndarray of shape (n_samples, n_channels, n_timepoints)
        """
        X = self._check_X(X)
        target = self._resolve_target(X, target)
        rng = np.random.default_rng(
            check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        )
        x = torch.as_tensor(X)
        baseline = self._baselines(x, rng)
        if not isinstance(baseline, torch.Tensor):
            baseline = torch.full_like(x, baseline)
        n, n_train = len(X), len(self.background_)
        nodes = np.concatenate([self.background_, X, baseline.cpu().numpy()])
        start, end, length = self._graph_edges(nodes)
        edges = np.stack([nodes[start], nodes[end]], axis=1)
        sources, sinks = n_train + np.arange(n), n_train + n + np.arange(n)
        attributions = np.empty_like(X)
        for value in np.unique(target, axis=0):
            explained = np.flatnonzero((target == value).reshape(n, -1).all(axis=1))
            edge_target = np.repeat(value[None], len(edges), axis=0)
            batches = self._run_batches(edges, edge_target, batch_method=self._edge_batch)
            edge_attributions = np.concatenate([b[0] for b in batches])
            weight = (np.concatenate([b[1] for b in batches])
                      if self.distance == "geodesic" else length)
            graph = _undirected_min(start, end, weight, len(nodes))
            _, predecessors = sparse.csgraph.dijkstra(graph, indices=sources[explained],
                                                      return_predecessors=True)
            for row, i in enumerate(explained):
                attributions[i] = self._path_sum(predecessors[row], sources[i], sinks[i],
                                                 start, end, edge_attributions)
        return attributions.astype(np.float32, copy=False)

    @staticmethod
    def _path_sum(predecessors, source, sink, start, end, edge_attributions):
        """Sum of the edges' attributions along the path from ``source`` to
        ``sink``, each edge oriented from the sink's side to the source's (the
        first listed edge between two nodes, as time_interpret takes it)."""
        total = np.zeros(edge_attributions.shape[1:], dtype=np.float64)
        node = sink
        while node != source:
            previous = predecessors[node]
            if previous < 0:
                raise RuntimeError(f"The graph has no path from node {source} to {sink}.")
            forward = np.flatnonzero((start == node) & (end == previous))
            backward = np.flatnonzero((start == previous) & (end == node))
            first = min(np.r_[forward, backward])
            sign = 1.0 if first in forward else -1.0
            total += sign * edge_attributions[first]
            node = previous
        return total


fill_common_docs(GeodesicIntegratedGradients)
