/*
 * torc_vectorize_rng.c - the vectorizer's seeded PRNG (splitmix64, no
 * rand()), and the generator each vector starts from.
 *
 * Every choice a vector makes (offload point, replay window, request sizes,
 * clock advances, host answers, BufferedData lists) draws from one generator
 * seeded from the run's --seed, the capture's digest, the flow direction and
 * the vector's number: the corpus is the same on every machine and run.
 */
#include "torc_vectorize_int.h"

uint64_t torc_vz_rng_next(vz_rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Uniform in [lo, hi] (hi >= lo). */
uint64_t torc_vz_rng_range(vz_rng *r, uint64_t lo, uint64_t hi) {
  if (hi <= lo)
    return lo;
  return lo + torc_vz_rng_next(r) % (hi - lo + 1);
}

int torc_vz_rng_chance(vz_rng *r, unsigned percent) {
  return torc_vz_rng_next(r) % 100 < percent;
}

void torc_vz_rng_for_vector(vz_rng *r, uint64_t seed, const char *cap_sha,
                            uint32_t flow_id, unsigned index) {
  unsigned char sha_mix[8] = {0};
  size_t i;
  for (i = 0; i < 16 && cap_sha[i]; i++)
    sha_mix[i / 2] =
        (unsigned char)(sha_mix[i / 2] * 16 + (unsigned char)(cap_sha[i] % 16));
  r->s = seed * 0x9e3779b97f4a7c15ull ^ ((uint64_t)flow_id << 40) ^ index;
  for (i = 0; i < 8; i++)
    r->s = r->s * 131 + sha_mix[i];
  torc_vz_rng_next(r);
}
