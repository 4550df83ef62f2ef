#!/usr/bin/python3
"""Shapes and parameter counts of the model zoo's networks, as PyTorch builds them.

    /usr/bin/python3 scripts/torch/zoo.py [OUTPUT.json]     # default test/fixtures/torch/zoo.json

For each network of examples/zoo/ this builds the architecture in PyTorch (torchvision's model where one
exists, with random initialisation: nothing is downloaded), runs one forward pass of a batch of 1 at the
input size the architecture is defined for, and records through forward hooks every module's output
shape. Nothing of CNN Lens is read or reused.

The totals the issue gives (ResNet-50 25,557,032; VGG-16 138,357,544; MobileNetV2 3,504,872; AlexNet
61,100,840; ResNet-18 11,689,512) and torchvision's documented ones (GoogLeNet 6,624,904, MobileNetV3-Small
2,542,856) are asserted here, and the modules this script writes itself (LeNet-5,
SE-ResNet-18, U-Net, the DCGAN generator) are checked against totals worked out by hand from their papers.

Schema of zoo.json
------------------
{ "generator": "scripts/torch/zoo.py", "torch": "<version>", "torchvision": "<version>",
  "networks": [ NETWORK, ... ] }
NETWORK = {
  "name": "resnet18",                    the zoo file is examples/zoo/<name>.cnn
  "source": "torchvision.models.resnet18(weights=None)" | "this script: <class>",
  "input": [C, H, W],                    without the batch
  "params": total parameter count (sum of numel over model.parameters()),
  "modules": [ MODULE, ... ],            every module that ran, in named_modules() order
  "merges": [ MERGE, ... ]               where the graph is not a plain chain of those modules
}
MODULE = {
  "name": "layer2.0.conv1",              as named_modules() gives it
  "kind": "Conv2d",                      the module's class name
  "leaf": true | false,                  false for containers (their output is their last computation's)
  "output": [C, H, W] | [N],             the output of the module's first call, without the batch
  "calls": [[C, H, W], ...],             only where a module runs more than once (torchvision's ResNet
                                         blocks call one `relu` two or three times), every call's output
  "params": parameters owned by the module itself (recurse=False); containers 0,
  "eps": batchnorm's epsilon (only batchnorm), "p": dropout's rate (only dropout)
}
MERGE = { "at": container name pattern, "op": "add" | "concat" | "mul" | "crop", "inputs": [...], "note": "..." }

Running modules in eval mode (batchnorm with running statistics) changes no shape, and lets a 1×1 map go
through batchnorm with a batch of 1. The output is deterministic: no values are recorded, only shapes.
"""
import json
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torchvision
from torchvision.models import resnet
from torchvision.models.resnet import BasicBlock

ROOT = Path(__file__).resolve().parents[2]


# --- Networks that torchvision does not have, written from their papers ---------------------------------

class LeNet5(nn.Module):
    """LeCun et al. 1998, as examples/lenet5.cnn writes it: a dense C3 (not the paper's sparse table), tanh,
    mean subsampling without the paper's trainable coefficients. Names are the paper's layer names."""

    def __init__(self):
        super().__init__()
        self.c1, self.tanh1, self.s2 = nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2)
        self.c3, self.tanh2, self.s4 = nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2)
        self.c5, self.tanh3 = nn.Conv2d(16, 120, 5), nn.Tanh()
        self.f6, self.tanh4 = nn.Linear(120, 84), nn.Tanh()
        self.out = nn.Linear(84, 10)

    def forward(self, x):
        x = self.s2(self.tanh1(self.c1(x)))
        x = self.s4(self.tanh2(self.c3(x)))
        x = self.tanh3(self.c5(x)).flatten(1)
        return self.out(self.tanh4(self.f6(x)))


class Mul(nn.Module):
    """The product of two tensors as a module, so that a hook sees it (torch would broadcast C×1×1 or [N, C])."""

    def forward(self, x, scale):
        return x * scale.reshape(scale.shape[0], -1, 1, 1)


