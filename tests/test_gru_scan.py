import pytest
import torch

from sklearn_tsx.explainers._mask_learning.batched_gru import bigru_forward, init_bigru
from sklearn_tsx.explainers._mask_learning.contralsp_nets import PerturbationNet
from sklearn_tsx.explainers._mask_learning.gru_scan import GRUScan, bidirectional_gru


@pytest.mark.parametrize("hidden", [1, 3, 8])
def test_bidirectional_gru_matches_torch_gru_and_its_gradients(hidden):
    torch.manual_seed(hidden)
    rnn = torch.nn.GRU(3, hidden, batch_first=True, bidirectional=True).double()
    x = torch.randn(5, 9, 3, dtype=torch.float64, requires_grad=True)
    weights = torch.randn(5, 9, 2 * hidden, dtype=torch.float64)
    inputs = [x, *rnn.parameters()]

    expected = rnn(x)[0]
    expected_grads = torch.autograd.grad((expected * weights).sum(), inputs)
    got = bidirectional_gru(x, rnn)
    got_grads = torch.autograd.grad((got * weights).sum(), inputs)

    torch.testing.assert_close(got, expected)
    for name, g, e in zip(["x"] + [n for n, _ in rnn.named_parameters()],
                          got_grads, expected_grads):
        torch.testing.assert_close(g, e, msg=name)


@pytest.mark.parametrize("per_series", [False, True])
def test_gru_scan_passes_gradcheck(per_series):
    generator = torch.Generator().manual_seed(0)
    T, B, H = 4, 3, 2
    lead = (B,) if per_series else ()
    args = [torch.randn(shape, dtype=torch.float64, generator=generator,
                        requires_grad=True)
            for shape in ((T, B, 3 * H), (B, H), (*lead, 3 * H, H), (*lead, 3 * H))]
    assert torch.autograd.gradcheck(GRUScan.apply, args)


def test_gru_scan_skips_frozen_weights():
    T, B, H = 5, 2, 3
    gi = torch.randn(T, B, 3 * H, requires_grad=True)
    w_hh, b_hh = torch.randn(3 * H, H), torch.randn(3 * H)
    GRUScan.apply(gi, torch.zeros(B, H), w_hh, b_hh).sum().backward()
    assert gi.grad is not None and w_hh.grad is None and b_hh.grad is None


def test_gru_scan_refuses_double_backward():
    gi = torch.randn(3, 2, 6, dtype=torch.float64, requires_grad=True)
    out = GRUScan.apply(gi, torch.zeros(2, 2, dtype=torch.float64),
                        torch.randn(6, 2, dtype=torch.float64),
                        torch.randn(6, dtype=torch.float64))
    (grad,) = torch.autograd.grad(out.square().sum(), gi, create_graph=True)
    with pytest.raises(RuntimeError, match="twice|double"):
        grad.sum().backward()


def test_perturbation_net_equals_its_torch_gru():
    torch.manual_seed(0)
    net = PerturbationNet(4)
    x = torch.randn(6, 4, 12)
    expected = net.linear(net.rnn(x.transpose(1, 2))[0]).transpose(1, 2)
    torch.testing.assert_close(net(x), expected)


def _torch_bigru(params, i):
    """Series ``i``'s network of :func:`init_bigru`'s batched weights, as modules."""
    C, H = params["w_ih"].shape[-1], params["w_hh"].shape[-1]
    gru = torch.nn.GRU(C, H, batch_first=True, bidirectional=True).double()
    linear = torch.nn.Linear(2 * H, C).double()
    with torch.no_grad():
        for suffix, d in (("", 0), ("_reverse", 1)):
            for name, key in (("weight_ih", "w_ih"), ("weight_hh", "w_hh"),
                              ("bias_ih", "b_ih"), ("bias_hh", "b_hh")):
                getattr(gru, f"{name}_l0{suffix}").copy_(params[key][i, d])
        linear.weight.copy_(params["w_out"][i])
        linear.bias.copy_(params["b_out"][i])
    return gru, linear


def test_per_series_networks_match_torch_gru_and_gradients():
    generator = torch.Generator().manual_seed(0)
    n, C, T, H = 3, 2, 6, 4
    params = [init_bigru(C, H, generator) for _ in range(n)]
    params = {k: torch.stack([p[k] for p in params]).double().requires_grad_()
              for k in params[0]}
    x = torch.randn(n, C, T, dtype=torch.float64, generator=generator)
    weights = torch.randn(n, C, T, dtype=torch.float64, generator=generator)
    out = bigru_forward(params, x)
    grads = torch.autograd.grad((out * weights).sum(), list(params.values()))
    for i in range(n):
        gru, linear = _torch_bigru({k: v.detach() for k, v in params.items()}, i)
        expected = linear(gru(x[i : i + 1].transpose(1, 2))[0]).transpose(1, 2)
        torch.testing.assert_close(out[i : i + 1], expected)
        (expected * weights[i : i + 1]).sum().backward()
        by_name = dict(gru.named_parameters())
        for key, name in (("w_ih", "weight_ih_l0"), ("w_hh", "weight_hh_l0"),
                          ("b_ih", "bias_ih_l0"), ("b_hh", "bias_hh_l0")):
            grad = grads[list(params).index(key)][i]
            torch.testing.assert_close(grad[0], by_name[name].grad, msg=key)
            torch.testing.assert_close(grad[1], by_name[name + "_reverse"].grad,
                                       msg=key + " reverse")
        torch.testing.assert_close(grads[list(params).index("w_out")][i], linear.weight.grad)
