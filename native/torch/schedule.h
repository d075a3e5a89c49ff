// Schedules evaluated per step. Learning rate: linear warm-up then cosine decay to 0 (Goyal et al. 2017 warm-up;
// Loshchilov & Hutter 2017 cosine without restarts), evaluated per step as SimCLR/BYOL do:
//   step < warmup:  lr = base * (step + 1) / warmup
//   otherwise:      lr = base * (1 + cos(pi * (step - warmup) / (total - warmup))) / 2
#pragma once

#include <cstdint>

namespace sslmem {

double cosine_warmup_lr(double base_lr, int64_t step, int64_t warmup_steps, int64_t total_steps);

// The momentum of an EMA target network at step k of K (BYOL, Grill et al. 2020, section 3.2; MoCo v3
// uses the same schedule): tau = 1 - (1 - tau_base) (cos(pi k / K) + 1) / 2.
double byol_momentum(double tau_base, int64_t step, int64_t total_steps);

}  // namespace sslmem
