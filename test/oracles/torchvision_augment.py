#!/usr/bin/python3
"""Oracle for sslmem's augmentation parity tests: applies explicit view parameters with
torchvision 0.14's tensor functional API (the reference semantics) and prints the results.

Input (stdin, JSON): {"cases": [{"image": {"height", "width", "channels", "data": base64 uint8 HWC},
                                 "params": ViewParams (lib/augment/spec.ts)}]}
Output (stdout, JSON): {"versions": {...}, "outputs": [base64 float32 [C, H', W'] per case]}
Run with /usr/bin/python3 (Debian's torch 1.13 / torchvision 0.14), single-threaded.
"""
import base64
import json
import sys

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode


def to_tensor(image):
    data = np.frombuffer(base64.b64decode(image["data"]), dtype=np.uint8)
    hwc = data.reshape(image["height"], image["width"], image["channels"])
    # ToTensor: HWC uint8 -> CHW float32 / 255
    return torch.from_numpy(hwc.copy()).permute(2, 0, 1).contiguous().float().div(255)


def apply(img, p):
    crop = p["crop"]
    x = F.resized_crop(img, crop["top"], crop["left"], crop["height"], crop["width"], list(p["size"]),
                       InterpolationMode.BILINEAR, antialias=bool(p["antialias"]))
    if p["flip"]:
        x = F.hflip(x)
    jitter = p.get("colorJitter")
    if jitter is not None:
        for op in jitter["order"]:
            if op == 0 and jitter["brightness"] is not None:
                x = F.adjust_brightness(x, jitter["brightness"])
            elif op == 1 and jitter["contrast"] is not None:
                x = F.adjust_contrast(x, jitter["contrast"])
            elif op == 2 and jitter["saturation"] is not None:
                x = F.adjust_saturation(x, jitter["saturation"])
            elif op == 3 and jitter["hue"] is not None:
                x = F.adjust_hue(x, jitter["hue"])
    if p["grayscale"]:
        # RandomGrayscale keeps the channel count.
        x = F.rgb_to_grayscale(x, num_output_channels=x.shape[0])
    if p.get("blur") is not None:
        k = p["blur"]["kernelSize"]
        s = p["blur"]["sigma"]
        x = F.gaussian_blur(x, [k, k], [s, s])
    if p.get("solarize") is not None:
        x = F.solarize(x, p["solarize"]["threshold"])
    if p.get("normalize") is not None:
        x = F.normalize(x, p["normalize"]["mean"], p["normalize"]["std"])
    return x.contiguous()


def main():
    torch.set_num_threads(1)
    request = json.load(sys.stdin)
    outputs = []
    for case in request["cases"]:
        out = apply(to_tensor(case["image"]), case["params"]).numpy().astype(np.float32)
        outputs.append(base64.b64encode(out.tobytes()).decode("ascii"))
    json.dump({"versions": {"torch": torch.__version__, "torchvision": torchvision.__version__}, "outputs": outputs},
              sys.stdout)


if __name__ == "__main__":
    main()
