#!/usr/bin/python3
"""Train capgen's toy vision-LLM on the data cmd/toydata wrote.

    /usr/bin/python3 toy/train/train.py --data build/toy/data --out build/toy/weights

The network mirrors what llama.cpp runs for the files cmd/toyexport writes,
so the trained weights need no conversion beyond their layout:

vision (tools/mtmd/clip.cpp, models/llava.cpp, projector type "mlp"):
  patch conv without bias; the class token appended AFTER the patches
  (ggml_concat on dim 1); learned positions 0..n; pre-LayerNorm; of the
  v_layers blocks only the first v_layers-1 run (the LLaVA feature layer is
  the second-to-last; clip.cpp stops there and has no post-norm); pre-norm
  blocks with biased q/k/v/out, softmax(qk/sqrt(d)), quick-GELU MLP
  (clip.use_gelu false); then rows 1..n of the n+1 outputs (clip.cpp skips
  row 0 because of the class token, which with the class token last drops
  patch 0 and keeps the class token); projector mm.0 -> GELU (tanh) -> mm.2.
text (src/models/llama.cpp): RMSNorm, RoPE in llama.cpp's NORM mode
  (adjacent pairs rotated, so no q/k permutation as convert_hf_to_gguf does
  for Hugging Face weights), causal attention over the whole sequence with
  the image embeddings at consecutive positions, SwiGLU, untied output.

Images arrive preprocessed as clip.cpp does it (toy.Preprocess); this script
only normalises them with the model's mean and std. The loss is on the
answer tokens only. Everything is seeded; with the same data, seed and step
count the result is the same on the same machine.

Outputs in --out: weights.bin (float32, little-endian) and weights.json
(tensor name -> offset and ggml shape, GGUF names), check.json (the fixed
input of the logits check and the outputs of this network on it), train.json
(the run's settings and loss curve).
"""

import argparse
import json
import math
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads OpenBLAS: much faster here

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="build/toy/data")
    p.add_argument("--out", default="build/toy/weights")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--steps", type=int, default=1600)
    p.add_argument("--batch", type=int, default=48)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads; 1 is several times faster than 2 on a busy 2-core machine")
    p.add_argument("--minutes", type=float, default=50.0,
                   help="stop early (cosine schedule cut) after this much training time")
    p.add_argument("--heldout", type=int, default=30, help="held-out samples for the PyTorch greedy check")
    p.add_argument("--bench", type=int, default=0, help="time this many steps and exit")
    p.add_argument("--aux", type=float, default=0.5,
                   help="weight of the auxiliary shape/colour losses on the projector outputs (0: off)")
    p.add_argument("--norm-penalty", type=float, default=0.1,
                   help="weight of the penalty on image embeddings whose RMS exceeds --norm-target")
    p.add_argument("--norm-target", type=float, default=1.0)
    p.add_argument("--object-first", type=int, default=0,
                   help="curriculum: draw only single-object and cell-crop samples for this many steps")
    p.add_argument("--vision-steps", type=int, default=0,
                   help="stage 1: train the vision tower alone for this many steps on slot labels "
                        "(then stage 2 trains the language model on the frozen tower's embeddings)")
    p.add_argument("--vision-batch", type=int, default=128)
    p.add_argument("--vision-from", default="", help="vision.pt of an earlier run: skip stage 1")
    p.add_argument("--vision-f16", type=int, default=1,
                   help="round the frozen tower's matrices to F16 (the projector file stores them so)")
    p.add_argument("--vision-lr", type=float, default=3e-3)
    p.add_argument("--vision-minutes", type=float, default=25.0)
    p.add_argument("--patch-size", type=int, default=0,
                   help="override the data's patch size (experiments; the images do not depend on it)")
    p.add_argument("--max-aspect", type=float, default=1.5,
                   help="the widest aspect ratio in the data (toy.MaxAspect): slots lie inside cells at every ratio up to it")
    return p.parse_args()


class VisionBlock(nn.Module):
    def __init__(self, w, ff, heads, eps):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(w, eps=eps)
        self.q = nn.Linear(w, w)
        self.k = nn.Linear(w, w)
        self.v = nn.Linear(w, w)
        self.o = nn.Linear(w, w)
        self.ln2 = nn.LayerNorm(w, eps=eps)
        self.up = nn.Linear(w, ff)
        self.down = nn.Linear(ff, w)

    def forward(self, x):
        b, t, w = x.shape
        h = self.ln1(x)
        d = w // self.heads
        q = self.q(h).view(b, t, self.heads, d).transpose(1, 2).contiguous()
        k = self.k(h).view(b, t, self.heads, d).transpose(1, 2).contiguous()
        v = self.v(h).view(b, t, self.heads, d).transpose(1, 2).contiguous()
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, t, w))
        h = self.up(self.ln2(x))
        h = h * torch.sigmoid(1.702 * h)  # quick GELU
        return x + self.down(h)


