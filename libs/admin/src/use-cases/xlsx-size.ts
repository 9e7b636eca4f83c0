import { inflateRawSync } from 'node:zlib';

/**
 * How much an .xlsx (a zip) holds once unpacked, found before any spreadsheet library unpacks it: a small upload
 * must not unpack into gigabytes (a "zip bomb") in the gateway that answers calls. Every entry of the zip's central
 * directory is inflated here with a hard output limit (what is left of `maxBytes`), so an entry whose header lies
 * about its size is caught too. Answers the total, or a reason the file is refused.
 */
export function xlsxUnpackedSize(zip: Buffer, maxBytes: number): { bytes: number } | { refused: string } {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > zip.length) return { refused: 'not a zip archive' };
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16); // the central directory's offset
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) return { refused: 'a damaged zip directory' };
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const local = zip.readUInt32LE(at + 42);
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) return { refused: 'a damaged zip entry' };
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    if (compressed === 0xffffffff || start + compressed > zip.length) return { refused: 'a damaged zip entry' };
    const data = zip.subarray(start, start + compressed);
    if (method === 0) total += data.length;
    else if (method === 8) {
      try {
        total += inflateRawSync(data, { maxOutputLength: Math.max(1, maxBytes - total + 1) }).length;
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
          return { refused: `more than ${Math.round(maxBytes / 1024 / 1024)} MB once unpacked` };
        }
        return { refused: 'a damaged zip entry' };
      }
    } else return { refused: `an unknown zip compression (${method})` };
    if (total > maxBytes) return { refused: `more than ${Math.round(maxBytes / 1024 / 1024)} MB once unpacked` };
  }
  return { bytes: total };
}
