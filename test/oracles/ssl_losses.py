#!/usr/bin/python3
"""Oracle for sslmem's SSL losses (test/train/losses.test.ts).

Reads {"z1": [[...]], "z2": ..., "p1": ..., "p2": ..., "temperature": t} as JSON on stdin and
prints, for each loss, two values: `manual`, written with plain Python loops straight from the
paper's pseudocode, and `torch`, computed with PyTorch 1.13 tensor ops (the reference
implementations' form). Run with Debian's /usr/bin/python3 (python3-torch).
"""
import json
import math
import sys

import torch
import torch.nn.functional as F


def dot(a, b):
    return sum(x * y for x, y in zip(a, b))


def norm(a):
    return math.sqrt(dot(a, a))


def cos(a, b):
    return dot(a, b) / (max(norm(a), 1e-12) * max(norm(b), 1e-12))


def nt_xent_manual(z1, z2, t):
    # SimCLR (Chen et al. 2020), Algorithm 1: 2N augmented examples, s_ij cosine similarity,
    # l(i, j) = -log(exp(s_ij / t) / sum_{k != i} exp(s_ik / t)), L = mean over all 2N positives.
    z = []
    for a, b in zip(z1, z2):
        z.append(a)
        z.append(b)
    n2 = len(z)

    def l(i, j):
        denom = sum(math.exp(cos(z[i], z[k]) / t) for k in range(n2) if k != i)
        return -math.log(math.exp(cos(z[i], z[j]) / t) / denom)

    return sum(l(2 * k, 2 * k + 1) + l(2 * k + 1, 2 * k) for k in range(n2 // 2)) / n2


def nt_xent_torch(z1, z2, t):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    b = z1.shape[0]
    logits = z @ z.t() / t
    logits.fill_diagonal_(float('-inf'))
    targets = torch.cat([torch.arange(b, 2 * b), torch.arange(0, b)])
    return F.cross_entropy(logits, targets).item()


def byol_manual(p, z):
    # BYOL (Grill et al. 2020), eq. 2: || p/||p|| - z/||z|| ||^2 = 2 - 2 cos(p, z), batch mean.
    return sum(2 - 2 * cos(a, b) for a, b in zip(p, z)) / len(p)


def byol_torch(p, z):
    return (2 - 2 * F.cosine_similarity(p, z.detach(), dim=-1)).mean().item()


def simsiam_manual(p1, p2, z1, z2):
    # SimSiam (Chen & He 2021), Algorithm 1: L = D(p1, z2)/2 + D(p2, z1)/2, D = -cos, batch mean.
    d = lambda p, z: -sum(cos(a, b) for a, b in zip(p, z)) / len(p)
    return d(p1, z2) / 2 + d(p2, z1) / 2


def simsiam_torch(p1, p2, z1, z2):
    d = lambda p, z: -F.cosine_similarity(p, z.detach(), dim=-1).mean()
    return (d(p1, z2) / 2 + d(p2, z1) / 2).item()


def mean(xs):
    return sum(xs) / len(xs)


def columns(z):
    return [list(c) for c in zip(*z)]


def vicreg_terms_manual(z1, z2, gamma=1.0, eps=1e-4):
    # VICReg (Bardes et al. 2022), Algorithm 1.
    n, d = len(z1), len(z1[0])
    inv = sum((a - b) ** 2 for r1, r2 in zip(z1, z2) for a, b in zip(r1, r2)) / (n * d)

    def var_term(z):
        out = 0.0
        for c in columns(z):
            m = mean(c)
            var = sum((x - m) ** 2 for x in c) / (n - 1)
            out += max(0.0, gamma - math.sqrt(var + eps))
        return out / d

    def cov_term(z):
        cols = columns(z)
        ms = [mean(c) for c in cols]
        total = 0.0
        for i in range(d):
            for j in range(d):
                if i != j:
                    cov = sum((cols[i][k] - ms[i]) * (cols[j][k] - ms[j]) for k in range(n)) / (n - 1)
                    total += cov * cov
        return total / d

    return inv, var_term(z1), var_term(z2), cov_term(z1), cov_term(z2)


def vicreg_torch(z1, z2):
    n, d = z1.shape
    inv = F.mse_loss(z1, z2)
    std1 = torch.sqrt(z1.var(dim=0) + 1e-4)
    std2 = torch.sqrt(z2.var(dim=0) + 1e-4)
    std_loss = torch.mean(F.relu(1 - std1)) / 2 + torch.mean(F.relu(1 - std2)) / 2
    c1 = z1 - z1.mean(dim=0)
    c2 = z2 - z2.mean(dim=0)
    cov1 = (c1.T @ c1) / (n - 1)
    cov2 = (c2.T @ c2) / (n - 1)
    off = lambda m: m - torch.diag(torch.diagonal(m))
    cov_loss = off(cov1).pow(2).sum() / d + off(cov2).pow(2).sum() / d
    return (25 * inv + 25 * std_loss + cov_loss).item()


def main():
    data = json.load(sys.stdin)
    t = data['temperature']
    z1, z2, p1, p2 = (data[k] for k in ('z1', 'z2', 'p1', 'p2'))
    T = lambda x: torch.tensor(x, dtype=torch.float64)
    inv, v1, v2, c1, c2 = vicreg_terms_manual(z1, z2)
    out = {
        'nt-xent': {'manual': nt_xent_manual(z1, z2, t), 'torch': nt_xent_torch(T(z1), T(z2), t)},
        'byol': {'manual': byol_manual(p1, z2), 'torch': byol_torch(T(p1), T(z2))},
        'simsiam': {'manual': simsiam_manual(p1, p2, z1, z2), 'torch': simsiam_torch(T(p1), T(p2), T(z1), T(z2))},
        'vicreg': {'manual': 25 * inv + 25 * (v1 + v2) / 2 + c1 + c2, 'torch': vicreg_torch(T(z1), T(z2))},
        'vicreg-invariance': {'manual': inv},
        'vicreg-variance': {'manual': v1},
        'vicreg-covariance': {'manual': c1},
    }
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