class Vision(nn.Module):
    def __init__(self, c):
        super().__init__()
        w = c["v_width"]
        self.side = c["image_size"] // c["patch_size"]
        n = self.side * self.side
        self.patch = nn.Conv2d(3, w, c["patch_size"], stride=c["patch_size"], bias=False)
        self.cls = nn.Parameter(torch.randn(w) * 0.02)
        self.pos = nn.Parameter(torch.randn(n + 1, w) * 0.02)
        self.pre_ln = nn.LayerNorm(w, eps=c["v_eps"])
        # The last block exists in the file but clip.cpp never runs it.
        self.blocks = nn.ModuleList(VisionBlock(w, c["v_ff"], c["v_heads"], c["v_eps"]) for _ in range(c["v_layers"]))
        self.mm0 = nn.Linear(w, c["mlp_hidden"])
        self.mm2 = nn.Linear(c["mlp_hidden"], c["width"])
        self.register_buffer("mean", torch.tensor(c["mean"]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(c["std"]).view(1, 3, 1, 1))

    def forward(self, img_u8):
        # img_u8: (B, S, S, 3) uint8, already preprocessed as clip.cpp does.
        x = (img_u8.permute(0, 3, 1, 2).float() / 255.0 - self.mean) / self.std
        x = self.patch(x).flatten(2).transpose(1, 2)  # (B, n, w), row-major patches
        x = torch.cat([x, self.cls.view(1, 1, -1).expand(x.shape[0], 1, -1)], dim=1)
        x = self.pre_ln(x + self.pos)
        for blk in self.blocks[:-1]:
            x = blk(x)
        x = x[:, 1:, :]
        return self.mm2(F.gelu(self.mm0(x), approximate="tanh"))


def rope(x, pos, base):
    # x: (B, H, T, d); llama.cpp NORM mode: pairs (2i, 2i+1).
    d = x.shape[-1]
    inv = base ** (-torch.arange(0, d, 2, dtype=torch.float32) / d)
    ang = pos.float()[:, None] * inv[None, :]  # (T, d/2)
    cos, sin = ang.cos(), ang.sin()
    x0, x1 = x[..., 0::2], x[..., 1::2]
    return torch.stack([x0 * cos - x1 * sin, x0 * sin + x1 * cos], dim=-1).flatten(-2)


class RMSNorm(nn.Module):
    def __init__(self, w, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(w))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        w, self.heads, self.kv = c["width"], c["heads"], c["kv_heads"]
        self.d = w // self.heads
        self.base = c["rope_base"]
        self.attn_norm = RMSNorm(w, c["eps"])
        self.q = nn.Linear(w, w, bias=False)
        self.k = nn.Linear(w, self.kv * self.d, bias=False)
        self.v = nn.Linear(w, self.kv * self.d, bias=False)
        self.o = nn.Linear(w, w, bias=False)
        self.ffn_norm = RMSNorm(w, c["eps"])
        self.gate = nn.Linear(w, c["ff"], bias=False)
        self.up = nn.Linear(w, c["ff"], bias=False)
        self.down = nn.Linear(c["ff"], w, bias=False)

    def forward(self, x, pos, mask):
        b, t, w = x.shape
        h = self.attn_norm(x)
        q = self.q(h).view(b, t, self.heads, self.d).transpose(1, 2)
        k = self.k(h).view(b, t, self.kv, self.d).transpose(1, 2)
        v = self.v(h).view(b, t, self.kv, self.d).transpose(1, 2).contiguous()
        q, k = rope(q, pos, self.base).contiguous(), rope(k, pos, self.base).contiguous()
        if self.kv != self.heads:
            k = k.repeat_interleave(self.heads // self.kv, dim=1)
            v = v.repeat_interleave(self.heads // self.kv, dim=1)
        s = q @ k.transpose(-1, -2) / math.sqrt(self.d) + mask
        a = torch.softmax(s, dim=-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, t, w))
        h = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class ToyVLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.vision = Vision(c)
        self.embed = nn.Embedding(c["vocab_size"], c["width"])
        self.blocks = nn.ModuleList(Block(c) for _ in range(c["layers"]))
        self.norm = RMSNorm(c["width"], c["eps"])
        self.output = nn.Linear(c["width"], c["vocab_size"], bias=False)
        for name, p in self.named_parameters():
            if p.dim() == 2 and "pos" not in name:
                nn.init.normal_(p, std=0.02)
            elif name.endswith(".bias"):
                nn.init.zeros_(p)
        for blk in self.blocks:
            nn.init.normal_(blk.o.weight, std=0.02 / math.sqrt(2 * c["layers"]))
            nn.init.normal_(blk.down.weight, std=0.02 / math.sqrt(2 * c["layers"]))

    def hidden(self, ids, img_u8, img_at, with_image=False, emb=None):
        """ids: (B, T) token ids (image slots hold any id); the image's
        embeddings (emb, or the vision tower's on img_u8) replace positions
        img_at .. img_at+n-1."""
        x = self.embed(ids)
        e = emb if emb is not None else self.vision(img_u8)
        e_out = e
        n = e.shape[1]
        x = torch.cat([x[:, :img_at], e, x[:, img_at + n:]], dim=1)
        t = x.shape[1]
        pos = torch.arange(t)
        mask = torch.full((t, t), float("-inf")).triu(1)
        for blk in self.blocks:
            x = blk(x, pos, mask)
        if with_image:
            return self.norm(x), e_out
        return self.norm(x)


class AuxHeads(nn.Module):
    """Training-only heads on the projector outputs (never exported).

    Objects and cell crops: max-pooled linear readout of shape and colour.
    Scenes: for each of the 9 caption places, an attention pool over the
    image tokens (learned per-place positional logits plus a content query)
    and a readout of shape and colour, each with an extra "empty" class
    (2x2 scenes use the corner places only, so the other five are empty)."""

    def __init__(self, width, n_tok, n_shapes, n_colours, n_places):
        super().__init__()
        self.n_places = n_places
        self.obj_shape = nn.Linear(width, n_shapes)
        self.obj_colour = nn.Linear(width, n_colours)
        self.place_pos = nn.Parameter(torch.zeros(n_places, n_tok))
        self.place_q = nn.Parameter(torch.randn(n_places, width) * 0.02)
        self.cell_shape = nn.Linear(width, n_shapes + 1)
        self.cell_colour = nn.Linear(width, n_colours + 1)

    def forward(self, e, kinds, shape, colour, cell_shape, cell_colour):
        # e: (B, n, w); kinds (B,); shape/colour (B,) for objects;
        # cell_shape/cell_colour (B, P) for scenes.
        loss, stats = e.new_zeros(()), {}
        obj = kinds != 0
        if obj.any():
            m = e[obj].amax(dim=1)
            ls, lc = self.obj_shape(m), self.obj_colour(m)
            loss = loss + F.cross_entropy(ls, shape[obj]) + F.cross_entropy(lc, colour[obj])
            stats["obj_acc"] = float(((ls.argmax(-1) == shape[obj]) & (lc.argmax(-1) == colour[obj])).float().mean())
        sc = kinds == 0
        if sc.any():
            es = e[sc]  # (S, n, w)
            es_n = es / (es.pow(2).mean(-1, keepdim=True).sqrt() + 1e-6)
            att = self.place_pos[None] + torch.einsum("snw,pw->spn", es_n, self.place_q)
            pooled = torch.softmax(att, dim=-1) @ es  # (S, P, w)
            ls, lc = self.cell_shape(pooled), self.cell_colour(pooled)
            loss = loss + F.cross_entropy(ls.flatten(0, 1), cell_shape[sc].flatten()) \
                + F.cross_entropy(lc.flatten(0, 1), cell_colour[sc].flatten())
            stats["cell_acc"] = float(((ls.argmax(-1) == cell_shape[sc]) & (lc.argmax(-1) == cell_colour[sc])).float().mean())
        return loss, stats


class SlotHeads(nn.Module):
    """Training-only heads of stage 1 (never exported): one shape and one
    colour classifier, each with an extra "empty" class, shared by every
    slot. A slot is an output row of the projector: for a scene, the rows
    of the patches that lie inside a cell whatever the image's aspect ratio
    (clip.cpp letterboxes to a square) answer for that cell; for an object
    or cell crop, the four central rows answer for the object. Sharing the
    classifiers makes every slot speak one code that the language model
    then only has to read, at fixed places in the image's embeddings."""

    def __init__(self, width, n_shapes, n_colours, place_rows, object_rows, n_tok):
        super().__init__()
        self.shape = nn.Linear(width, n_shapes + 1)
        self.colour = nn.Linear(width, n_colours + 1)
        self.place_rows = place_rows   # place index -> output rows
        self.object_rows = object_rows
        self.n_tok = n_tok

    def targets(self, labels, idx, kinds):
        ti = torch.from_numpy(np.asarray(idx, dtype=np.int64))
        k = torch.from_numpy(np.asarray(kinds, dtype=np.int64))
        ts = torch.full((len(idx), self.n_tok), -100, dtype=torch.long)
        tc = ts.clone()
        sc, ob = k == 0, k != 0
        for p, rows in enumerate(self.place_rows):
            for r in rows:
                ts[sc, r] = labels["cell_shape"][ti][sc][:, p]
                tc[sc, r] = labels["cell_colour"][ti][sc][:, p]
        for r in self.object_rows:
            ts[ob, r] = labels["shape"][ti][ob]
            tc[ob, r] = labels["colour"][ti][ob]
        return ts, tc

    def forward(self, e, ts, tc):
        ls, lc = self.shape(e), self.colour(e)
        loss = F.cross_entropy(ls.flatten(0, 1), ts.flatten()) + F.cross_entropy(lc.flatten(0, 1), tc.flatten())
        m = ts != -100
        ok = (ls.argmax(-1) == ts) & (lc.argmax(-1) == tc)
        return loss, ok, m


def slot_rows(meta, labels, c, max_aspect):
    """Output rows per caption place and for single objects. Patch (pr, pc)
    of the side x side grid is output row pr*side+pc-1 (clip.cpp drops row 0
    and keeps the class token last)."""
    S, ps = c["image_size"], c["patch_size"]
    side = S // ps

    def inside(lo, hi, cell, n):
        # Patch span [lo, hi) inside cell `cell` of n along an axis, for a
        # square image and for the narrowest letterbox.
        for extent in (S, S / max_aspect):
            a = (S - extent) / 2 + cell * extent / n
            b = a + extent / n
            if lo < a or hi > b:
                return False
        return True

    by_tokens = {}
    for pl in meta["places"]:
        ans = pl["answer"]
        by_tokens[tuple(ans[3:-2])] = pl  # "A red circle <place> . <end>"
    place_rows = []
    for tup in labels["places"]:
        pl = by_tokens.get(tup)
        if pl is None:
            raise SystemExit("train.py: place words %s not in meta.json places" % (tup,))
        n = pl["rows"]
        if n == side:
            # One patch per cell: the cell lies inside its patch at every
            # aspect ratio (the letterbox only shrinks it towards the
            # middle). Patch 0's row is dropped by clip.cpp, so the top left
            # cell speaks through the class token's row, the last.
            idx = pl["row"] * side + pl["col"]
            place_rows.append([idx - 1 if idx > 0 else side * side - 1])
            continue
        prs = [pr for pr in range(side) if inside(pr * ps, (pr + 1) * ps, pl["row"], n)]
        pcs = [pc for pc in range(side) if inside(pc * ps, (pc + 1) * ps, pl["col"], n)]
        rows = [pr * side + pc - 1 for pr in prs for pc in pcs]
        if not rows or min(rows) < 0:
            raise SystemExit("train.py: no patch lies inside cell %d,%d at every aspect ratio" % (pl["row"], pl["col"]))
        place_rows.append(rows)
    if side <= 3:
        object_rows = list(range(side * side))  # every row answers for the object
    else:
        mid = side // 2
        object_rows = [pr * side + pc - 1 for pr in (mid - 1, mid) for pc in (mid - 1, mid)]
    return place_rows, object_rows


# Vision tensors the GGUF stores in F16 (toy.WriteOptions: VisionType F16;
# internal/synth keeps norms, biases, positions and the class token in F32).
def f16_tensor(name):
    return name == "v.patch_embd.weight" or (name.endswith(".weight") and (
        name.startswith("mm.") or (name.startswith("v.blk.") and ".ln" not in name)))


def round_vision_f16(model):
    """Rounds the tower's F16-stored weights to F16 in place, so that the
    language model trains on, and the logits check compares, exactly what
    llama.cpp will compute from the file."""
    with torch.no_grad():
        for name, p in tensors(model).items():
            if f16_tensor(name):
                p.copy_(p.half().float())


def slot_accuracy(vision, heads, labels, data, idx):
    """Per-slot and per-sample (every slot right) accuracy by kind."""
    right, total, slots, slots_ok = {}, {}, 0, 0
    with torch.no_grad():
        for a in range(0, len(idx), 256):
            b = idx[a:a + 256]
            e = vision(torch.from_numpy(data.images[b]))
            ts, tc = heads.targets(labels, b, data.kinds[b])
            _, ok, m = heads(e, ts, tc)
            slots += int(m.sum())
            slots_ok += int((ok & m).sum())
            whole = torch.where(m, ok, torch.ones_like(ok)).all(-1)
            for k, w in zip(data.kinds[b], whole.tolist()):
                name = "scene" if k == 0 else "object"
                total[name] = total.get(name, 0) + 1
                right[name] = right.get(name, 0) + int(w)
    out = {k: right[k] / total[k] for k in total}
    out["slot"] = slots_ok / max(1, slots)
    return out


def train_vision(model, labels, data, n_train, args, rng):
    """Stage 1: the vision tower and projector learn to put each place's
    shape and colour into a fixed output row (SlotHeads)."""
    v = model.vision
    place_rows, object_rows = slot_rows(data.meta, labels, model.c, args.max_aspect)
    print("slots: places %s, objects %s" % (place_rows, object_rows), flush=True)
    heads = SlotHeads(model.c["width"], labels["n_shapes"], labels["n_colours"], place_rows, object_rows, data.n_img)
    decay = [p for p in list(v.parameters()) + list(heads.parameters()) if p.dim() >= 2]
    no_decay = [p for p in list(v.parameters()) + list(heads.parameters()) if p.dim() < 2]
    params = decay + no_decay
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.vision_lr, betas=(0.9, 0.98))
    held = np.arange(n_train, data.n)
    t0, curve, rms_curve = time.time(), [], []
    steps = args.vision_steps
    for step in range(steps):
        lr = args.vision_lr * min(1.0, (step + 1) / args.warmup) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / steps)))
        for g in opt.param_groups:
            g["lr"] = lr
        idx = rng.integers(0, n_train, size=args.vision_batch)
        e = v(torch.from_numpy(data.images[idx]))
        ts, tc = heads.targets(labels, idx, data.kinds[idx])
        loss, _, _ = heads(e, ts, tc)
        rms = e.pow(2).mean(-1).sqrt()
        total = loss + args.norm_penalty * F.relu(rms - args.norm_target).pow(2).mean()
        opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()
        curve.append(float(loss))
        rms_curve.append(float(rms.mean()))
        last = step == steps - 1 or (time.time() - t0) / 60 > args.vision_minutes
        if step % 100 == 0 or last:
            acc = slot_accuracy(v, heads, labels, data, held[:600])
            el = time.time() - t0
            print("vision step %5d  loss %.4f  img-rms %.2f  held-out %s  %.2fs/step  %.1f min" %
                  (step, float(loss), rms_curve[-1], " ".join("%s %.3f" % kv for kv in sorted(acc.items())),
                   el / (step + 1), el / 60), flush=True)
        if last:
            break
    acc = slot_accuracy(v, heads, labels, data, held)
    print("vision stage done: held-out slot accuracy", acc, flush=True)
    for p in v.parameters():
        p.requires_grad_(False)
    return {"steps": step + 1, "batch": args.vision_batch, "lr": args.vision_lr,
            "minutes": round((time.time() - t0) / 60, 1), "held_out_accuracy": acc,
            "loss_every_100": [round(float(np.mean(curve[i:i + 100])), 4) for i in range(0, len(curve), 100)]}


