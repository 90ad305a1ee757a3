"""Writes ../models/models.json: the PyTorch equivalents of ConvKitTrain's models (ModelKind),
with their parameter counts, state-dict names and shapes, and output shapes, read by
Tests/ConvKitTrainTests/ModelFixtureTests.swift.

The ResNet-18/34 are torchvision's own models (the first conv swapped for the input's channel
count); the CIFAR-style ResNets are built from torchvision's BasicBlock as torchvision's
_make_layer builds its stages; LeNet-5, MobileNet and the Fashion-MNIST CNN are written out
here as ConvKitTrain documents them. Run from this folder with torch and torchvision installed:

    python3 make_model_fixtures.py
"""
import json
import os

import torch
import torchvision
from torch import nn
from torchvision.models.resnet import BasicBlock


def stage(inplanes, planes, blocks, stride):
    downsample = None
    if stride != 1 or inplanes != planes:
        downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
    layers = [BasicBlock(inplanes, planes, stride, downsample)]
    layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
    return nn.Sequential(*layers)


class CIFARResNet(nn.Module):
    def __init__(self, depth, channels, classes):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = stage(16, 16, n, 1)
        self.layer2 = stage(16, 32, n, 2)
        self.layer3 = stage(32, 64, n, 2)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(torch.relu(self.bn1(self.conv1(x))))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class LeNet5(nn.Module):
    def __init__(self, channels, height, width, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * ((height // 2 - 4) // 2) * ((width // 2 - 4) // 2), 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(torch.flatten(x, 1))))))


class SeparableBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.depthwise = nn.Conv2d(inplanes, inplanes, 3, stride, 1, groups=inplanes, bias=False)
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.pointwise = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)

    def forward(self, x):
        return torch.relu(self.bn2(self.pointwise(torch.relu(self.bn1(self.depthwise(x))))))


MOBILENET_BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
                    (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]


class MobileNet(nn.Module):
    def __init__(self, channels, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 32, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        blocks, inplanes = [], 32
        for planes, stride in MOBILENET_BLOCKS:
            blocks.append(SeparableBlock(inplanes, planes, stride))
            inplanes = planes
        self.layers = nn.Sequential(*blocks)
        self.fc = nn.Linear(1024, classes)

    def forward(self, x):
        x = self.layers(torch.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class FashionCNN(nn.Module):
    def __init__(self, channels, height, width, classes):
        super().__init__()
        layers, inplanes = [], channels
        for index, planes in enumerate([32, 32, 64, 64]):
            layers += [nn.Conv2d(inplanes, planes, 3, padding=1), nn.BatchNorm2d(planes), nn.LeakyReLU()]
            if index % 2 == 1:
                layers.append(nn.MaxPool2d(2))
            inplanes = planes
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(64 * (height // 4) * (width // 4), 1024), nn.LeakyReLU(), nn.Dropout(0.5),
            nn.Linear(1024, 1024), nn.LeakyReLU(), nn.Dropout(0.5), nn.Linear(1024, classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def imagenet_resnet(factory, channels, classes):
    model = factory(num_classes=classes)
    model.conv1 = nn.Conv2d(channels, 64, 7, 2, 3, bias=False)
    return model


def make(name, channels, height, width, classes):
    if name == "lenet5":
        return LeNet5(channels, height, width, classes)
    if name in ("resnet20", "resnet32", "resnet56"):
        return CIFARResNet(int(name[6:]), channels, classes)
    if name == "resnet18":
        return imagenet_resnet(torchvision.models.resnet18, channels, classes)
    if name == "resnet34":
        return imagenet_resnet(torchvision.models.resnet34, channels, classes)
    if name == "mobilenet":
        return MobileNet(channels, classes)
    return FashionCNN(channels, height, width, classes)


MODELS = ["lenet5", "resnet20", "resnet32", "resnet56", "resnet18", "resnet34", "mobilenet", "fashion-cnn"]
# Every model for Fashion-MNIST (with its state dict); the smaller ones also for CIFAR-10 and a
# 7-class variant (the large ones only swap their first conv and last layer for those, and
# take seconds to build in a debug test run).
INPUTS = [(1, 28, 28, 10), (3, 32, 32, 10), (3, 32, 32, 7)]
LARGE = {"resnet18", "resnet34", "mobilenet"}


def main():
    torch.manual_seed(0)
    cases = []
    for name in MODELS:
        for channels, height, width, classes in INPUTS[:1] if name in LARGE else INPUTS:
            model = make(name, channels, height, width, classes).eval()
            with torch.no_grad():
                output = model(torch.zeros(2, channels, height, width))
            case = {
                "model": name,
                "input": [channels, height, width, classes],
                "parameters": sum(p.numel() for p in model.parameters()),
                "output": list(output.shape),
            }
            if (channels, classes) == (1, 10):
                case["state"] = [[key, list(value.shape)] for key, value in model.state_dict().items()]
            cases.append(case)
    imagenet = make("resnet18", 3, 224, 224, 1000)
    cases.append({"model": "resnet18", "input": [3, 224, 224, 1000],
                  "parameters": sum(p.numel() for p in imagenet.parameters()), "output": [2, 1000]})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "models.json")
    with open(path, "w") as out:
        out.write('{"generator": "make_model_fixtures.py", "torch": "%s", "torchvision": "%s", "cases": [\n'
                  % (torch.__version__, torchvision.__version__))
        out.write(",\n".join(json.dumps(case, separators=(",", ":")) for case in cases))
        out.write("\n]}\n")
    for case in cases:
        print(case["model"], case["input"], case["parameters"], case["output"])


if __name__ == "__main__":
    main()
