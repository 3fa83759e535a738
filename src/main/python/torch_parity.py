#!/usr/bin/env python3
"""The parity run: our recipe trained end to end in plain PyTorch, for `bin/essl bench parity`.

Usage (bin/essl writes the recipe file from the resolved configuration):
    /usr/bin/python3 src/main/python/torch_parity.py --recipe recipe.json --peer ../shared/peer/torch_esimclr.py

The network is the peer's (`ResNet18Small`, `info_nce` and `rotate4` imported from the peer script), initialised
as torchvision initialises its ResNets; the heads are written as the reference writes them (Linear + BatchNorm
projector, Linear + LayerNorm + ReLU rotation head); views come from torchvision's transforms on PIL images;
the optimiser and the per-step warm-up + cosine schedule are the recipe's. After training it writes the frozen
backbone's features (eval mode, whole normalised images) of both splits as raw little-endian arrays with a JSON
index (`features.json`), so that the Java side fits *the same* probe on them. Prints one JSON line last.
"""
import argparse, gzip, importlib.util, json, math, os, random, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_peer(path):
    spec = importlib.util.spec_from_file_location("torch_esimclr", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read_idx(path):
    """IDX (MNIST format), gzip or plain: uint8 images (n, h, w) or labels (n,)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def splits(r):
    d = r["data"]
    x = read_idx(os.path.join(d["dir"], d["train_images"]))
    y = read_idx(os.path.join(d["dir"], d["train_labels"]))
    ids = np.arange(len(y), dtype=np.int64)
    if d["validation"] > 0:  # the first N training images are the split reported, as data.validation
        n = d["validation"]
        test = (x[:n], y[:n], ids[:n])
        train = (x[n:], y[n:], ids[n:])
    else:
        train = (x, y, ids)
        ty = read_idx(os.path.join(d["dir"], d["test_labels"]))
        test = (read_idx(os.path.join(d["dir"], d["test_images"])), ty, np.arange(len(ty), dtype=np.int64))
    return train, test


class Model(nn.Module):
    def __init__(self, peer, r):
        super().__init__()
        m = r["model"]
        self.backbone = peer.ResNet18Small(1, m["width_channels"])
        d, layers = self.backbone.dim, []
        for i, h in enumerate(m["projector"]):  # Linear (no bias) + BN per entry, ReLU between
            last = i == len(m["projector"]) - 1
            layers += [nn.Linear(d, h, bias=False), nn.BatchNorm1d(h, affine=not last or m["projector_last_bn_affine"])]
            if not last:
                layers.append(nn.ReLU())
            d = h
        self.projector = nn.Sequential(*layers)
        d, layers = self.backbone.dim, []
        for h in m["rotation_head"]:
            layers += [nn.Linear(d, h), nn.LayerNorm(h), nn.ReLU()]
            d = h
        self.rot_head = nn.Sequential(*layers, nn.Linear(d, 4))
        for mod in self.backbone.modules():  # torchvision's ResNet initialisation
            if isinstance(mod, nn.Conv2d):
                nn.init.kaiming_normal_(mod.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(mod, nn.BatchNorm2d):
                nn.init.ones_(mod.weight)
                nn.init.zeros_(mod.bias)


def view_transforms(r):
    import torchvision.transforms as T
    a = r["augment"]

    def pipeline(size, scale):
        return T.Compose([
            T.RandomResizedCrop(size, scale=tuple(scale), ratio=tuple(a["crop_ratio"]),
                                interpolation=T.InterpolationMode.BILINEAR),
            T.RandomHorizontalFlip(a["flip_probability"]),
            T.RandomApply([T.ColorJitter(*a["color_jitter"])], p=a["color_jitter_probability"]),
            T.RandomGrayscale(a["grayscale_probability"]),
            T.ToTensor(), T.Normalize(r["data"]["mean"], r["data"]["std"])])

    return pipeline(a["view_size"], a["crop_scale"]), pipeline(a["view3_size"], a["view3_crop_scale"])


def lr_at(t, peak, floor, warmup, total):
    """The recipe's schedule (WarmupCosineSchedule): linear warm-up, then cosine to floor x peak, per step."""
    if t < warmup:
        return peak * (t + 1) / warmup
    u = min(1.0, (t - warmup) / max(1, total - warmup))
    return floor * peak + 0.5 * (peak - floor * peak) * (1 + math.cos(math.pi * u))


def features(model, x, r):
    m, s = r["data"]["mean"][0], r["data"]["std"][0]
    out = []
    model.eval()
    with torch.no_grad():
        for i in range(0, len(x), 256):
            b = (torch.from_numpy(x[i:i + 256].astype(np.float32) / 255.0).unsqueeze(1) - m) / s
            out.append(model.backbone(b))
    return torch.cat(out).numpy().astype("<f4")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--recipe", required=True, help="JSON written by bin/essl bench parity")
    p.add_argument("--peer", required=True, help="the peer script (its network is used)")
    p.add_argument("--out", required=True, help="folder for features.json and the arrays")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    with open(a.recipe) as f:
        r = json.load(f)
    torch.set_num_threads(a.threads)
    seed = r["seed"]
    torch.manual_seed(seed)
    random.seed(seed)
    rng = np.random.default_rng(seed)
    peer = load_peer(a.peer)
    from PIL import Image

    (fx, fy, fids), (tx, ty, tids) = splits(r)
    d = r["data"]
    n = d["pretrain_limit"] or len(fy)  # data.pretrain-limit: pre-train on the first N training images
    x, y = fx[:n], fy[:n]
    pn, tn = d["probe_train_limit"] or len(fy), d["probe_test_limit"] or len(ty)  # probe.train-limit / test-limit
    t = r["train"]
    model = Model(peer, r)
    params = model.parameters()
    if t["optimizer"] == "adam":
        opt = torch.optim.Adam(params, lr=t["lr"], weight_decay=t["weight_decay"])
    elif t["optimizer"] == "sgd":
        opt = torch.optim.SGD(params, lr=t["lr"], momentum=t["momentum"], weight_decay=t["weight_decay"])
    else:
        raise SystemExit("torch_parity: optimizer " + t["optimizer"] + " is not written here (adam, sgd)")
    big, small = view_transforms(r)
    batch, lmbd, temp = t["batch"], r["model"]["lambda"], r["model"]["temperature"]
    per_epoch = len(y) // batch  # the last partial batch is dropped, as ours
    total, warmup = per_epoch * t["epochs"], per_epoch * t["warmup_epochs"]
    stop = min(total, t["max_steps"]) if t["max_steps"] > 0 else total  # train.max-steps: the schedule stays whole
    images = [Image.fromarray(im, "L") for im in x]
    step, start, log = 0, time.time(), []
    model.train()
    for epoch in range(t["epochs"]):
        order = rng.permutation(len(y))
        for b in range(per_epoch):
            if step == stop:
                break
            idx = order[b * batch:(b + 1) * batch]
            v1 = torch.stack([big(images[i]) for i in idx])
            v2 = torch.stack([big(images[i]) for i in idx])
            for g in opt.param_groups:
                g["lr"] = lr_at(step, t["lr"], t["lr_floor"], warmup, total)
            z1 = model.projector(model.backbone(v1))
            z2 = model.projector(model.backbone(v2))
            contrastive = 0.5 * peer.info_nce(z1, z2, temp) + 0.5 * peer.info_nce(z2, z1, temp)
            loss, rot, acc = contrastive, 0.0, 0.0
            if lmbd > 0:
                xr, yr = peer.rotate4(torch.stack([small(images[i]) for i in idx]))
                logits = model.rot_head(model.backbone(xr))
                ce = F.cross_entropy(logits, yr)
                loss = loss + lmbd * ce
                rot, acc = ce.item(), (logits.argmax(1) == yr).float().mean().item()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            log.append([contrastive.item(), rot, acc])
            if step % 50 == 0 or step == stop:
                el = time.time() - start
                print(f"peer step {step}/{stop} contrastive {contrastive.item():.4f} rotation {rot:.4f} "
                      f"acc {acc:.3f} lr {opt.param_groups[0]['lr']:.5f} {step * batch / el:.1f} images/s "
                      f"eta {el / step * (stop - step):.0f} s", flush=True)
    seconds = time.time() - start
    os.makedirs(a.out, exist_ok=True)
    index = {"framework": "pytorch " + torch.__version__, "steps": step, "pretrain_seconds": seconds,
             "first_loss": log[0], "last_loss": log[-1], "splits": {}}
    for name, (sx, sy, sid) in (("train", (fx[:pn], fy[:pn], fids[:pn])), ("test", (tx[:tn], ty[:tn], tids[:tn]))):
        f = features(model, sx, r)
        for suffix, arr in (("f32", f), ("labels.i32", sy.astype("<i4")), ("ids.i64", sid.astype("<i8"))):
            arr.tofile(os.path.join(a.out, f"{name}.{suffix}"))
        index["splits"][name] = {"rows": int(f.shape[0]), "dim": int(f.shape[1]), "features": f"{name}.f32",
                                 "labels": f"{name}.labels.i32", "ids": f"{name}.ids.i64"}
    with open(os.path.join(a.out, "features.json"), "w") as f:
        json.dump(index, f)
    print(json.dumps({"what": "parity-peer", **{k: index[k] for k in ("framework", "steps", "pretrain_seconds")},
                      "last_loss": log[-1]}))


if __name__ == "__main__":
    sys.exit(main())
