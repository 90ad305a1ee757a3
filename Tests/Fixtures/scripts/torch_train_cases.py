"""Batch norm, dense, activation, loss and optimizer cases computed by PyTorch
(float32, CPU). Used by make_torch_fixtures.py."""

import numpy as np
import torch
import torch.nn.functional as F

from torch_common import arr, randn


def add_batchnorm2d_train(ff, name, x, gamma, beta, running_mean, running_var, epsilon, momentum):
    """op batchnorm2d, training: batch statistics; returns the updated running stats."""
    mean_out, var_out = running_mean.clone(), running_var.clone()
    xg, g, b = (t.clone().requires_grad_() for t in (x, gamma, beta))
    y = F.batch_norm(xg, mean_out, var_out, g, b, training=True, momentum=momentum, eps=epsilon)
    dy = randn(*y.shape)
    y.backward(dy)
    _, saved_mean, saved_invstd = torch.native_batch_norm(
        x, gamma, beta, running_mean.clone(), running_var.clone(), True, momentum, epsilon)
    attrs = [("epsilon", epsilon), ("momentum", momentum), ("training", 1),
             ("running_var_biased", 0)]
    tensors = [("x", arr(x), "f32"), ("gamma", arr(gamma), "f32"), ("beta", arr(beta), "f32"),
               ("running_mean", arr(running_mean), "f32"), ("running_var", arr(running_var), "f32"),
               ("dy", arr(dy), "f32"), ("y", arr(y), "f32"),
               ("saved_mean", arr(saved_mean), "f32"), ("saved_invstd", arr(saved_invstd), "f32"),
               ("running_mean_out", arr(mean_out), "f32"), ("running_var_out", arr(var_out), "f32"),
               ("dx", arr(xg.grad), "f32"), ("dgamma", arr(g.grad), "f32"),
               ("dbeta", arr(b.grad), "f32")]
    ff.add_case(name, "batchnorm2d", attrs, tensors)
    return mean_out, var_out


def add_batchnorm2d_eval(ff, name, x, gamma, beta, running_mean, running_var, epsilon):
    """op batchnorm2d, inference: normalizes with the running statistics (constants)."""
    xg, g, b = (t.clone().requires_grad_() for t in (x, gamma, beta))
    y = F.batch_norm(xg, running_mean.clone(), running_var.clone(), g, b, training=False,
                     eps=epsilon)
    dy = randn(*y.shape)
    y.backward(dy)
    attrs = [("epsilon", epsilon), ("momentum", 0.1), ("training", 0), ("running_var_biased", 0)]
    tensors = [("x", arr(x), "f32"), ("gamma", arr(gamma), "f32"), ("beta", arr(beta), "f32"),
               ("running_mean", arr(running_mean), "f32"), ("running_var", arr(running_var), "f32"),
               ("dy", arr(dy), "f32"), ("y", arr(y), "f32"), ("dx", arr(xg.grad), "f32"),
               ("dgamma", arr(g.grad), "f32"), ("dbeta", arr(b.grad), "f32")]
    ff.add_case(name, "batchnorm2d", attrs, tensors)


def add_linear(ff, name, batch, in_features, out_features, bias=True):
    """op linear: y (N,OUT) = x (N,IN) . w (OUT,IN)^T + bias (OUT)."""
    x = randn(batch, in_features).requires_grad_()
    w = randn(out_features, in_features).requires_grad_()
    b = randn(out_features).requires_grad_() if bias else None
    y = F.linear(x, w, b)
    dy = randn(*y.shape)
    y.backward(dy)
    tensors = [("x", arr(x), "f32"), ("w", arr(w), "f32")]
    if bias:
        tensors.append(("bias", arr(b), "f32"))
    tensors += [("dy", arr(dy), "f32"), ("y", arr(y), "f32"), ("dx", arr(x.grad), "f32"),
                ("dw", arr(w.grad), "f32")]
    if bias:
        tensors.append(("dbias", arr(b.grad), "f32"))
    ff.add_case(name, "linear", [], tensors)


ACTIVATIONS = {
    "relu": lambda x, alpha: F.relu(x),
    "leaky_relu": lambda x, alpha: F.leaky_relu(x, alpha),
    "sigmoid": lambda x, alpha: torch.sigmoid(x),
    "tanh": lambda x, alpha: torch.tanh(x),
}


