// Table-driven exp and log for the fused kernel's hot loop. V8's Math.exp/Math.log cost ~8 ns
// each and the kernel needs one of each per channel-week; these run in ~5 ns at ~1 ulp
// (errors below 5e-16 relative for exp and 3e-16 absolute for log), with a fallback to Math
// outside the fast range. Tables are built once at module load; calls allocate nothing.

const LN2_HI = 6.93147180369123816490e-1; // ln 2 with trailing zero bits: e * LN2_HI is exact
const LN2_LO = 1.90821492927058770002e-10; // ln 2 - LN2_HI

// --- exp: x = (m * 256 + j) ln2 / 256 + r, |r| <= ln2 / 512 ---
const EXP_N = 256;
const EXP_INV = EXP_N / Math.LN2;
const EXP_C_HI = LN2_HI / EXP_N;
const EXP_C_LO = LN2_LO / EXP_N;
/** 2^(j/256), j = 0..255 */
const EXP_T = Float64Array.from({ length: EXP_N }, (_, j) => Math.pow(2, j / EXP_N));
const ROUND_SHIFT = 6755399441055744;
/** 2^m, m = -1022..1023, at index m + 1022 */
const EXP_P2 = Float64Array.from({ length: 2046 }, (_, i) => Math.pow(2, i - 1022));

/**
 * e^x to ~1 ulp; exact Math.exp semantics outside |x| < 700 (overflow, underflow, NaN).
 * @param x any double
 */
export function fastExp(x: number): number {
  if (!(x < 700 && x > -700)) return Math.exp(x);
  // round to nearest by the 1.5 * 2^52 shift: Math.round costs ~5 ns here
  const kf = x * EXP_INV + ROUND_SHIFT - ROUND_SHIFT;
  const k = kf | 0;
  const r = x - kf * EXP_C_HI - kf * EXP_C_LO;
  // Taylor to r^5: truncation < r^6 / 720 < 1e-20 for |r| <= ln2/512; Estrin's split in r^2
  // instead of Horner halves the dependency chain (faster: bench/README.md)
  const r2 = r * r;
  const p = 1 + r + r2 * (0.5 + r * (1 / 6) + r2 * (1 / 24 + r * (1 / 120)));
  return EXP_P2[(k >> 8) + 1022] * EXP_T[k & 255] * p;
}

// --- log: x = 2^e * m, m in [1, 2); m = c_j (1 + r), c_j = 1 + (j + 1/2) / 1024, |r| <= 1/2048 ---
// (a 1024-entry table beat 128 entries with a longer polynomial: bench/README.md)
const LOG_BITS = 10;
const LOG_N = 1 << LOG_BITS;
/** log(c_j) */
const LOG_C = Float64Array.from({ length: LOG_N }, (_, j) => Math.log(1 + (j + 0.5) / LOG_N));
/** 1 / c_j */
const LOG_INV_C = Float64Array.from({ length: LOG_N }, (_, j) => 1 / (1 + (j + 0.5) / LOG_N));
// The bit-cast cell is written on every fastLog call. It sits alone in the middle of a 256-byte
// buffer: an 8-byte buffer of its own came from the allocator's smallest size class, where two
// fit workers of one Chromium renderer got cells in the same cache line and each write stalled
// the other core (two workers ran at half speed each; bench:workers measures it).
const BITS = new ArrayBuffer(256);
const F64 = new Float64Array(BITS, 128, 1);
const I32 = new Int32Array(BITS, 128, 2);
const U32 = new Uint32Array(BITS, 128, 2);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// Constant word indices (little-endian: high word at 1) keep V8's code tight; see fastLog.
function fastLogLE(x: number): number {
  F64[0] = x;
  const hi = I32[1];
  // positive normal finite numbers only; everything else goes to Math.log
  if (hi < 0x00100000 || hi >= 0x7ff00000) return Math.log(x);
  const lo = U32[0];
  const e = (hi >> 20) - 1023;
  const j = (hi >> 10) & 1023;
  // m - c_j from the 42 mantissa bits below the table index: exact, no rounding
  const d = ((hi & 0x3ff) - 0x200) * 9.5367431640625e-7 + lo * 2.220446049250313e-16;
  const r = d * LOG_INV_C[j];
  // log1p(r) to r^5: truncation < r^6 / 6 < 1e-20 for |r| <= 1/2048 (Estrin, as in fastExp)
  const r2 = r * r;
  const p = r + r2 * (-0.5 + r * (1 / 3) + r2 * (-0.25 + r * 0.2));
  return e * LN2_HI + (LOG_C[j] + (e * LN2_LO + p));
}

/**
 * Natural log to ~1 ulp absolute; Math.log semantics for zero, negative, subnormal, inf, NaN.
 * (Math.log itself on a big-endian engine.)
 * @param x any double
 */
export const fastLog: (x: number) => number = LITTLE_ENDIAN ? fastLogLE : Math.log;
