"""Fits the initial coefficients of the rational (Padé) activation to leaky ReLU.

P(x) / Q(x) with P of degree 5 and the "safe" Q(x) = 1 + |b1 x| + |b2 x^2| + |b3 x^3| + |b4 x^4|
(Molina et al., Padé Activation Units). Least squares on the linearised residual
P(x) - y(x) (Q(x) - 1) = y(x) over [-3, 3], then a few Gauss-Newton steps on the true residual
P/Q - y. Run: python3 tools/fit-rational.py  (numpy only). Prints the coefficients used in
src/layers/rational-activation.ts and the fit's maximum error.
"""
import numpy as np

alpha = 0.01
x = np.linspace(-3, 3, 2001)
y = np.where(x > 0, x, alpha * x)
ax = np.abs(x)
A = np.column_stack([x**i for i in range(6)] + [-y * ax**j for j in range(1, 5)])
theta, *_ = np.linalg.lstsq(A, y, rcond=None)


def model(t):
    p = sum(t[i] * x**i for i in range(6))
    q = 1 + sum(abs(t[5 + j]) * ax**j for j in range(1, 5))
    return p / q


for _ in range(50):
    r = model(theta) - y
    eps = 1e-7
    J = np.column_stack([(model(theta + eps * np.eye(10)[k]) - model(theta)) / eps for k in range(10)])
    step, *_ = np.linalg.lstsq(J, -r, rcond=None)
    theta = theta + step
theta[6:] = np.abs(theta[6:])
print("numerator", ", ".join(f"{v:.8f}" for v in theta[:6]))
print("denominator", ", ".join(f"{v:.8f}" for v in theta[6:]))
print("max |P/Q - leakyRelu| on [-3, 3]:", np.max(np.abs(model(theta) - y)))
