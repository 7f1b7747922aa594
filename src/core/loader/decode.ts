/**
 * Bytes of an input file to text. UTF-8 (a byte-order mark is dropped) is the norm; UTF-16, which
 * Windows editors and PowerShell's `>` write, is decoded too, as kubectl's YAML reader decodes it
 * (go-yaml reads UTF-16 with a byte-order mark). Without a byte-order mark, UTF-16 is recognised by
 * its NUL bytes in alternating places (ASCII text has one in every code unit), so such a file is
 * read, not refused as binary. Anything else with NUL bytes, or invalid UTF-8, is binary.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf16le = new TextDecoder('utf-16le', { fatal: true });
const utf16be = new TextDecoder('utf-16be', { fatal: true });

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Which UTF-16 the bytes look like, if they do: a byte-order mark, or NULs in every other byte of ASCII. */
export function utf16Kind(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes.length < 2 || bytes.length % 2 !== 0) return undefined;
  // The first code units of a YAML file are ASCII (a key, `---`, a comment): 0x00 beside each.
  const n = Math.min(bytes.length, 64);
  let le = true;
  let be = true;
  for (let i = 0; i < n; i += 2) {
    le &&= bytes[i] !== 0 && bytes[i + 1] === 0;
    be &&= bytes[i] === 0 && bytes[i + 1] !== 0;
  }
  return le ? 'utf-16le' : be ? 'utf-16be' : undefined;
}

/** The text of the bytes and the encoding it was in; undefined when the bytes are not text. */
export function decodeInput(bytes: Uint8Array): { text: string; encoding: Encoding } | undefined {
  const kind = utf16Kind(bytes);
  try {
    if (kind) {
      const text = (kind === 'utf-16le' ? utf16le : utf16be).decode(bytes); // drops the mark
      return text.includes('\u0000') ? undefined : { text, encoding: kind };
    }
    if (bytes.includes(0)) return undefined;
    return { text: utf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    return undefined;
  }
}
