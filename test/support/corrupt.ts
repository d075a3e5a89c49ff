/**
 * Damaged copies of a file's bytes, as disks and transfers damage them: cut short, single bits
 * flipped, 4 KiB pages zeroed. Offsets are drawn from a seeded generator, so a failure names a case
 * that reproduces.
 */
import { mulberry32 } from './mulberry32';

export interface Damage {
  /** 'truncated at 123', 'bit 5 of byte 77 flipped', 'page at 4096 zeroed' */
  what: string;
  kind: 'truncate' | 'flip' | 'zero';
  bytes: Uint8Array;
}

/** `count` of each kind of damage to `bytes`, drawn with `seed`. Pages are zeroed only where they change something. */
export function damagedCopies(original: Uint8Array, seed: number, count: number, kinds: ReadonlyArray<Damage['kind']> = ['truncate', 'flip', 'zero']): Damage[] {
  const bytes = new Uint8Array(original); // a Buffer's slice() is a view: copies must come from a plain Uint8Array
  const random = mulberry32(seed);
  const below = (n: number) => Math.floor(random() * n);
  const out: Damage[] = [];
  for (let i = 0; i < count; i++) {
    if (kinds.includes('truncate')) {
      const length = below(bytes.length);
      out.push({ what: `truncated at ${length} of ${bytes.length} bytes`, kind: 'truncate', bytes: bytes.slice(0, length) });
    }
    if (kinds.includes('flip')) {
      const offset = below(bytes.length);
      const bit = below(8);
      const copy = bytes.slice();
      copy[offset] ^= 1 << bit;
      out.push({ what: `bit ${bit} of byte ${offset} flipped`, kind: 'flip', bytes: copy });
    }
    if (kinds.includes('zero')) {
      const page = 4096;
      let start = below(Math.max(1, Math.ceil(bytes.length / page))) * page;
      // A page that is zero already changes nothing; move to one that is not.
      for (let tries = 0; tries < 16 && bytes.subarray(start, start + page).every((b) => b === 0); tries++) start = below(Math.ceil(bytes.length / page)) * page;
      const copy = bytes.slice();
      copy.fill(0, start, Math.min(start + page, bytes.length));
      out.push({ what: `page at ${start} zeroed`, kind: 'zero', bytes: copy });
    }
  }
  return out;
}
