"""Reference multinomial logistic regression for test/eval/probe.test.ts.

Reads JSON {x: [[...]], y: [...], classes: K, lambda: l} on stdin, standardizes x (mean, std with
ddof 0, std 1 where ~0), and minimizes (1/N) sum CE + (l/2)||W||^2 (bias unpenalized) by Newton's
method with the exact Hessian (numpy; pseudo-inverse because the softmax bias is only defined up
to a common shift). Writes JSON {weights: [[...]] (K x D), bias: [...], loss, iterations}.
"""
import json
import sys

import numpy as np


def main():
    spec = json.load(sys.stdin)
    x = np.asarray(spec["x"], dtype=np.float64)
    y = np.asarray(spec["y"], dtype=np.int64)
    k = int(spec["classes"])
    lam = float(spec["lambda"])
    n, d = x.shape
    scale = x.std(axis=0)
    scale[scale < 1e-12] = 1.0
    z = (x - x.mean(axis=0)) / scale
    za = np.hstack([z, np.ones((n, 1))])  # last column: bias
    onehot = np.eye(k)[y]
    theta = np.zeros((k, d + 1))
    penalty = np.ones(d + 1)
    penalty[-1] = 0.0

    def parts(theta):
        logits = za @ theta.T
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(n), y])) + 0.5 * lam * np.sum(theta[:, :-1] ** 2)
        grad = (p - onehot).T @ za / n + lam * theta * penalty
        return loss, grad, p

    iterations = 0
    for iterations in range(1, 200):
        loss, grad, p = parts(theta)
        hessian = np.zeros((k * (d + 1), k * (d + 1)))
        for i in range(n):
            s = np.diag(p[i]) - np.outer(p[i], p[i])
            hessian += np.kron(s, np.outer(za[i], za[i]))
        hessian /= n
        hessian += lam * np.kron(np.eye(k), np.diag(penalty))
        step = np.linalg.pinv(hessian) @ grad.reshape(-1)
        # Damped Newton: halve until the objective decreases (plain Newton can overshoot early).
        t = 1.0
        while t > 1e-8:
            candidate = theta - t * step.reshape(k, d + 1)
            if parts(candidate)[0] <= loss:
                break
            t /= 2
        theta = candidate
        if np.abs(grad).max() < 1e-12:
            break
    loss, grad, _ = parts(theta)
    json.dump({"weights": theta[:, :-1].tolist(), "bias": theta[:, -1].tolist(), "loss": float(loss),
               "iterations": iterations, "gradientMaxAbs": float(np.abs(grad).max())}, sys.stdout)


if __name__ == "__main__":
    main()