def derive_labels(data):
    """Shape, colour and per-place labels from the English answer tokens
    (the data files store captions only). Words are single tokens in the
    toy vocabulary: "<article> <colour> <shape> <place...>" items separated
    by ",", "and" and the final "."; class indices follow sorted token ids,
    an arbitrary but fixed order. Returns None if the captions do not parse."""
    L = len(data.langs)
    li = data.langs.index("en")
    eos = int(data.meta_eos)
    ans = [data.answers[data.offsets[i * L + li]:data.offsets[i * L + li + 1]].tolist() for i in range(data.n)]
    objs = [a for a, k in zip(ans, data.kinds) if k != 0]
    stop = {objs[0][-2], eos}  # "." and the end of turn
    colours = sorted({a[1] for a in objs})
    shapes = sorted({a[2] for a in objs})
    if len(colours) < 2 or len(shapes) < 2 or any(len(a) != 5 for a in objs):
        return None
    # Separators: the token after each place phrase that is not an article.
    arts = {a[0] for a in objs}
    items, seps = [], set(stop)
    for a, k in zip(ans, data.kinds):
        if k != 0:
            continue
        # An item starts at an article followed by a colour and a shape.
        for j in range(len(a) - 2):
            if j > 0 and a[j + 1] in colours and a[j + 2] in shapes and a[j - 1] not in arts:
                seps.add(a[j - 1])
    seps -= set(colours) | set(shapes)
    places = set()
    parsed = []
    for a, k in zip(ans, data.kinds):
        if k != 0:
            parsed.append(None)
            continue
        chunks, cur = [], []
        for x in a:
            if x in seps:
                if cur:
                    chunks.append(cur)
                cur = []
            else:
                cur.append(x)
        if cur:
            chunks.append(cur)
        its = []
        for ch in chunks:
            if len(ch) < 4 or ch[1] not in colours or ch[2] not in shapes:
                return None
            places.add(tuple(ch[3:]))
            its.append((ch[2], ch[1], tuple(ch[3:])))
        parsed.append(its)
    places = sorted(places)
    P = len(places)
    shape = np.zeros(data.n, dtype=np.int64)
    colour = np.zeros(data.n, dtype=np.int64)
    cell_shape = np.full((data.n, P), len(shapes), dtype=np.int64)   # "empty"
    cell_colour = np.full((data.n, P), len(colours), dtype=np.int64)
    for i, (a, k) in enumerate(zip(ans, data.kinds)):
        if k != 0:
            shape[i], colour[i] = shapes.index(a[2]), colours.index(a[1])
        else:
            for sh, co, pl in parsed[i]:
                cell_shape[i, places.index(pl)] = shapes.index(sh)
                cell_colour[i, places.index(pl)] = colours.index(co)
    print("aux labels: %d shapes, %d colours, %d places, separators %s" %
          (len(shapes), len(colours), P, sorted(int(x) for x in seps)), flush=True)
    return {"n_shapes": len(shapes), "n_colours": len(colours), "n_places": P, "places": places,
            "shape": torch.from_numpy(shape), "colour": torch.from_numpy(colour),
            "cell_shape": torch.from_numpy(cell_shape), "cell_colour": torch.from_numpy(cell_colour)}


