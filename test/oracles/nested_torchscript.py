"""Oracle of test/encoder/layers.test.ts: scripts a small model with nested submodules (Sequentials of
blocks, a module called twice), saves it to x['file'] and prints the outputs of dotted submodule
paths computed by PyTorch itself (torch.jit.script needs this source in a file, so not inline)."""
import json, sys
import torch
import torch.nn as nn
x = json.load(sys.stdin)
images = torch.tensor(x['images'], dtype=torch.float32).reshape(x['shape'])
class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c)
        self.act = nn.ReLU()
    def forward(self, x):
        y = self.act(self.bn(self.conv(x)))
        return self.act(y + x)  # act is called twice: 'layer1.0.act' is not one output
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU())
        self.layer1 = nn.Sequential(Block(4), Block(4))
        self.head = nn.Linear(4, 6)
    def forward(self, x):
        x = self.layer1(self.stem(x))
        return self.head(x.mean((2, 3)))
torch.manual_seed(7)
net = Net()
for m in net.modules():
    if isinstance(m, nn.BatchNorm2d):
        m.running_mean.uniform_(-0.5, 0.5); m.running_var.uniform_(0.5, 2.0); m.weight.data.uniform_(0.5, 1.5); m.bias.data.uniform_(-0.2, 0.2)
net.eval()
torch.jit.script(net).save(x['file'])
with torch.no_grad():
    stem0 = net.stem[0](images)
    stem = net.stem(images)
    b0 = net.layer1[0](stem)
    conv1 = net.layer1[1].conv(b0)
    layer1 = net.layer1(stem)
    out = net(images)
flat = lambda t: t.flatten(1).reshape(-1).tolist()
print(json.dumps({'stem.0': flat(stem0), 'layer1.0': flat(b0), 'layer1.1.conv': flat(conv1), 'layer1': flat(layer1), 'output': flat(out)}))
