# An independent reference of src/engine/rng.ts, written from the published algorithms rather than
# from pure-rand's code: murmur3's fmix32 over a Weyl sequence for the state, xoroshiro128+ in its
# 64-bit form (a=24, b=16, c=37), and pure-rand's uniformInt rule (rejection above the largest
# multiple of the range). test/engine/rng.test.ts pins the values it prints:
#   python3 test/engine/rng-reference.py
M32 = 0xffffffff; M64 = (1 << 64) - 1
def fmix32(h):
    h &= M32
    h ^= h >> 16; h = (h * 0x85ebca6b) & M32
    h ^= h >> 13; h = (h * 0xc2b2ae35) & M32
    h ^= h >> 16; return h
def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M64
class Rng:
    def __init__(self, seed):
        w = [fmix32(seed + k * 0x9e3779b9) for k in range(1, 5)]   # [hi0, lo0, hi1, lo1]
        self.s0 = (w[0] << 32) | w[1]; self.s1 = (w[2] << 32) | w[3]
    def next_u32(self):
        s0, s1 = self.s0, self.s1
        out = (s0 + s1) & M32
        s1 ^= s0
        self.s0 = rotl(s0, 24) ^ s1 ^ ((s1 << 16) & M64)
        self.s1 = rotl(s1, 37)
        return out
    def int(self, lo, hi):
        if lo == hi: return lo
        n = hi - lo + 1
        maxa = (2**32 // n) * n if n > 2 else 2**32
        while True:
            # pure-rand: next() is a signed int32, + 2^31
            v = self.next_u32(); v = v - 2**32 if v >= 2**31 else v
            d = v + 2**31
            if d < maxa: return lo + d % n
import sys
if __name__ == '__main__':
    r = Rng(1); print('seed1 int(0,1e9):', [r.int(0, 10**9) for _ in range(5)])
    r = Rng(0); print('seed0 int(0,99):', [r.int(0, 99) for _ in range(5)])
    r = Rng(0xffffffff); print('seedmax int(-5,5):', [r.int(-5, 5) for _ in range(5)])
    # svmTemplate seed 1: s = 3 reals -5..5 (1 decimal), y in 0..2, until L > 0 and max != min
    r = Rng(1)
    while True:
        s = [r.int(-50, 50) / 10 for _ in range(3)]; y = r.int(0, 2)
        L = sum(max(0, s[j] - s[y] + 1) for j in range(3) if j != y)
        if L > 0 and max(s) != min(s): break
    print('svm seed1 s:', s, 'y:', y)
