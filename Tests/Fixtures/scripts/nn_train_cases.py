"""Optimizer runs and learning-rate schedules for make_nn_fixtures.py.

Each optimizer case trains one small network (conv → batch norm → ReLU → global average pool →
linear, cross-entropy on a fixed batch) for STEPS steps and records, per step, the learning
rate used, the loss, the parameter gradients (before any clipping), the clipped gradient norm
when clipping by norm, and the parameters after the update; at the end the optimizer's state
tensors by PyTorch's keys. Schedule cases record the learning rate after creation and after each
step (float64, exact); several schedules are chained, or run in turn (SequentialLR) when the case
has milestones.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim import lr_scheduler

from nn_fixture_common import grads, int_tensor, randomize_batchnorm, state, tensor

STEPS = 10


def small_network():
    return nn.Sequential(nn.Conv2d(2, 2, 3, padding=1, bias=False), nn.BatchNorm2d(2), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2, 3))


def make_optimizer(params, config):
    kind, lr = config["optimizer"], config["lr"]
    if kind == "sgd":
        return torch.optim.SGD(params, lr, momentum=config["momentum"], dampening=config["dampening"],
                               weight_decay=config["weight_decay"], nesterov=config["nesterov"], foreach=False)
    if kind in ("adam", "adamw"):
        cls = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
        return cls(params, lr, betas=(config["beta1"], config["beta2"]), eps=config["eps"],
                   weight_decay=config["weight_decay"], amsgrad=config.get("amsgrad", False), foreach=False)
    return torch.optim.RMSprop(params, lr, alpha=config["alpha"], eps=config["eps"], weight_decay=config["weight_decay"],
                               momentum=config["momentum"], centered=config.get("centered", False), foreach=False)


def make_scheduler(optimizer, schedulers, milestones=None):
    """schedulers: list of {"kind", ...}; several are chained (ChainedScheduler), or run one after
    another (SequentialLR) when `milestones` is given."""
    made = []
    for s in schedulers:
        if s["kind"] == "step":
            made.append(lr_scheduler.StepLR(optimizer, s["step_size"], s["gamma"]))
        elif s["kind"] == "multistep":
            made.append(lr_scheduler.MultiStepLR(optimizer, s["milestones"], s["gamma"]))
        elif s["kind"] == "cosine":
            made.append(lr_scheduler.CosineAnnealingLR(optimizer, s["t_max"], s["eta_min"]))
        elif s["kind"] == "linear":
            made.append(lr_scheduler.LinearLR(optimizer, s["start_factor"], s["end_factor"], s["total_iters"]))
        elif s["kind"] == "exponential":
            made.append(lr_scheduler.ExponentialLR(optimizer, s["gamma"]))
    if not made:
        return None
    if milestones is not None:
        return lr_scheduler.SequentialLR(optimizer, made, milestones)
    return made[0] if len(made) == 1 else lr_scheduler.ChainedScheduler(made)


def optimizer_case(name, config, x, labels):
    model = small_network()
    randomize_batchnorm(model)
    network = {"in": 2, "channels": 2, "bias": False, "max_pool": False, "dense_in": 2, "classes": 3}
    case = {"name": name, "config": config, "network": network, "state": state(model), "x": tensor(x),
            "labels": int_tensor(labels),
            "steps": []}
    optimizer = make_optimizer(model.parameters(), config)
    scheduler = make_scheduler(optimizer, config.get("schedulers", []), config.get("milestones"))
    for _ in range(STEPS):
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        record = {"lr": optimizer.param_groups[0]["lr"], "loss": tensor(loss), "grads": grads(model)}
        if "clip_norm" in config:
            record["norm"] = torch.nn.utils.clip_grad_norm_(model.parameters(), config["clip_norm"]).item()
        if "clip_value" in config:
            torch.nn.utils.clip_grad_value_(model.parameters(), config["clip_value"])
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        record["params"] = {n: tensor(p) for n, p in model.named_parameters()}
        case["steps"].append(record)
    case["final_buffers"] = {k: v for k, v in state(model).items() if k not in dict(model.named_parameters())}
    case["final_state"] = {n: {k: tensor(v) for k, v in optimizer.state[p].items()
                               if torch.is_tensor(v) and v.shape == p.shape}
                           for n, p in model.named_parameters()}
    return case


def optimizer_cases():
    x, labels = torch.randn(3, 2, 4, 4), torch.tensor([0, 2, 1])
    sgd = dict(optimizer="sgd", momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False)
    adam = dict(optimizer="adam", beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)
    rms = dict(optimizer="rmsprop", alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0)
    configs = [
        ("sgd", dict(sgd, lr=0.1)),
        ("sgd_momentum_dampening_wd_steplr", dict(sgd, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-3,
                                                  schedulers=[dict(kind="step", step_size=3, gamma=0.5)])),
        ("sgd_nesterov_wd_warmup_cosine", dict(sgd, lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4,
                                               schedulers=[dict(kind="linear", start_factor=0.25, end_factor=1.0,
                                                                total_iters=4),
                                                           dict(kind="cosine", t_max=10, eta_min=1e-3)])),
        ("sgd_momentum_clip_norm", dict(sgd, lr=0.1, momentum=0.5, clip_norm=0.3)),
        ("adam_multistep", dict(adam, lr=0.01, schedulers=[dict(kind="multistep", milestones=[3, 6, 6], gamma=0.5)])),
        ("adam_l2_betas", dict(adam, lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=1e-2)),
        ("adam_clip_value", dict(adam, lr=0.01, clip_value=0.05)),
        ("adamw", dict(adam, optimizer="adamw", lr=0.01, weight_decay=0.1)),
        ("rmsprop", dict(rms, lr=0.01, alpha=0.9)),
        ("rmsprop_momentum_wd", dict(rms, lr=0.005, momentum=0.8, weight_decay=1e-3, eps=1e-6)),
        ("adam_amsgrad", dict(adam, lr=0.01, beta2=0.6, amsgrad=True)),
        ("adamw_amsgrad_betas", dict(adam, optimizer="adamw", lr=0.01, beta1=0.8, beta2=0.8, weight_decay=0.05,
                                     amsgrad=True)),
        ("rmsprop_centered", dict(rms, lr=0.005, alpha=0.9, centered=True)),
        ("rmsprop_centered_momentum_wd", dict(rms, lr=0.002, alpha=0.95, momentum=0.7, weight_decay=1e-3, eps=1e-6,
                                              centered=True)),
        ("sgd_momentum_exponential", dict(sgd, lr=0.1, momentum=0.9, schedulers=[dict(kind="exponential", gamma=0.8)])),
        ("sgd_nesterov_sequential_warmup_cosine", dict(sgd, lr=0.05, momentum=0.9, nesterov=True,
                                                       schedulers=[dict(kind="linear", start_factor=0.2, end_factor=1.0,
                                                                        total_iters=3),
                                                                   dict(kind="cosine", t_max=7, eta_min=1e-3)],
                                                       milestones=[3])),
    ]
    return [optimizer_case(name, config, x, labels) for name, config in configs]


def schedule_case(name, base_lr, schedulers, steps=15, milestones=None):
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], base_lr)
    scheduler = make_scheduler(optimizer, schedulers, milestones)
    lrs = [optimizer.param_groups[0]["lr"]]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    case = {"name": name, "base_lr": base_lr, "schedulers": schedulers, "lrs": lrs}
    if milestones is not None:
        case["milestones"] = milestones
    return case


def plateau_case(name, base_lr, config, metrics):
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], base_lr)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, mode=config["mode"], factor=config["factor"],
                                               patience=config["patience"], threshold=config["threshold"],
                                               threshold_mode=config["threshold_mode"], cooldown=config["cooldown"],
                                               min_lr=config["min_lr"], eps=config["eps"])
    lrs = []
    for metric in metrics:
        optimizer.step()
        scheduler.step(metric)
        lrs.append(optimizer.param_groups[0]["lr"])
    return {"name": name, "base_lr": base_lr, "plateau": config, "metrics": metrics, "lrs": lrs}


def schedule_cases():
    return [
        schedule_case("step", 0.1, [dict(kind="step", step_size=3, gamma=0.5)]),
        schedule_case("multistep_repeated_milestone", 0.2, [dict(kind="multistep", milestones=[2, 5, 5, 9], gamma=0.3)]),
        schedule_case("cosine_past_t_max", 0.1, [dict(kind="cosine", t_max=4, eta_min=0.01)]),
        schedule_case("linear", 0.3, [dict(kind="linear", start_factor=0.2, end_factor=0.9, total_iters=5)]),
        schedule_case("warmup_then_cosine", 0.5, [dict(kind="linear", start_factor=0.1, end_factor=1.0, total_iters=3),
                                                  dict(kind="cosine", t_max=8, eta_min=0.001)]),
        schedule_case("warmup_with_step", 0.4, [dict(kind="linear", start_factor=0.5, end_factor=1.0, total_iters=4),
                                                dict(kind="step", step_size=2, gamma=0.7)]),
        schedule_case("exponential", 0.2, [dict(kind="exponential", gamma=0.85)]),
        schedule_case("sequential_warmup_cosine", 0.5, [dict(kind="linear", start_factor=0.1, end_factor=1.0, total_iters=4),
                                                        dict(kind="cosine", t_max=8, eta_min=0.01)], milestones=[4]),
        schedule_case("sequential_warmup_multistep_exponential", 0.3,
                      [dict(kind="linear", start_factor=0.25, end_factor=1.0, total_iters=2),
                       dict(kind="multistep", milestones=[2, 4], gamma=0.5),
                       dict(kind="exponential", gamma=0.9)], milestones=[3, 9]),
        schedule_case("sequential_step_then_linear_decay", 0.1,
                      [dict(kind="step", step_size=2, gamma=0.5),
                       dict(kind="linear", start_factor=1.0, end_factor=0.1, total_iters=6)], milestones=[5]),
        plateau_case("plateau_min_relative_cooldown", 0.1,
                     dict(mode="min", factor=0.5, patience=2, threshold=0.01, threshold_mode="rel", cooldown=1,
                          min_lr=0.0, eps=1e-8),
                     [1.0, 0.9, 0.895, 0.894, 0.9, 0.7, 0.7, 0.7, 0.7, 0.7, 0.69, 0.7, 0.7, 0.7, 0.5]),
        plateau_case("plateau_max_absolute_min_lr", 0.1,
                     dict(mode="max", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs", cooldown=0,
                          min_lr=0.02, eps=1e-8),
                     [0.1, 0.2, 0.22, 0.24, 0.3, 0.31, 0.32, 0.33, 0.5, 0.52, 0.53, 0.54, 0.55]),
    ]