class SqueezeExcite(nn.Module):
    """Hu et al. 2018: global mean, a dense bottleneck of C/r units, ReLU, dense back to C, sigmoid, and the
    input scaled channel by channel. The paper's fully connected layers, so the gate is a vector of C."""

    def __init__(self, c, r=16):
        super().__init__()
        self.squeeze = nn.AdaptiveAvgPool2d(1)
        self.fc1, self.act, self.fc2, self.gate = nn.Linear(c, c // r), nn.ReLU(), nn.Linear(c // r, c), nn.Sigmoid()
        self.scale = Mul()

    def forward(self, x):
        s = self.squeeze(x).flatten(1)
        return self.scale(x, self.gate(self.fc2(self.act(self.fc1(s)))))


class SEBasicBlock(BasicBlock):
    """torchvision's BasicBlock with squeeze-and-excitation after the second batchnorm, before the add
    (the SE-ResNet module of Hu et al., figure 3)."""

    def __init__(self, inplanes, planes, stride=1, downsample=None, *args, **kwargs):
        super().__init__(inplanes, planes, stride, downsample, *args, **kwargs)
        self.se = SqueezeExcite(planes)

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.se(self.bn2(self.conv2(out)))
        return self.relu(out + identity)


class Crop(nn.Module):
    """The centre H×W of a map: the window's top-left at (⌊(Hin−H)/2⌋, ⌊(Win−W)/2⌋)."""

    def __init__(self, h, w):
        super().__init__()
        self.h, self.w = h, w

    def forward(self, x):
        top, left = (x.shape[2] - self.h) // 2, (x.shape[3] - self.w) // 2
        return x[:, :, top:top + self.h, left:left + self.w]


class Concat(nn.Module):
    def forward(self, *xs):
        return torch.cat(xs, dim=1)


class DoubleConv(nn.Sequential):
    """Two valid 3×3 convs with ReLU: one level of the U-Net (no batchnorm in the original)."""

    def __init__(self, cin, c):
        super().__init__()
        self.conv1, self.relu1 = nn.Conv2d(cin, c, 3), nn.ReLU()
        self.conv2, self.relu2 = nn.Conv2d(c, c, 3), nn.ReLU()


class UNet(nn.Module):
    """Ronneberger et al. 2015, figure 1: 572×572×1 in, four levels down (64 to 512 channels) and a 1024
    bottom, 2×2 up-convolutions halving the channels, the encoder's map centre-cropped and concatenated
    before the decoder's convs (skip first, then the upsampled map), a 1×1 conv to 2 classes: 2×388×388."""

    def __init__(self, classes=2):
        super().__init__()
        widths = [64, 128, 256, 512]
        cin = 1
        for i, c in enumerate(widths, 1):
            setattr(self, f'enc{i}', DoubleConv(cin, c))
            setattr(self, f'pool{i}', nn.MaxPool2d(2))
            cin = c
        self.bottom = DoubleConv(512, 1024)
        # The crop sizes are the paper's: 64→56, 136→104, 280→200, 568→392.
        for i, c, crop in [(4, 512, 56), (3, 256, 104), (2, 128, 200), (1, 64, 392)]:
            setattr(self, f'up{i}', nn.ConvTranspose2d(2 * c, c, 2, stride=2))
            setattr(self, f'crop{i}', Crop(crop, crop))
            setattr(self, f'cat{i}', Concat())
            setattr(self, f'dec{i}', DoubleConv(2 * c, c))
        self.out = nn.Conv2d(64, classes, 1)

    def forward(self, x):
        skips = {}
        for i in range(1, 5):
            x = getattr(self, f'enc{i}')(x)
            skips[i] = x
            x = getattr(self, f'pool{i}')(x)
        x = self.bottom(x)
        for i in range(4, 0, -1):
            up = getattr(self, f'up{i}')(x)
            skip = getattr(self, f'crop{i}')(skips[i])
            x = getattr(self, f'dec{i}')(getattr(self, f'cat{i}')(skip, up))
        return self.out(x)


class UpBlock(nn.Sequential):
    def __init__(self, cin, c, stride, pad):
        super().__init__()
        self.convt = nn.ConvTranspose2d(cin, c, 4, stride, pad, bias=False)
        self.bn, self.act = nn.BatchNorm2d(c), nn.ReLU()


class DCGANGenerator(nn.Module):
    """Radford et al. 2016, as PyTorch's examples/dcgan writes it: nz=100 → 4×4×512 → … → 64×64×3, transposed
    4×4 convs without bias, batchnorm and ReLU, tanh at the end."""

    def __init__(self, nz=100, ngf=64):
        super().__init__()
        self.block1 = UpBlock(nz, ngf * 8, 1, 0)
        self.block2 = UpBlock(ngf * 8, ngf * 4, 2, 1)
        self.block3 = UpBlock(ngf * 4, ngf * 2, 2, 1)
        self.block4 = UpBlock(ngf * 2, ngf, 2, 1)
        self.convt5 = nn.ConvTranspose2d(ngf, 3, 4, 2, 1, bias=False)
        self.image = nn.Tanh()

    def forward(self, z):
        return self.image(self.convt5(self.block4(self.block3(self.block2(self.block1(z))))))


def se_resnet18():
    return resnet.ResNet(SEBasicBlock, [2, 2, 2, 2])


# --- Totals worked out by hand, independent of the modules above ---------------------------------------

def conv(cin, c, k, bias=True):
    return cin * c * k * k + (c if bias else 0)


def dense(cin, c):
    return cin * c + c


LENET5 = conv(1, 6, 5) + conv(6, 16, 5) + conv(16, 120, 5) + dense(120, 84) + dense(84, 10)
SE_EXTRA = sum(2 * (dense(c, c // 16) + dense(c // 16, c)) for c in (64, 128, 256, 512))  # two blocks a stage
UNET = sum(conv(a, c, 3) + conv(c, c, 3) for a, c in [(1, 64), (64, 128), (128, 256), (256, 512), (512, 1024)]) \
    + sum(conv(2 * c, c, 2) + conv(2 * c, c, 3) + conv(c, c, 3) for c in (512, 256, 128, 64)) + conv(64, 2, 1)
DCGAN = sum(conv(a, c, 4, bias=False) + 2 * c for a, c in [(100, 512), (512, 256), (256, 128), (128, 64)]) \
    + conv(64, 3, 4, bias=False)

TV = torchvision.models
# (name, source text, builder, input [C, H, W], expected total or None, merges)
RESNET_ADD = {'op': 'add', 'inputs': ['bn2 (bn3 in a bottleneck)', 'downsample.1 where it exists, else the block input'],
              'note': 'out += identity inside BasicBlock/Bottleneck.forward, then the block\'s relu again'}
NETWORKS = [
    ('lenet5', 'this script: LeNet5', LeNet5, [1, 32, 32], LENET5, []),
    ('alexnet', 'torchvision.models.alexnet(weights=None)', lambda: TV.alexnet(), [3, 224, 224], 61_100_840, []),
    ('vgg16', 'torchvision.models.vgg16(weights=None)', lambda: TV.vgg16(), [3, 224, 224], 138_357_544, []),
    ('resnet18', 'torchvision.models.resnet18(weights=None)', lambda: TV.resnet18(), [3, 224, 224], 11_689_512,
     [dict(at='layerN.K', **RESNET_ADD)]),
    ('resnet50', 'torchvision.models.resnet50(weights=None)', lambda: TV.resnet50(), [3, 224, 224], 25_557_032,
     [dict(at='layerN.K', **RESNET_ADD)]),
    ('googlenet', 'torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False)',
     lambda: TV.googlenet(aux_logits=False, init_weights=False), [3, 224, 224], 6_624_904,
     [{'at': 'inceptionNx', 'op': 'concat', 'inputs': ['branch1', 'branch2', 'branch3', 'branch4'],
       'note': 'torch.cat of the four branches\' outputs in Inception.forward; BasicConv2d applies its ReLU as '
               'F.relu, not a module, so no relu appears below'}]),
    ('mobilenet_v2', 'torchvision.models.mobilenet_v2(weights=None)', lambda: TV.mobilenet_v2(), [3, 224, 224],
     3_504_872,
     [{'at': 'features.K (stride 1, same channels in and out)', 'op': 'add', 'inputs': ['the block input', 'conv (its last batchnorm)'],
       'note': 'x + self.conv(x) in InvertedResidual.forward when use_res_connect'}]),
    ('mobilenet_v3_small', 'torchvision.models.mobilenet_v3_small(weights=None)', lambda: TV.mobilenet_v3_small(),
     [3, 224, 224], 2_542_856,
     [{'at': 'features.K.block.J (SqueezeExcitation)', 'op': 'mul', 'inputs': ['scale_activation', 'the SE input'],
       'note': 'scale * input in SqueezeExcitation.forward: a C×1×1 gate broadcast over H×W'},
      {'at': 'features.K (stride 1, same channels in and out)', 'op': 'add', 'inputs': ['the block input', 'block'],
       'note': 'result += input in InvertedResidual.forward when use_res_connect'}]),
    ('se_resnet18', 'this script: ResNet-18 with SEBasicBlock', se_resnet18, [3, 224, 224], 11_689_512 + SE_EXTRA,
     [{'at': 'layerN.K.se', 'op': 'mul', 'inputs': ['the SE input (bn2)', 'gate'],
       'note': 'the Mul module `scale`: a vector of C broadcast over H×W; then the add of ResNet-18'},
      dict(at='layerN.K', **RESNET_ADD)]),
    ('unet', 'this script: UNet', UNet, [1, 572, 572], UNET,
     [{'at': 'cropN', 'op': 'crop', 'inputs': ['encN'], 'note': 'a module of this script, so it is listed below'},
      {'at': 'catN', 'op': 'concat', 'inputs': ['cropN', 'upN'], 'note': 'a module of this script, skip first'}]),
    ('dcgan_generator', 'this script: DCGANGenerator', DCGANGenerator, [100, 1, 1], DCGAN, []),
]


def describe(name, source, build, shape, expected, merges):
    torch.manual_seed(0)
    model = build().eval()
    total = sum(p.numel() for p in model.parameters())
    if expected is not None and total != expected:
        sys.exit(f'{name}: {total} parameters, expected {expected}')
    calls = {}

    def hook(module_name):
        def record(_module, _inputs, output):
            calls.setdefault(module_name, []).append(list(output.shape[1:]))
        return record

    handles = [m.register_forward_hook(hook(n)) for n, m in model.named_modules() if n]
    with torch.no_grad():
        model(torch.zeros(1, *shape))
    for h in handles:
        h.remove()
    modules = []
    for n, m in model.named_modules():
        if n not in calls:
            continue  # never ran (none do in these networks, but a module's presence is no proof)
        entry = {'name': n, 'kind': type(m).__name__, 'leaf': next(m.children(), None) is None,
                 'output': calls[n][0], 'params': sum(p.numel() for p in m.parameters(recurse=False))}
        if len(calls[n]) > 1:
            entry['calls'] = calls[n]
        # The settings a .cnn file must repeat for equal values, though not for equal shapes.
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            entry['eps'] = m.eps
        if isinstance(m, nn.Dropout):
            entry['p'] = m.p
        modules.append(entry)
    return {'name': name, 'source': source, 'input': shape, 'params': total, 'modules': modules, 'merges': merges}


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / 'test/fixtures/torch/zoo.json'
    networks = [describe(*n) for n in NETWORKS]
    doc = {'generator': 'scripts/torch/zoo.py', 'torch': torch.__version__, 'torchvision': torchvision.__version__,
           'networks': networks}
    # One module a line: diffs stay readable and the file small.
    lines = [json.dumps({k: v for k, v in doc.items() if k != 'networks'})[:-1] + ', "networks": [']
    for i, n in enumerate(networks):
        head = json.dumps({k: v for k, v in n.items() if k not in ('modules', 'merges')})[:-1]
        lines.append(f'{head}, "merges": {json.dumps(n["merges"], ensure_ascii=False)}, "modules": [')
        lines += [json.dumps(m) + (',' if j < len(n['modules']) - 1 else '') for j, m in enumerate(n['modules'])]
        lines.append(']}' + (',' if i < len(networks) - 1 else ''))
    lines.append(']}')
    out.write_text('\n'.join(lines) + '\n')
    for n in networks:
        print(f'{n["name"]:20} {n["params"]:>12,} parameters, {sum(m["leaf"] for m in n["modules"]):4} leaf modules')


if __name__ == '__main__':
    main()
