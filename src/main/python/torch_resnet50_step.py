"""The ImageNet recipe's E-SimCLR step in PyTorch, for `bin/essl bench step --backbone resnet50`.

The shared peer (../shared/peer/torch_esimclr.py) has only the CIFAR ResNet-18; this builds the ImageNet recipe's
network from torchvision's ResNet-50 (zero-initialised residual ends, as model.zero-init-residual) with the
recipe's heads (conf/imagenet-esimclr.conf): projector 2048-2048-128 with BatchNorm, rotation head 2048-2048 with
LayerNorm, a 128 bottleneck (Linear + LayerNorm), then 4 classes; InfoNCE at T = 0.2, lambda 0.4, and it reuses
the peer's own loss and rotation code. Random batches shaped as ours: two views at --size, four rotations of a
third view at --size / 2. SGD with momentum (the updater is not what is compared). Prints one JSON line.
"""
import argparse
import importlib.util
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


def load_peer(path):
    spec = importlib.util.spec_from_file_location("peer", path)
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    return peer


class ESimCLR50(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = torchvision.models.resnet50(weights=None, zero_init_residual=True)
        self.backbone.fc = nn.Identity()
        self.projector = nn.Sequential(nn.Linear(2048, 2048, bias=False), nn.BatchNorm1d(2048), nn.ReLU(),
                                       nn.Linear(2048, 128, bias=False), nn.BatchNorm1d(128))
        self.rot_head = nn.Sequential(nn.Linear(2048, 2048), nn.LayerNorm(2048), nn.ReLU(),
                                      nn.Linear(2048, 2048), nn.LayerNorm(2048), nn.ReLU(),
                                      nn.Linear(2048, 128), nn.LayerNorm(128), nn.Linear(128, 4))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--peer", required=True)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--steps", type=int, default=2)
    a = p.parse_args()
    peer = load_peer(a.peer)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = ESimCLR50()
    opt = torch.optim.SGD(model.parameters(), lr=0.3, momentum=0.9, weight_decay=1e-6)
    b, s = a.batch, a.size
    batches = [(torch.randn(b, 3, s, s), torch.randn(b, 3, s, s), torch.randn(b, 3, s // 2, s // 2)) for _ in range(2)]

    def one(i):
        y1, y2, y3 = batches[i % len(batches)]
        z1, z2 = model.projector(model.backbone(y1)), model.projector(model.backbone(y2))
        loss = 0.5 * peer.info_nce(z1, z2, 0.2) + 0.5 * peer.info_nce(z2, z1, 0.2)
        xr, yr = peer.rotate4(y3)
        loss = loss + 0.4 * F.cross_entropy(model.rot_head(model.backbone(xr)), yr)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for i in range(a.warmup):
        one(i)
    times = []
    for i in range(a.steps):
        t0 = time.perf_counter()
        one(i)
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2] if len(times) % 2 else sum(times[len(times) // 2 - 1:len(times) // 2 + 1]) / 2
    print(json.dumps({"framework": "PyTorch " + torch.__version__, "backbone": "resnet50", "batch": b, "size": s,
                      "threads": a.threads, "median_step_s": median, "images_per_s": b / median}))


if __name__ == "__main__":
    main()