class Data:
    def __init__(self, path):
        self.meta = json.load(open(os.path.join(path, "meta.json")))
        c = self.meta["config"]
        s = c["image_size"]
        self.n = self.meta["n"]
        self.images = np.fromfile(os.path.join(path, "images.u8"), dtype=np.uint8).reshape(self.n, s, s, 3)
        self.kinds = np.fromfile(os.path.join(path, "kinds.u8"), dtype=np.uint8)
        self.answers = np.fromfile(os.path.join(path, "answers.i32"), dtype=np.int32)
        self.offsets = np.fromfile(os.path.join(path, "offsets.i32"), dtype=np.int32)
        self.langs = self.meta["langs"]
        self.n_img = (s // c["patch_size"]) ** 2
        befores = {tuple(v) for m in self.meta["before"].values() for v in m.values()}
        assert len(befores) == 1, "the prompt before the image must not depend on language or mode"
        self.before = list(befores.pop())
        self.pad = self.meta["pad"]

    def mode_of(self, kind):
        return "brief" if kind == 0 else "region"

    def sequence(self, i, li):
        lang = self.langs[li]
        mode = self.mode_of(self.kinds[i])
        after = self.meta["after"][mode][lang]
        j = i * len(self.langs) + li
        ans = self.answers[self.offsets[j]:self.offsets[j + 1]].tolist()
        prompt = self.before + [self.pad] * self.n_img + after
        return prompt, ans

    def pool(self, rng, n_train, batch, batches=16, objects_only=False):
        """Draws batches*batch random (sample, language) pairs and groups
        them by length into batches, in random order: less padding."""
        if objects_only:
            cand = np.nonzero(self.kinds[:n_train] != 0)[0]
            idx = cand[rng.integers(0, len(cand), size=batch * batches)]
        else:
            idx = rng.integers(0, n_train, size=batch * batches)
        langs = rng.integers(0, len(self.langs), size=batch * batches)
        j = idx * len(self.langs) + langs
        order = np.argsort(self.offsets[j + 1] - self.offsets[j], kind="stable")
        groups = [(idx[order[k:k + batch]], langs[order[k:k + batch]]) for k in range(0, len(order), batch)]
        return [groups[k] for k in rng.permutation(len(groups))]

    def batch(self, idx, langs):
        seqs = [self.sequence(i, l) for i, l in zip(idx, langs)]
        t = max(len(p) + len(a) for p, a in seqs) - 1
        ids = np.full((len(seqs), t), self.pad, dtype=np.int64)
        tgt = np.full((len(seqs), t), -100, dtype=np.int64)
        for r, (p, a) in enumerate(seqs):
            full = p + a
            ids[r, :len(full) - 1] = full[:-1]
            tgt[r, len(p) - 1:len(full) - 1] = a
        return (torch.from_numpy(ids), torch.from_numpy(self.images[idx]), torch.from_numpy(tgt))


def greedy(model, data, i, li, max_new=80):
    prompt, _ = data.sequence(i, li)
    ids = list(prompt)
    img = torch.from_numpy(data.images[i:i + 1])
    eos = data.meta_eos
    out, margins, last_logits = [], [], None
    with torch.no_grad():
        for _ in range(max_new):
            h = model.hidden(torch.tensor([ids]), img, len(data.before))
            logits = model.output(h[0, -1])
            top = torch.topk(logits, 2)
            margins.append(float(top.values[0] - top.values[1]))
            if last_logits is None:
                last_logits = logits
            tok = int(top.indices[0])
            out.append(tok)
            if tok == eos:
                break
            ids.append(tok)
    return out, margins, last_logits


def ggml_shape(t):
    return list(reversed(list(t.shape)))


def tensors(model):
    """Maps GGUF tensor names to the model's parameters."""
    v = model.vision
    named = {
        "v.class_embd": v.cls,
        "v.patch_embd.weight": v.patch.weight,
        "v.position_embd.weight": v.pos,
        "v.pre_ln.weight": v.pre_ln.weight,
        "v.pre_ln.bias": v.pre_ln.bias,
        "mm.0.weight": v.mm0.weight, "mm.0.bias": v.mm0.bias,
        "mm.2.weight": v.mm2.weight, "mm.2.bias": v.mm2.bias,
        "token_embd.weight": model.embed.weight,
        "output_norm.weight": model.norm.weight,
        "output.weight": model.output.weight,
    }
    for i, b in enumerate(v.blocks):
        p = "v.blk.%d." % i
        named.update({
            p + "ln1.weight": b.ln1.weight, p + "ln1.bias": b.ln1.bias,
            p + "attn_q.weight": b.q.weight, p + "attn_q.bias": b.q.bias,
            p + "attn_k.weight": b.k.weight, p + "attn_k.bias": b.k.bias,
            p + "attn_v.weight": b.v.weight, p + "attn_v.bias": b.v.bias,
            p + "attn_out.weight": b.o.weight, p + "attn_out.bias": b.o.bias,
            p + "ln2.weight": b.ln2.weight, p + "ln2.bias": b.ln2.bias,
            p + "ffn_up.weight": b.up.weight, p + "ffn_up.bias": b.up.bias,
            p + "ffn_down.weight": b.down.weight, p + "ffn_down.bias": b.down.bias,
        })
    for i, b in enumerate(model.blocks):
        p = "blk.%d." % i
        named.update({
            p + "attn_norm.weight": b.attn_norm.weight,
            p + "attn_q.weight": b.q.weight, p + "attn_k.weight": b.k.weight,
            p + "attn_v.weight": b.v.weight, p + "attn_output.weight": b.o.weight,
            p + "ffn_norm.weight": b.ffn_norm.weight,
            p + "ffn_gate.weight": b.gate.weight, p + "ffn_up.weight": b.up.weight,
            p + "ffn_down.weight": b.down.weight,
        })
    return named


def export(model, c, path):
    """Writes every tensor under its GGUF name, in torch's row-major order,
    which is ggml's storage order for the reversed shape."""
    named = tensors(model)
    index, off = {}, 0
    with open(os.path.join(path, "weights.bin"), "wb") as f:
        for name in sorted(named):
            a = named[name].detach().float().contiguous().numpy().astype("<f4")
            f.write(a.tobytes())
            index[name] = {"offset": off, "shape": ggml_shape(named[name])}
            off += a.size
    json.dump(index, open(os.path.join(path, "weights.json"), "w"), indent=1, sort_keys=True)


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    data = Data(args.data)
    c = data.meta["config"]
    if args.patch_size:
        c["patch_size"] = args.patch_size
        data.n_img = (c["image_size"] // args.patch_size) ** 2
    data.meta_eos = data.answers[data.offsets[1] - 1]  # every answer ends with <|im_end|>
    model = ToyVLM(c)
    nparams = sum(p.numel() for p in model.parameters())
    print("parameters: %d, samples: %d" % (nparams, data.n), flush=True)
    labels = derive_labels(data) if args.aux > 0 or args.vision_steps > 0 or args.vision_from else None
    if (args.vision_steps > 0 or args.vision_from) and labels is None:
        raise SystemExit("train.py: --vision-steps needs slot labels, but the captions did not parse")
    aux = None
    n_train = data.n - max(50, data.n // 100)
    vision_stage, frozen = None, None
    if args.vision_from:
        # A tower trained by an earlier run's stage 1 (its vision.pt).
        saved = torch.load(args.vision_from)
        model.vision.load_state_dict(saved["state"])
        vision_stage = saved["stage"]
        for p in model.vision.parameters():
            p.requires_grad_(False)
        print("vision tower from %s: %s" % (args.vision_from, vision_stage["held_out_accuracy"]), flush=True)
    elif args.vision_steps > 0:
        vision_stage = train_vision(model, labels, data, n_train, args, rng)
        os.makedirs(args.out, exist_ok=True)
        torch.save({"state": model.vision.state_dict(), "stage": vision_stage}, os.path.join(args.out, "vision.pt"))
    if vision_stage is not None and args.vision_f16:
        round_vision_f16(model)
    if vision_stage is not None:
        # The frozen tower's embeddings of every image, computed once.
        with torch.no_grad():
            frozen = np.concatenate([model.vision(torch.from_numpy(data.images[a:a + 512])).numpy()
                                     for a in range(0, data.n, 512)])
        print("embeddings of %d images cached (%.0f MB)" % (data.n, frozen.nbytes / 2**20), flush=True)
    if labels is not None and frozen is None and args.aux > 0:
        # Created after the model so that the model's initialisation does not
        # depend on whether the heads exist; not exported.
        aux = AuxHeads(c["width"], data.n_img, labels["n_shapes"], labels["n_colours"], labels["n_places"])
    elif args.aux > 0 and labels is None:
        print("aux labels: captions did not parse, auxiliary loss off", flush=True)

    # The last 1% of the data (n_train on) is held out for a greedy check at the end.
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and p.requires_grad]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2 and p.requires_grad]
    if aux is not None:
        decay += [p for p in aux.parameters() if p.dim() >= 2]
        no_decay += [p for p in aux.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}]
    params = decay + no_decay
    opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.98))
    steps = args.bench or args.steps
    losses, aux_losses, emb_rms = [], [], []
    t0 = time.time()
    step = 0
    pool = []
    for step in range(steps):
        frac = step / steps
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        objects_only = step < args.object_first
        if step == args.object_first and args.object_first:
            pool = []  # curriculum over: all kinds from here on
        if not pool:
            pool = data.pool(rng, n_train, args.batch, objects_only=objects_only)
        idx, langs = pool.pop()
        ids, imgs, tgt = data.batch(idx, langs)
        emb = torch.from_numpy(frozen[idx]) if frozen is not None else None
        h, e = model.hidden(ids, imgs, len(data.before), with_image=True, emb=emb)
        sel = tgt != -100
        logits = model.output(h[sel])
        loss = F.cross_entropy(logits, tgt[sel])
        total = loss
        stats = {}
        if aux is not None:
            ti = torch.from_numpy(np.asarray(idx, dtype=np.int64))
            kinds = torch.from_numpy(data.kinds[idx].astype(np.int64))
            la, stats = aux(e, kinds, labels["shape"][ti], labels["colour"][ti],
                            labels["cell_shape"][ti], labels["cell_colour"][ti])
            total = total + args.aux * la
            aux_losses.append(float(la))
        rms = e.pow(2).mean(-1).sqrt()  # (B, n)
        if args.norm_penalty > 0 and frozen is None:
            total = total + args.norm_penalty * F.relu(rms - args.norm_target).pow(2).mean()
        emb_rms.append(float(rms.mean()))
        opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        acc = float((logits.argmax(-1) == tgt[sel]).float().mean())
        losses.append(float(loss))
        if step % 25 == 0 or step == steps - 1:
            el = time.time() - t0
            extra = "".join("  %s %.3f" % kv for kv in sorted(stats.items()))
            if aux_losses:
                extra = "  aux %.4f" % aux_losses[-1] + extra
            print("step %5d  loss %.4f  tok-acc %.4f  lr %.2e  img-rms %.2f%s  %.2fs/step  %.1f min" %
                  (step, float(loss), acc, lr, emb_rms[-1], extra, el / (step + 1), el / 60), flush=True)
        if args.bench == 0 and (time.time() - t0) / 60 > args.minutes:
            print("time limit reached at step %d" % step, flush=True)
            break
    train_min = (time.time() - t0) / 60
    if args.bench:
        return

    model.eval()
    os.makedirs(args.out, exist_ok=True)
    export(model, c, args.out)

    # Greedy exact match on held-out samples (a PyTorch-side sanity check;
    # the accuracy that counts is toyeval's, through llama.cpp).
    right, total = {}, {}
    for i in range(n_train, min(data.n, n_train + args.heldout)):
        for li in range(len(data.langs)):
            out, _, _ = greedy(model, data, i, li)
            _, ans = data.sequence(i, li)
            k = "scene" if data.kinds[i] == 0 else "object"
            total[k] = total.get(k, 0) + 1
            right[k] = right.get(k, 0) + (out == ans)
    held = {k: right[k] / total[k] for k in total}
    print("held-out greedy exact match (PyTorch):", held, flush=True)

    # The fixed input of the logits check: sample 0 in every language.
    check = {"sample": 0, "seed": data.meta["seed"], "jpeg": data.meta["jpeg"], "langs": {}}
    with torch.no_grad():
        img = torch.from_numpy(data.images[0:1])
        check["image_embeddings"] = model.vision(img)[0].flatten().tolist()
        for li, lang in enumerate(data.langs):
            prompt, ans = data.sequence(0, li)
            out, margins, first = greedy(model, data, 0, li)
            check["langs"][lang] = {"prompt": prompt, "greedy": out, "min_margin": min(margins)}
            if lang == "en":
                check["first_logits_en"] = first.tolist()
    json.dump(check, open(os.path.join(args.out, "check.json"), "w"))
    json.dump({"seed": args.seed, "steps": step + 1, "batch": args.batch, "lr": args.lr,
               "warmup": args.warmup, "threads": args.threads,
               "aux": args.aux if aux is not None else 0.0, "norm_penalty": args.norm_penalty,
               "norm_target": args.norm_target, "object_first": args.object_first,
               "vision_stage": vision_stage,
               "aux_loss_every_50": [round(float(np.mean(aux_losses[i:i + 50])), 4) for i in range(0, len(aux_losses), 50)],
               "image_rms_every_50": [round(float(np.mean(emb_rms[i:i + 50])), 3) for i in range(0, len(emb_rms), 50)], "train_minutes": round(train_min, 1),
               "parameters": nparams, "samples": data.n, "held_out": n_train,
               "final_loss": float(np.mean(losses[-50:])),
               "loss_every_50": [round(float(np.mean(losses[i:i + 50])), 4) for i in range(0, len(losses), 50)],
               "pytorch_held_out_exact": held},
              open(os.path.join(args.out, "train.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
