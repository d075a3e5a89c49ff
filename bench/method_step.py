#!/usr/bin/python3
"""PyTorch peer of bench/method-step.ts: the median time of one training step of an SSL method on
the same backbone, heads, loss, optimizer, batch and thread count as sslmem's (native/torch:
encoders/vit.cc, encoders/resnet18.cc, heads.cc, methods/*.cc, train_loop.cc's train_step).

usage: method_step.py JSON   with {"method", "architecture" ("vit-tiny" | "resnet18"), "batch",
    "threads", "steps", "warmup", "channels", "size", "projector_dims", "predictor_dims",
    "method_options", "optimizer" ({"name", "lr", "momentum", "weight_decay", "betas"})}
prints {"times_ms" (after the warm-up steps), "torch", "blas" (blas_matmul.loaded_blas),
    "cpu_per_wall" (process CPU time over wall time of the timed steps)}
"""
import copy
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from blas_matmul import loaded_blas


# --- backbones ------------------------------------------------------------------------------

def conv3x3(cin, cout, stride):
    return nn.Conv2d(cin, cout, 3, stride, 1, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = conv3x3(cin, cout, stride), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = conv3x3(cout, cout, 1), nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet18(nn.Module):
    """CIFAR stem (3x3 stride-1 conv, no max-pool), global average pooling: 512-d."""

    def __init__(self, channels):
        super().__init__()
        self.stem = nn.Sequential(conv3x3(channels, 64, 1), nn.BatchNorm2d(64), nn.ReLU(inplace=True))
        layers, cin = [], 64
        for i, stride in enumerate((1, 2, 2, 2)):
            cout = 64 << i
            layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.dim = cin

    def forward(self, x):
        return F.adaptive_avg_pool2d(self.layers(self.stem(x)), 1).flatten(1)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.scale = heads, 1.0 / math.sqrt(dim // heads)
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        attention = torch.softmax(q @ k.transpose(-2, -1) * self.scale, -1)
        return self.proj((attention @ v).transpose(1, 2).reshape(b, n, d))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim, eps=1e-6), Attention(dim, heads)
        self.norm2, self.fc1, self.fc2 = nn.LayerNorm(dim, eps=1e-6), nn.Linear(dim, 4 * dim), nn.Linear(4 * dim, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class ViT(nn.Module):
    """ViT-Tiny as vit.cc: 192-d, 3 heads, pre-norm blocks, learned positions, class-token output."""

    def __init__(self, channels, size, patch=4, depth=12, heads=3):
        super().__init__()
        self.dim = dim = heads * 64
        self.patch, self.channels, self.grid = patch, channels, size // patch
        self.patch_embed = nn.Conv2d(channels, dim, patch, patch)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, 1 + self.grid ** 2, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def embed_patches(self, x):
        return self.patch_embed(x).flatten(2).transpose(1, 2) + self.pos_embed[:, 1:]

    def encode(self, tokens):
        cls = (self.cls_token + self.pos_embed[:, :1]).expand(tokens.shape[0], 1, self.dim)
        return self.norm(self.blocks(torch.cat([cls, tokens], 1)))

    def forward(self, x):
        return self.encode(self.embed_patches(x))[:, 0]


# --- heads (heads.cc, dino.cc, mae.cc) --------------------------------------------------------

def mlp_head(dims, output_bn):
    layers = []
    for i in range(len(dims) - 1):
        last = i + 2 == len(dims)
        layers.append(nn.Linear(dims[i], dims[i + 1], bias=not output_bn if last else False))
        if not last:
            layers += [nn.BatchNorm1d(dims[i + 1]), nn.ReLU(inplace=True)]
        elif output_bn:
            layers.append(nn.BatchNorm1d(dims[i + 1]))
    return nn.Sequential(*layers)


class DinoHead(nn.Module):
    def __init__(self, cin, hidden, bottleneck, prototypes, layers):
        super().__init__()
        mlp, width = [], cin
        for _ in range(layers - 1):
            mlp += [nn.Linear(width, hidden), nn.GELU()]
            width = hidden
        self.mlp = nn.Sequential(*mlp, nn.Linear(width, bottleneck))
        self.last_layer = nn.Linear(bottleneck, prototypes, bias=False)
        self.register_buffer('center', torch.zeros(1, prototypes))

    def forward(self, x):
        w = self.last_layer.weight
        return F.linear(F.normalize(self.mlp(x), dim=-1), w / w.norm(2, 1, keepdim=True))


def sincos_table(rows, cols, dim):
    quarter = dim // 4
    omega = 1.0 / 10000 ** (torch.arange(quarter, dtype=torch.float64) / quarter)

    def one(pos):
        out = pos[:, None] * omega[None]
        return torch.stack([out.sin(), out.cos()], -1).reshape(len(pos), 2 * quarter)

    r, c = torch.meshgrid(torch.arange(rows, dtype=torch.float64), torch.arange(cols, dtype=torch.float64), indexing='ij')
    table = torch.cat([one(c.flatten()), one(r.flatten())], 1)
    return torch.cat([torch.zeros(1, dim, dtype=torch.float64), table]).float().unsqueeze(0)


class MaeDecoder(nn.Module):
    def __init__(self, encoder, width, depth, heads):
        super().__init__()
        self.embed = nn.Linear(encoder.dim, width)
        self.mask_token = nn.Parameter(torch.randn(1, 1, width) * 0.02)
        self.register_buffer('pos_embed', sincos_table(encoder.grid, encoder.grid, width))
        self.blocks = nn.Sequential(*[Block(width, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(width, eps=1e-6)
        self.pred = nn.Linear(width, encoder.patch ** 2 * encoder.channels)

    def forward(self, latent, restore):
        x = self.embed(latent)
        b, n, w = x.shape[0], restore.shape[1], x.shape[2]
        tokens = torch.cat([x[:, 1:], self.mask_token.expand(b, n + 1 - x.shape[1], w)], 1)
        tokens = torch.gather(tokens, 1, restore.unsqueeze(-1).expand(b, n, w))
        x = torch.cat([x[:, :1], tokens], 1) + self.pos_embed
        return self.pred(self.norm(self.blocks(x)))[:, 1:]


# --- losses (methods/*.cc; test/oracles/ssl_losses.py) ----------------------------------------

def nt_xent(z1, z2, t):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    b = z1.shape[0]
    logits = (z @ z.t() / t).masked_fill(torch.eye(2 * b, dtype=torch.bool), float('-inf'))
    return F.cross_entropy(logits, torch.cat([torch.arange(b, 2 * b), torch.arange(0, b)]))


def byol_loss(p, z):
    return (2 - 2 * (F.normalize(p, dim=1) * F.normalize(z.detach(), dim=1)).sum(1)).mean()


def simsiam_d(p, z):
    return -F.cosine_similarity(p, z.detach(), dim=1).mean()


def vicreg_loss(z1, z2, o):
    n, d = z1.shape

    def variance(z):
        return F.relu(1.0 - torch.sqrt(z.var(0) + 1e-4)).mean()

    def covariance(z):
        c = z - z.mean(0)
        cov = c.t() @ c / (n - 1)
        return (cov - torch.diag(torch.diagonal(cov))).pow(2).sum() / d

    return (o['invariance'] * F.mse_loss(z1, z2) + o['variance'] * (variance(z1) + variance(z2)) / 2
            + o['covariance'] * (covariance(z1) + covariance(z2)))


def barlow_twins_loss(z1, z2, lam):
    standardize = lambda z: (z - z.mean(0)) / z.std(0)
    c = standardize(z1).t() @ standardize(z2) / z1.shape[0]
    diagonal = torch.diagonal(c)
    return (1 - diagonal).pow(2).sum() + lam * (c.pow(2).sum() - diagonal.pow(2).sum())


def moco_v3_ctr(q, k, tau):
    logits = F.normalize(q, dim=1) @ F.normalize(k.detach(), dim=1).t() / tau
    return F.cross_entropy(logits, torch.arange(q.shape[0])) * (2 * tau)


def dino_loss(student, teacher, center, student_temp, teacher_temp):
    b = teacher.shape[0] // 2
    views = student.shape[0] // b
    log_student = F.log_softmax(student / student_temp, -1).chunk(views)
    targets = F.softmax((teacher - center) / teacher_temp, -1).detach().chunk(2)
    total, terms = 0, 0
    for t in range(2):
        for v in range(views):
            if v != t:
                total = total + (-targets[t] * log_student[v]).sum(-1).mean()
                terms += 1
    return total / terms


def patchify(images, p):
    b, c, h, w = images.shape
    return images.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 3, 5, 1).reshape(b, (h // p) * (w // p), p * p * c)


# --- one method's networks and step -----------------------------------------------------------

DEFAULTS = {
    'simclr': {'temperature': 0.5},
    'byol': {'tauBase': 0.996},
    'vicreg': {'invariance': 25, 'variance': 25, 'covariance': 1},
    'barlow-twins': {'lambda': 0.0051},
    'moco-v3': {'temperature': 1.0, 'momentum': 0.99},
    'dino': {'studentTemp': 0.1, 'teacherTemp': 0.04, 'centerMomentum': 0.9, 'teacherMomentum': 0.996, 'prototypes': 4096,
             'hiddenDim': 2048, 'bottleneckDim': 256, 'headLayers': 3, 'clipGrad': 3.0},
    'mae': {'maskRatio': 0.75, 'decoderWidth': 128, 'decoderDepth': 4, 'decoderHeads': 4},
}
OUTPUT_BN = {'simsiam': True, 'moco-v3': True}


def build(cfg):
    method = cfg['method']
    o = {**DEFAULTS.get(method, {}), **cfg['method_options']}
    backbone = ViT(cfg['channels'], cfg['size']) if cfg['architecture'] == 'vit-tiny' else ResNet18(cfg['channels'])
    nets = {'backbone': backbone}
    if cfg['projector_dims']:
        nets['projector'] = mlp_head([backbone.dim] + cfg['projector_dims'], OUTPUT_BN.get(method, False))
    if cfg['predictor_dims']:
        nets['predictor'] = mlp_head([cfg['projector_dims'][-1]] + cfg['predictor_dims'], False)
    if method == 'dino':
        nets['head'] = DinoHead(backbone.dim, int(o['hiddenDim']), int(o['bottleneckDim']), int(o['prototypes']), int(o['headLayers']))
    if method == 'mae':
        nets['head'] = MaeDecoder(backbone, int(o['decoderWidth']), int(o['decoderDepth']), int(o['decoderHeads']))
    online = [nets[k] for k in ('backbone', 'projector', 'predictor', 'head') if k in nets]
    targets = []
    if method in ('byol', 'moco-v3', 'dino'):
        for k in ('backbone', 'projector', 'head'):
            if k in nets:
                nets['target_' + k] = copy.deepcopy(nets[k])
                targets.append((nets[k], nets['target_' + k]))
    return nets, online, targets, o


def step_loss(method, nets, o, views):
    x1, x2 = views[:, 0], views[:, 1]
    online = lambda x: nets['projector'](nets['backbone'](x))

    def target(x):
        with torch.no_grad():
            return nets['target_projector'](nets['target_backbone'](x))

    if method == 'simclr':
        return nt_xent(online(x1), online(x2), o['temperature'])
    if method == 'byol':
        p1, p2 = nets['predictor'](online(x1)), nets['predictor'](online(x2))
        return byol_loss(p1, target(x2)) + byol_loss(p2, target(x1))
    if method == 'simsiam':
        z1, z2 = online(x1), online(x2)
        return simsiam_d(nets['predictor'](z1), z2) / 2 + simsiam_d(nets['predictor'](z2), z1) / 2
    if method == 'vicreg':
        return vicreg_loss(online(x1), online(x2), o)
    if method == 'barlow-twins':
        return barlow_twins_loss(online(x1), online(x2), o['lambda'])
    if method == 'moco-v3':
        q1, q2 = nets['predictor'](online(x1)), nets['predictor'](online(x2))
        return moco_v3_ctr(q1, target(x2), o['temperature']) + moco_v3_ctr(q2, target(x1), o['temperature'])
    if method == 'dino':
        both = views.transpose(0, 1).flatten(0, 1)  # view-major, as DINO concatenates its crops
        student = nets['head'](nets['backbone'](both))
        with torch.no_grad():
            teacher = nets['target_head'](nets['target_backbone'](both))
        loss = dino_loss(student, teacher, nets['head'].center, o['studentTemp'], o['teacherTemp'])
        with torch.no_grad():
            m = o['centerMomentum']
            nets['head'].center.mul_(m).add_(teacher.mean(0, keepdim=True), alpha=1 - m)
        return loss
    if method == 'mae':
        vit = nets['backbone']
        tokens = vit.embed_patches(x1)
        b, n, d = tokens.shape
        keep = int(n * (1 - o['maskRatio']))
        shuffle = torch.rand(b, n).argsort(1)
        restore = shuffle.argsort(1)
        kept = torch.gather(tokens, 1, shuffle[:, :keep].unsqueeze(-1).expand(b, keep, d))
        mask = torch.ones(b, n)
        mask[:, :keep] = 0
        mask = torch.gather(mask, 1, restore)
        prediction = nets['head'](vit.encode(kept), restore)
        per_patch = (prediction - patchify(x1, vit.patch)).pow(2).mean(-1)
        return (per_patch * mask).sum() / mask.sum()
    raise ValueError(f'unknown method {method}')


def make_optimizer(params, opt):
    decay = [p for p in params if p.dim() > 1]
    plain = [p for p in params if p.dim() <= 1]
    groups = [{'params': decay, 'weight_decay': opt['weight_decay']}, {'params': plain, 'weight_decay': 0}]
    if opt['name'] == 'sgd':
        return torch.optim.SGD(groups, lr=opt['lr'], momentum=opt['momentum'])
    if opt['name'] == 'adamw':
        return torch.optim.AdamW(groups, lr=opt['lr'], betas=tuple(opt['betas']))
    raise ValueError(f"optimizer {opt['name']} not in this bench")


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg['threads'])
    torch.manual_seed(0)
    method = cfg['method']
    nets, online, targets, o = build(cfg)
    params = [p for m in online for p in m.parameters()]
    opt = make_optimizer(params, cfg['optimizer'])
    for m in nets.values():
        m.train()
    warmup, steps, batch = cfg['warmup'], cfg['steps'], cfg['batch']
    total = warmup + steps
    views = torch.rand(batch * total, 2, cfg['channels'], cfg['size'], cfg['size']) * 2 - 1
    base_momentum = o.get('tauBase', o.get('momentum', o.get('teacherMomentum', 0)))
    times = []
    for step in range(total):
        if step == warmup:
            cpu_start = time.process_time()
        start = time.perf_counter()
        # The cosine schedules train_loop.cc applies each step (lr, target momentum).
        lr = opt.defaults['lr'] * (1 + math.cos(math.pi * step / total)) / 2
        for group in opt.param_groups:
            group['lr'] = lr
        tau = 1 - (1 - base_momentum) * (math.cos(math.pi * step / total) + 1) / 2
        loss = step_loss(method, nets, o, views[step * batch:(step + 1) * batch])
        opt.zero_grad()
        loss.backward()
        if method == 'dino':
            with torch.no_grad():
                for p in params:
                    if p.grad is not None:
                        coef = o['clipGrad'] / (p.grad.norm().item() + 1e-6)
                        if coef < 1:
                            p.grad.mul_(coef)
            nets['head'].last_layer.weight.grad = None  # the prototypes are frozen in the first epoch
        opt.step()
        with torch.no_grad():
            for src, dst in targets:
                for ps, pd in zip(src.parameters(), dst.parameters()):
                    pd.mul_(tau).add_(ps, alpha=1 - tau)
        loss.item()
        times.append((time.perf_counter() - start) * 1000)
    cpu_per_wall = (time.process_time() - cpu_start) * 1000 / sum(times[warmup:])
    print(json.dumps({'times_ms': times[warmup:], 'torch': torch.__version__, 'blas': loaded_blas(), 'cpu_per_wall': round(cpu_per_wall, 2)}))


if __name__ == '__main__':
    main()
