import pytest
import torch

from sklearn_tsx.explainers._contralsp_nets import PerturbationNet
from sklearn_tsx.explainers._gru_scan import GRUScan, bidirectional_gru


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


def test_gru_scan_passes_gradcheck():
    generator = torch.Generator().manual_seed(0)
    T, B, H = 4, 3, 2
    args = [torch.randn(shape, dtype=torch.float64, generator=generator,
                        requires_grad=True)
            for shape in ((T, B, 3 * H), (B, H), (3 * H, H), (3 * H,))]
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