def add_activation(ff, name, op, x, alpha=None):
    """ops relu / leaky_relu (attr alpha) / sigmoid / tanh: y = f(x), dx = f'(x) * dy."""
    xg = x.clone().requires_grad_()
    y = ACTIVATIONS[op](xg, alpha)
    dy = randn(*y.shape)
    y.backward(dy)
    attrs = [("alpha", alpha)] if op == "leaky_relu" else []
    tensors = [("x", arr(x), "f32"), ("dy", arr(dy), "f32"), ("y", arr(y), "f32"),
               ("dx", arr(xg.grad), "f32")]
    ff.add_case(name, op, attrs, tensors)


def add_softmax_cross_entropy(ff, name, logits, labels, label_smoothing, loss_grad):
    """op softmax_cross_entropy: mean over the batch; dlogits = d(loss_grad * loss)/dlogits."""
    lg = logits.clone().requires_grad_()
    loss = F.cross_entropy(lg, labels, reduction="mean", label_smoothing=label_smoothing)
    loss.backward(torch.tensor(loss_grad, dtype=torch.float32))
    probs = torch.softmax(logits, dim=1)
    attrs = [("label_smoothing", label_smoothing), ("loss_grad", loss_grad)]
    tensors = [("logits", arr(logits), "f32"), ("labels", labels.numpy().astype(np.int64), "i32"),
               ("probs", arr(probs), "f32"), ("loss", arr(loss).reshape(1), "f32"),
               ("dlogits", arr(lg.grad), "f32")]
    ff.add_case(name, "softmax_cross_entropy", attrs, tensors)


def _run_optimizer(optimizer_class, options, shape, steps):
    param = torch.nn.Parameter(randn(*shape))
    initial = param.detach().clone()
    grads = randn(steps, *shape)
    optimizer = optimizer_class([param], **options)
    after = []
    for step in range(steps):
        param.grad = grads[step].clone()
        optimizer.step()
        after.append(param.detach().clone())
    return initial, grads, torch.stack(after)


def add_sgd(ff, name, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
            steps=12, shape=(3, 4)):
    """op sgd: torch.optim.SGD on one parameter, one gradient per step."""
    options = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                   nesterov=nesterov)
    initial, grads, after = _run_optimizer(torch.optim.SGD, options, shape, steps)
    attrs = [("lr", lr), ("momentum", momentum), ("dampening", dampening),
             ("weight_decay", weight_decay), ("nesterov", int(nesterov)), ("steps", steps)]
    tensors = [("param", arr(initial), "f32"), ("grads", arr(grads), "f32"),
               ("params_after", arr(after), "f32")]
    ff.add_case(name, "sgd", attrs, tensors)


def add_adam(ff, name, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, decoupled=False,
             amsgrad=False, steps=12, shape=(3, 4)):
    """op adam: torch.optim.Adam (decoupled 0, L2 weight decay) or AdamW (decoupled 1), with
    AMSGrad when amsgrad is 1."""
    optimizer_class = torch.optim.AdamW if decoupled else torch.optim.Adam
    options = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
    initial, grads, after = _run_optimizer(optimizer_class, options, shape, steps)
    attrs = [("lr", lr), ("beta1", beta1), ("beta2", beta2), ("eps", eps),
             ("weight_decay", weight_decay), ("decoupled", int(decoupled)), ("amsgrad", int(amsgrad)),
             ("steps", steps)]
    tensors = [("param", arr(initial), "f32"), ("grads", arr(grads), "f32"),
               ("params_after", arr(after), "f32")]
    ff.add_case(name, "adam", attrs, tensors)


def add_rmsprop(ff, name, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                steps=12, shape=(3, 4), grad_scale=1.0):
    """op rmsprop: torch.optim.RMSprop; grad_scale shrinks the gradients step by step (by
    grad_scale^step), so that the averages fall and a wrong centering or momentum shows."""
    options = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered)
    param = torch.nn.Parameter(randn(*shape))
    initial = param.detach().clone()
    grads = randn(steps, *shape) * grad_scale ** torch.arange(steps, dtype=torch.float32).reshape(-1, *[1] * len(shape))
    optimizer = torch.optim.RMSprop([param], **options)
    after = []
    for step in range(steps):
        param.grad = grads[step].clone()
        optimizer.step()
        after.append(param.detach().clone())
    attrs = [("lr", lr), ("alpha", alpha), ("eps", eps), ("weight_decay", weight_decay), ("momentum", momentum),
             ("centered", int(centered)), ("steps", steps)]
    tensors = [("param", arr(initial), "f32"), ("grads", arr(grads), "f32"),
               ("params_after", arr(torch.stack(after)), "f32")]
    ff.add_case(name, "rmsprop", attrs, tensors)
